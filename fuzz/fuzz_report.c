/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_report.c - libFuzzer target: kflint's reports (src/lint/report.h)
 * of any file under any name, with no crash, leak or hang. The input's
 * first line (at most 256 bytes) is the file's path, the rest its text; it
 * is parsed and linted (no ShellCheck, no build context) and reported in
 * every format, from the root /work/r. The JSON formats must parse:
 * json, sarif and gitlab_codeclimate as one document, codeclimate as one
 * object before each NUL byte, each with a 32-digit fingerprint; in SARIF
 * every artifact URI is ASCII and every rule has a helpUri.
 *
 *   fuzz/run.sh [-t SECONDS] report
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lint/lint.h"
#include "lint/report.h"
#include "syntax/ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *load(const char *p, size_t n)
{
	json_error_t e;
	json_t *j = json_loadb(p, n, 0, &e);
	if (!j)
		__builtin_trap();
	return j;
}

static void check_sarif(const kf_buf *b)
{
	json_t *j = load(b->ptr, b->len);
	json_t *run = json_array_get(json_object_get(j, "runs"), 0);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules"), i, v)
		if (!json_is_string(json_object_get(v, "helpUri")))
			__builtin_trap();
	json_array_foreach(json_object_get(run, "results"), i, v) {
		json_t *art = json_object_get(json_object_get(json_array_get(json_object_get(v, "locations"), 0),
							      "physicalLocation"),
					      "artifactLocation");
		const char *uri = json_string_value(json_object_get(art, "uri"));
		if (!uri)
			__builtin_trap();
		for (const char *p = uri; *p; p++)
			if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
				__builtin_trap();
	}
	json_decref(j);
}

static void check_fingerprint(json_t *issue)
{
	const char *fp = json_string_value(json_object_get(issue, "fingerprint"));
	if (!fp || strlen(fp) != 32 || strspn(fp, "0123456789abcdef") != 32)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	size_t nl = 0;
	while (nl < size && nl < 256 && d[nl] != '\n' && d[nl] != '\0')
		nl++;
	char path[257];
	memcpy(path, d, nl);
	path[nl] = '\0';
	if (!path[0])
		strcpy(path, "-");
	size_t skip = nl < size ? nl + 1 : nl;
	kf_source src;
	const char *err;
	if (!kf_source_init_mem(&src, path, d + skip, size - skip, &err))
		return 0;
	kf_document *doc = kf_parse(&src);
	kf_diag_bag diags;
	kf_diag_bag_init(&diags, &doc->arena);
	kf_lint_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.dialect = KF_DIALECT_AUTO;
	kf_lint(doc, &opt, &diags);
	kf_report_file f = {&src, diags.items, diags.len};
	for (int fmt = KF_REPORT_TTY; fmt <= KF_REPORT_GITLAB_CODECLIMATE; fmt++) {
		kf_buf out = KF_BUF_INIT;
		kf_report_write(&out, (kf_report_format)fmt, &f, 1, "0.0", KF_RENDER_SOURCE | KF_RENDER_COLOR,
				"/work/r");
		if (fmt == KF_REPORT_JSON) {
			json_decref(load(out.ptr, out.len));
		} else if (fmt == KF_REPORT_SARIF) {
			check_sarif(&out);
		} else if (fmt == KF_REPORT_GITLAB_CODECLIMATE) {
			json_t *j = load(out.ptr, out.len);
			if (json_array_size(j) != diags.len)
				__builtin_trap();
			size_t i;
			json_t *v;
			json_array_foreach(j, i, v)
				check_fingerprint(v);
			json_decref(j);
		} else if (fmt == KF_REPORT_CODECLIMATE) {
			size_t n = 0;
			for (size_t at = 0; at < out.len; n++) {
				const char *nul = memchr(out.ptr + at, '\0', out.len - at);
				if (!nul)
					__builtin_trap();
				json_t *j = load(out.ptr + at, (size_t)(nul - (out.ptr + at)));
				check_fingerprint(j);
				json_decref(j);
				at = (size_t)(nul - out.ptr) + 1;
			}
			if (n != diags.len)
				__builtin_trap();
		}
		kf_buf_release(&out);
	}
	kf_diag_bag_release(&diags);
	kf_document_free(doc);
	kf_source_release(&src);
	return 0;
}
