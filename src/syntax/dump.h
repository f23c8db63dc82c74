/* SPDX-License-Identifier: Apache-2.0 */
/* dump.h - text forms of a parsed document.
 *
 * kf_dump_buildkit writes BuildKit's Node.Dump() format (one line per
 * instruction, see docs/dump-format.md), extended so that the Kubefile
 * instructions show their real arguments. kf_dump_json writes the whole
 * AST with spans, trivia and diagnostics as one JSON document.
 */
#ifndef KF_DUMP_H
#define KF_DUMP_H

#include "syntax/ast.h"
#include "base/buf.h"

void kf_dump_buildkit(kf_buf *out, const kf_document *doc);
void kf_dump_json(kf_buf *out, const kf_document *doc);

#endif
