/* report.h - writing diagnostics in the formats CI systems read.
 *
 *   tty        path:line:col: level: message [code], the source line and a caret
 *   json       one array of {file, line, column, endLine, endColumn, level, code, message[, fix]}
 *   sarif      SARIF 2.1.0, one run, with the rules that fired
 *   checkstyle Checkstyle XML
 *   gnu        path:line:col: level: message [code], one line each
 *   github     GitHub Actions workflow commands (::error file=…::message)
 *   junit      JUnit XML, one test case per file
 *
 * docs/kflint.md describes each. Lines are 1-based; columns count code
 * points.
 */
#ifndef KF_REPORT_H
#define KF_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "syntax/diag.h"
#include "syntax/source.h"

typedef enum kf_report_format {
	KF_REPORT_TTY,
	KF_REPORT_JSON,
	KF_REPORT_SARIF,
	KF_REPORT_CHECKSTYLE,
	KF_REPORT_GNU,
	KF_REPORT_GITHUB,
	KF_REPORT_JUNIT,
} kf_report_format;

bool kf_report_format_parse(const char *s, kf_report_format *out);

typedef struct kf_report_file {
	const kf_source *src;
	const kf_diag *diags;
	size_t ndiags;
} kf_report_file;

/* Appends the report of all files to out. tool_version is the tool's
 * version in SARIF. */
void kf_report_write(kf_buf *out, kf_report_format format, const kf_report_file *files, size_t nfiles,
		     const char *tool_version, unsigned render_flags);

#endif
