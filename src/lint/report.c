/* report.c - see report.h */
#include "lint/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#include "syntax/jsonutil.h"
#include "lint/lint.h"

bool kf_report_format_parse(const char *s, kf_report_format *out)
{
	static const char *const names[] = {"tty", "json", "sarif", "checkstyle", "gnu", "github", "junit"};
	for (int i = 0; i < 7; i++) {
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

static void write_sarif(kf_buf *out, const kf_report_file *files, size_t nfiles, const char *version)
{
	json_t *rules = json_array(), *results = json_array();
	/* the rules that fired, each once, in the order met */
	size_t cap = 0;
	for (size_t f = 0; f < nfiles; f++)
		cap += files[f].ndiags;
	const char **ids = kf_xmalloc((cap ? cap : 1) * sizeof(*ids));
	size_t nids = 0;
	for (size_t f = 0; f < nfiles; f++) {
		for (size_t i = 0; i < files[f].ndiags; i++) {
			const kf_diag *d = &files[f].diags[i];
			size_t idx = 0;
			while (idx < nids && strcmp(ids[idx], d->code) != 0)
				idx++;
			if (idx == nids) {
				ids[nids++] = d->code;
				const kf_rule *r = kf_rule_find(d->code);
				json_t *rule = json_pack("{s:s}", "id", d->code);
				if (r) {
					json_object_set_new(rule, "name", json_string(r->name));
					json_object_set_new(rule, "shortDescription", json_pack("{s:s}", "text", r->summary));
					json_object_set_new(rule, "defaultConfiguration",
							    json_pack("{s:s}", "level", sarif_level(r->severity)));
				} else if (strncmp(d->code, "SC", 2) == 0) {
					char text[64];
					snprintf(text, sizeof(text), "ShellCheck %s", d->code);
					json_object_set_new(rule, "shortDescription", json_pack("{s:s}", "text", text));
				} else {
					json_object_set_new(rule, "shortDescription",
							    json_pack("{s:s}", "text", "syntax error"));
				}
				json_array_append_new(rules, rule);
			}
			kf_position s = kf_source_position(files[f].src, d->span.start);
			kf_position e = kf_source_position(files[f].src, d->span.end);
			json_t *region = json_pack("{s:I,s:I,s:I,s:I}", "startLine", (json_int_t)s.line + 1, "startColumn",
						   (json_int_t)s.col32 + 1, "endLine", (json_int_t)e.line + 1, "endColumn",
						   (json_int_t)e.col32 + 1);
			json_t *loc = json_pack("{s:{s:{s:o},s:o}}", "physicalLocation", "artifactLocation", "uri",
						kf_json_str(kf_str_cstr(files[f].src->path)), "region", region);
			json_array_append_new(results,
					      json_pack("{s:s,s:I,s:s,s:{s:o},s:[o]}", "ruleId", d->code, "ruleIndex",
							(json_int_t)idx, "level", sarif_level(d->severity), "message",
							"text", kf_json_str(kf_str_cstr(d->message)), "locations", loc));
		}
	}
	json_t *run = json_pack("{s:{s:{s:s,s:s,s:o}},s:o,s:s}", "tool", "driver", "name", "kflint", "version",
				version, "rules", rules, "results", results, "columnKind", "unicodeCodePoints");
	json_t *log = json_pack("{s:s,s:s,s:[o]}", "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
				"version", "2.1.0", "runs", run);
	kf_json_dump(out, log, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	free(ids);
}

void kf_report_write(kf_buf *out, kf_report_format format, const kf_report_file *files, size_t nfiles,
		     const char *version, unsigned render_flags)
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
		write_sarif(out, files, nfiles, version);
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
