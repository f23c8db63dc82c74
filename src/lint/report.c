/* SPDX-License-Identifier: Apache-2.0 */
/* report.c - see report.h */
#include "lint/report.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "base/arena.h"

#include "syntax/jsonutil.h"
#include "lint/lint.h"

bool kf_report_format_parse(const char *s, kf_report_format *out)
{
	static const char *const names[] = {"tty", "json", "sarif", "checkstyle", "gnu", "github", "junit",
					    "codeclimate", "gitlab_codeclimate"};
	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (kf_report_format)i;
			return true;
		}
	}
	return false;
}

static void xml_escape(kf_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<': kf_buf_adds(out, "&lt;"); break;
		case '>': kf_buf_adds(out, "&gt;"); break;
		case '&': kf_buf_adds(out, "&amp;"); break;
		case '"': kf_buf_adds(out, "&quot;"); break;
		case '\'': kf_buf_adds(out, "&apos;"); break;
		default:
			/* XML 1.0 has no place for most control characters */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				kf_buf_addc(out, ' ');
			else
				kf_buf_addc(out, (char)c);
		}
	}
}

static const char *sarif_level(kf_severity s)
{
	return s == KF_SEV_ERROR ? "error" : s == KF_SEV_WARNING ? "warning" : "note";
}

static const char *github_level(kf_severity s)
{
	return s == KF_SEV_ERROR ? "error" : s == KF_SEV_WARNING ? "warning" : "notice";
}

/* GitHub workflow commands: data escapes %, CR, LF; properties also : and , */
static void gh_escape(kf_buf *out, const char *s, bool property)
{
	for (; *s; s++) {
		if (*s == '%')
			kf_buf_adds(out, "%25");
		else if (*s == '\r')
			kf_buf_adds(out, "%0D");
		else if (*s == '\n')
			kf_buf_adds(out, "%0A");
		else if (property && *s == ':')
			kf_buf_adds(out, "%3A");
		else if (property && *s == ',')
			kf_buf_adds(out, "%2C");
		else
			kf_buf_addc(out, *s);
	}
}

/* A file's path relative to root (the current directory) when it is under
 * it, without a leading "./"; else the path as given. */
static const char *rel_path(const char *path, const char *root)
{
	size_t n = root ? strlen(root) : 0;
	if (n > 1 && strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1])
		path += n + 1;
	else if (n == 1 && root[0] == '/' && path[0] == '/' && path[1])
		path += 1;
	while (path[0] == '.' && path[1] == '/' && path[2])
		for (path += 2; *path == '/' && path[1];)
			path++;
	return path;
}

/* s as a URI path: every byte but the unreserved ones and / is %XX */
static void uri_encode(kf_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || c == '/')
			kf_buf_addc(out, (char)c);
		else
			kf_buf_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* What a report says of a code: its summary, its rule (NULL for syntax and
 * ShellCheck codes and KF401) and the page that documents it. */
typedef struct code_info {
	const kf_rule *rule;
	const char *summary;
	kf_buf url;
	kf_buf label; /* "KF203 maintainer-deprecated", "SC2086" */
} code_info;

static void code_info_get(code_info *ci, const char *code)
{
	ci->rule = kf_rule_find(code);
	ci->url = (kf_buf)KF_BUF_INIT;
	ci->label = (kf_buf)KF_BUF_INIT;
	kf_buf_adds(&ci->label, code);
	if (ci->rule && strcmp(ci->rule->code, code) == 0) {
		ci->summary = ci->rule->summary;
		kf_buf_printf(&ci->url, "%srules/%s.md", KF_DOCS_URL, code);
		kf_buf_printf(&ci->label, " %s", ci->rule->name);
		return;
	}
	ci->rule = NULL;
	if (strncmp(code, "SC", 2) == 0) {
		ci->summary = NULL;
		kf_buf_printf(&ci->url, "https://www.shellcheck.net/wiki/%s", code);
	} else if (strcmp(code, "KF401") == 0) {
		ci->summary = "ShellCheck did not check a command: a limit was met";
		kf_buf_printf(&ci->url, "%skflint.md#limits", KF_DOCS_URL);
	} else {
		ci->summary = "syntax error";
		kf_buf_printf(&ci->url, "%sdiagnostics.md#syntax-codes", KF_DOCS_URL);
	}
}

static void code_info_release(code_info *ci)
{
	kf_buf_release(&ci->url);
	kf_buf_release(&ci->label);
}

/* the one-line text of a code: its summary, or "ShellCheck SC2086" */
static const char *code_text(const code_info *ci, const char *code, kf_buf *tmp)
{
	if (ci->summary)
		return ci->summary;
	kf_buf_reset(tmp);
	kf_buf_printf(tmp, "ShellCheck %s", code);
	return tmp->ptr;
}

/* {"text": "SUMMARY. See URL", "markdown": "SUMMARY. See [LABEL](URL)."} */
static json_t *code_help(const code_info *ci, const char *code)
{
	kf_buf t = KF_BUF_INIT, text = KF_BUF_INIT, md = KF_BUF_INIT;
	const char *sum = code_text(ci, code, &t);
	kf_buf_printf(&text, "%s. See %s", sum, ci->url.ptr);
	kf_buf_printf(&md, "%s. See [%s](%s).", sum, ci->label.ptr, ci->url.ptr);
	json_t *j = json_pack("{s:s,s:s}", "text", text.ptr, "markdown", md.ptr);
	kf_buf_release(&t);
	kf_buf_release(&text);
	kf_buf_release(&md);
	return j;
}

static void write_sarif(kf_buf *out, const kf_report_file *files, size_t nfiles, const char *version,
			const char *root)
{
	json_t *rules = json_array(), *results = json_array();
	/* the rules that fired, each once, in the order met */
	size_t cap = 0;
	for (size_t f = 0; f < nfiles; f++)
		cap += files[f].ndiags;
	const char **ids = kf_xmalloc((cap ? cap : 1) * sizeof(*ids));
	size_t nids = 0;
	kf_buf uri = KF_BUF_INIT, tmp = KF_BUF_INIT;
	for (size_t f = 0; f < nfiles; f++) {
		/* relative to %SRCROOT% (the current directory), or a file: URI */
		const char *path = rel_path(files[f].src->path, root);
		kf_buf_reset(&uri);
		if (path[0] == '/')
			kf_buf_adds(&uri, "file://");
		uri_encode(&uri, path);
		json_t *art = json_pack("{s:s}", "uri", uri.ptr);
		if (path[0] != '/')
			json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
		for (size_t i = 0; i < files[f].ndiags; i++) {
			const kf_diag *d = &files[f].diags[i];
			size_t idx = 0;
			while (idx < nids && strcmp(ids[idx], d->code) != 0)
				idx++;
			if (idx == nids) {
				ids[nids++] = d->code;
				code_info ci;
				code_info_get(&ci, d->code);
				json_t *rule = json_pack("{s:s}", "id", d->code);
				if (ci.rule)
					json_object_set_new(rule, "name", json_string(ci.rule->name));
				json_object_set_new(rule, "shortDescription",
						    json_pack("{s:s}", "text", code_text(&ci, d->code, &tmp)));
				json_object_set_new(rule, "helpUri", json_string(ci.url.ptr));
				json_object_set_new(rule, "help", code_help(&ci, d->code));
				if (ci.rule)
					json_object_set_new(rule, "defaultConfiguration",
							    json_pack("{s:s}", "level", sarif_level(ci.rule->severity)));
				code_info_release(&ci);
				json_array_append_new(rules, rule);
			}
			kf_position s = kf_source_position(files[f].src, d->span.start);
			kf_position e = kf_source_position(files[f].src, d->span.end);
			json_t *region = json_pack("{s:I,s:I,s:I,s:I}", "startLine", (json_int_t)s.line + 1, "startColumn",
						   (json_int_t)s.col32 + 1, "endLine", (json_int_t)e.line + 1, "endColumn",
						   (json_int_t)e.col32 + 1);
			json_t *loc = json_pack("{s:{s:O,s:o}}", "physicalLocation", "artifactLocation", art, "region",
						region);
			json_array_append_new(results,
					      json_pack("{s:s,s:I,s:s,s:{s:o},s:[o]}", "ruleId", d->code, "ruleIndex",
							(json_int_t)idx, "level", sarif_level(d->severity), "message",
							"text", kf_json_str(kf_str_cstr(d->message)), "locations", loc));
		}
		json_decref(art);
	}
	json_t *run = json_pack("{s:{s:{s:s,s:s,s:s,s:o}}}", "tool", "driver", "name", "kflint", "version", version,
				"informationUri", KF_DOCS_URL "kflint.md", "rules", rules);
	if (root && root[0] == '/') {
		kf_buf_reset(&uri);
		kf_buf_adds(&uri, "file://");
		uri_encode(&uri, root);
		if (uri.ptr[uri.len - 1] != '/')
			kf_buf_addc(&uri, '/');
		json_object_set_new(run, "originalUriBaseIds", json_pack("{s:{s:s}}", "%SRCROOT%", "uri", uri.ptr));
	}
	json_object_set_new(run, "results", results);
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_t *log = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
				"version", "2.1.0", "runs", run);
	kf_json_dump(out, log, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	kf_buf_release(&uri);
	kf_buf_release(&tmp);
	free(ids);
}

/* Code Climate's severity and category of a level: the order is kept
 * (error critical, warning major, info minor, style info) */
static const char *cc_severity(kf_severity s)
{
	return s == KF_SEV_ERROR ? "critical" : s == KF_SEV_WARNING ? "major" : s == KF_SEV_INFO ? "minor" : "info";
}

static const char *cc_category(kf_severity s)
{
	return s == KF_SEV_STYLE ? "Style" : s == KF_SEV_INFO ? "Clarity" : "Bug Risk";
}

/* 64-bit FNV-1a of n bytes, from h */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A diagnostic's fingerprint: 32 hex digits of the path, the code, the
 * text of the diagnostic's first line without its outer blanks, and how
 * many diagnostics of that code on a line of that text came before it in
 * the file (seen counts them). Lines added or removed elsewhere do not
 * change it. */
static void fingerprint(char out[33], const char *path, const kf_source *src, const kf_diag *d, json_t *seen)
{
	kf_position s = kf_source_position(src, d->span.start);
	kf_str line = kf_source_line_text(src, s.line);
	while (line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t'))
		line.ptr++, line.len--;
	while (line.len && (line.ptr[line.len - 1] == ' ' || line.ptr[line.len - 1] == '\t'))
		line.len--;
	kf_buf key = KF_BUF_INIT;
	kf_buf_printf(&key, "%s", path);
	kf_buf_addc(&key, '\0');
	kf_buf_printf(&key, "%s", d->code);
	kf_buf_addc(&key, '\0');
	kf_buf_add(&key, line.ptr, line.len);
	kf_buf_addc(&key, '\0');
	/* the occurrence: keyed by the bytes after the path, as hex */
	char id[17];
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)fnv1a(0xcbf29ce484222325ULL, key.ptr, key.len));
	json_int_t n = json_integer_value(json_object_get(seen, id));
	json_object_set_new(seen, id, json_integer(n + 1));
	kf_buf_printf(&key, "%lld", (long long)n);
	uint64_t a = fnv1a(0xcbf29ce484222325ULL, key.ptr, key.len);
	uint64_t b = fnv1a(0x84222325cbf29ce4ULL, key.ptr, key.len);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
	kf_buf_release(&key);
}

/* codeclimate: one Code Climate issue per diagnostic, each followed by a
 * NUL byte; gitlab_codeclimate: a JSON array of GitLab Code Quality issues */
static void write_codeclimate(kf_buf *out, const kf_report_file *files, size_t nfiles, bool gitlab,
			      const char *root)
{
	json_t *all = json_array();
	for (size_t f = 0; f < nfiles; f++) {
		const char *path = rel_path(files[f].src->path, root);
		json_t *seen = json_object();
		for (size_t i = 0; i < files[f].ndiags; i++) {
			const kf_diag *d = &files[f].diags[i];
			kf_position s = kf_source_position(files[f].src, d->span.start);
			kf_position e = kf_source_position(files[f].src, d->span.end);
			char fp[33];
			fingerprint(fp, path, files[f].src, d, seen);
			json_t *loc;
			if (gitlab)
				loc = json_pack("{s:o,s:{s:I,s:I}}", "path", kf_json_str(kf_str_cstr(path)), "lines",
						"begin", (json_int_t)s.line + 1, "end", (json_int_t)e.line + 1);
			else
				loc = json_pack("{s:o,s:{s:{s:I,s:I},s:{s:I,s:I}}}", "path", kf_json_str(kf_str_cstr(path)),
						"positions", "begin", "line", (json_int_t)s.line + 1, "column",
						(json_int_t)s.col32 + 1, "end", "line", (json_int_t)e.line + 1, "column",
						(json_int_t)e.col32 + 1);
			json_t *issue = json_pack("{s:s,s:s,s:o,s:[s]}", "type", "issue", "check_name", d->code,
						  "description", kf_json_str(kf_str_cstr(d->message)), "categories",
						  cc_category(d->severity));
			if (!gitlab) {
				code_info ci;
				code_info_get(&ci, d->code);
				json_t *help = code_help(&ci, d->code);
				json_object_set_new(issue, "content",
						    json_pack("{s:O}", "body", json_object_get(help, "markdown")));
				json_decref(help);
				code_info_release(&ci);
			}
			json_object_set_new(issue, "location", loc);
			json_object_set_new(issue, "severity", json_string(cc_severity(d->severity)));
			json_object_set_new(issue, "fingerprint", json_string(fp));
			if (gitlab) {
				json_array_append_new(all, issue);
			} else {
				char *text = json_dumps(issue, JSON_COMPACT | JSON_PRESERVE_ORDER);
				if (text)
					kf_buf_add(out, text, strlen(text));
				free(text);
				kf_buf_addc(out, '\0');
				json_decref(issue);
			}
		}
		json_decref(seen);
	}
	if (gitlab)
		kf_json_dump(out, all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	else
		json_decref(all);
}

void kf_report_write(kf_buf *out, kf_report_format format, const kf_report_file *files, size_t nfiles,
		     const char *version, unsigned render_flags, const char *root)
{
	switch (format) {
	case KF_REPORT_TTY:
	case KF_REPORT_GNU:
		for (size_t f = 0; f < nfiles; f++)
			for (size_t i = 0; i < files[f].ndiags; i++)
				kf_diag_render_text(out, files[f].src, &files[f].diags[i],
						    format == KF_REPORT_TTY ? render_flags : 0);
		break;
	case KF_REPORT_JSON: {
		json_t *all = json_array();
		for (size_t f = 0; f < nfiles; f++)
			for (size_t i = 0; i < files[f].ndiags; i++)
				json_array_append_new(all, kf_diag_to_json(files[f].src, &files[f].diags[i]));
		kf_json_dump(out, all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		break;
	}
	case KF_REPORT_SARIF:
		write_sarif(out, files, nfiles, version, root);
		break;
	case KF_REPORT_CODECLIMATE:
	case KF_REPORT_GITLAB_CODECLIMATE:
		write_codeclimate(out, files, nfiles, format == KF_REPORT_GITLAB_CODECLIMATE, root);
		break;
	case KF_REPORT_GITHUB:
		for (size_t f = 0; f < nfiles; f++) {
			for (size_t i = 0; i < files[f].ndiags; i++) {
				const kf_diag *d = &files[f].diags[i];
				kf_position s = kf_source_position(files[f].src, d->span.start);
				kf_position e = kf_source_position(files[f].src, d->span.end);
				kf_buf_printf(out, "::%s file=", github_level(d->severity));
				gh_escape(out, files[f].src->path, true);
				kf_buf_printf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u,title=", s.line + 1,
					      s.col32 + 1, e.line + 1, e.col32 + 1);
				gh_escape(out, d->code, true);
				kf_buf_adds(out, "::");
				gh_escape(out, d->message, false);
				kf_buf_addc(out, '\n');
			}
		}
		break;
	case KF_REPORT_CHECKSTYLE:
		kf_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
		for (size_t f = 0; f < nfiles; f++) {
			kf_buf_adds(out, "  <file name=\"");
			xml_escape(out, files[f].src->path);
			kf_buf_adds(out, "\">\n");
			for (size_t i = 0; i < files[f].ndiags; i++) {
				const kf_diag *d = &files[f].diags[i];
				kf_position s = kf_source_position(files[f].src, d->span.start);
				kf_buf_printf(out, "    <error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"",
					      s.line + 1, s.col32 + 1,
					      d->severity == KF_SEV_ERROR ? "error" : d->severity == KF_SEV_WARNING ? "warning" : "info");
				xml_escape(out, d->message);
				kf_buf_printf(out, "\" source=\"kflint.%s\"/>\n", d->code);
			}
			kf_buf_adds(out, "  </file>\n");
		}
		kf_buf_adds(out, "</checkstyle>\n");
		break;
	case KF_REPORT_JUNIT: {
		size_t failures = 0;
		for (size_t f = 0; f < nfiles; f++)
			failures += files[f].ndiags > 0;
		kf_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
				   "  <testsuite name=\"kflint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
			      nfiles, failures);
		for (size_t f = 0; f < nfiles; f++) {
			kf_buf_adds(out, "    <testcase classname=\"kflint\" name=\"");
			xml_escape(out, files[f].src->path);
			if (!files[f].ndiags) {
				kf_buf_adds(out, "\"/>\n");
				continue;
			}
			kf_buf_printf(out, "\">\n      <failure message=\"%zu problem%s\" type=\"kflint\">", files[f].ndiags,
				      files[f].ndiags == 1 ? "" : "s");
			kf_buf line = KF_BUF_INIT;
			for (size_t i = 0; i < files[f].ndiags; i++)
				kf_diag_render_text(&line, files[f].src, &files[f].diags[i], 0);
			xml_escape(out, line.ptr ? line.ptr : "");
			kf_buf_release(&line);
			kf_buf_adds(out, "</failure>\n    </testcase>\n");
		}
		kf_buf_adds(out, "  </testsuite>\n</testsuites>\n");
		break;
	}
	}
}
