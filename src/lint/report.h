/* SPDX-License-Identifier: Apache-2.0 */
/* report.h - writing diagnostics in the formats CI systems read.
 *
 *   tty        path:line:col: level: message [code], the source line and a caret
 *   json       one array of {file, line, column, endLine, endColumn, level, code, message[, fix]}
 *   sarif      SARIF 2.1.0, one run, with the rules that fired
 *   checkstyle Checkstyle XML
 *   gnu        path:line:col: level: message [code], one line each
 *   github     GitHub Actions workflow commands (::error file=…::message)
 *   junit      JUnit XML, one test case per file
 *   codeclimate        Code Climate issues, each followed by a NUL byte
 *   gitlab_codeclimate one array of GitLab Code Quality issues (with fingerprints)
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
	KF_REPORT_CODECLIMATE,
	KF_REPORT_GITLAB_CODECLIMATE,
} kf_report_format;

bool kf_report_format_parse(const char *s, kf_report_format *out);

typedef struct kf_report_file {
	const kf_source *src;
	const kf_diag *diags;
	size_t ndiags;
} kf_report_file;

/* Appends the report of all files to out. tool_version is the tool's
 * version in SARIF. root is the absolute directory the files' relative
 * paths start from (the current one; NULL: unknown): SARIF's %SRCROOT%,
 * and the formats that want paths relative to it (SARIF, Code Climate)
 * give a file under it relative to it. */
void kf_report_write(kf_buf *out, kf_report_format format, const kf_report_file *files, size_t nfiles,
		     const char *tool_version, unsigned render_flags, const char *root);

#endif
