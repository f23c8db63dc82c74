/* SPDX-License-Identifier: Apache-2.0 */
/* jsonutil.h - small helpers over jansson shared by every JSON writer. */
#ifndef KF_JSONUTIL_H
#define KF_JSONUTIL_H

#include <jansson.h>

#include "base/buf.h"
#include "syntax/source.h"

/* A JSON string of s; invalid UTF-8 bytes become U+FFFD, so the result is
 * never NULL. */
json_t *kf_json_str(kf_str s);
/* {"start","end","startLine","startColumn","endLine","endColumn"}: byte
 * offsets, and 1-based lines and code point columns. */
json_t *kf_json_span(const kf_source *src, kf_span span);
/* Appends the JSON text of j (steals the reference) and a newline. */
void kf_json_dump(kf_buf *out, json_t *j, size_t flags);

#endif
