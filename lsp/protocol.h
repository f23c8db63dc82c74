/* SPDX-License-Identifier: Apache-2.0 */
/* protocol.h - LSP's values, over the framing of rpc.h: positions in the
 * encoding the client chose (UTF-16 columns, or UTF-8 when initialize
 * agreed on it: s->utf8), ranges, locations, text edits; the readers of a
 * request's position and range; and JSON text writers for the large
 * answers (diagnostics, semantic tokens), where building jansson objects
 * would cost more than the analysis.
 *
 * Memory: the json_t * functions return a new reference; the kf_buf
 * writers append to the caller's buffer.
 */
#ifndef KF_KFLS_PROTOCOL_H
#define KF_KFLS_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "syntax/source.h"
#include "session.h"

/* {"line","character"} of a byte offset (past the end: the end) */
json_t *kfls_pos(kfls *s, const kf_source *src, uint32_t off);
json_t *kfls_range(kfls *s, const kf_source *src, kf_span span);
/* {"uri","range"} */
json_t *kfls_location(kfls *s, const char *uri, const kf_source *src, kf_span span);
/* {"range","newText"}: text (len bytes) replaces span */
json_t *kfls_text_edit(kfls *s, const kf_source *src, kf_span span, const char *text, size_t len);

/* The offset of an LSP Position (a line past the end: the end); false if
 * pos is not one. */
bool kfls_offset(kfls *s, const kf_source *src, json_t *pos, uint32_t *off);
/* params.position as an offset; false, with err set, when missing or bad */
bool kfls_position_param(kfls *s, const kf_source *src, json_t *params, uint32_t *off, kfls_error *err);
/* params.range as a span (start <= end); false, with err set, when missing
 * or bad */
bool kfls_range_param(kfls *s, const kf_source *src, json_t *params, kf_span *sp, kfls_error *err);

/* JSON text: a string of n bytes (invalid UTF-8 becomes U+FFFD), a number,
 * a range */
void kfls_json_string(kf_buf *b, const char *p, size_t n);
void kfls_json_uint(kf_buf *b, uint64_t v);
void kfls_json_range(kfls *s, kf_buf *b, const kf_source *src, kf_span span);

#endif
