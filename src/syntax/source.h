/* SPDX-License-Identifier: Apache-2.0 */
/* source.h - the text of one document and its line table.
 *
 * A kf_source owns a copy of the document's bytes, followed by a NUL that is
 * not part of the text (lexers use it as a sentinel). Everything else in the
 * project refers to the text by byte offsets (kf_span); line and column are
 * computed here, at the edges, from a table of line starts.
 *
 * Lines end at "\n" ("\r\n" is one line end too: the "\r" belongs to no
 * column). Columns are 1-based when printed, 0-based in kf_position. A UTF-8
 * byte order mark at the start is skipped: it is in the buffer (offsets count
 * it) but line 1's columns start after it, as editors show it.
 */
#ifndef KF_SOURCE_H
#define KF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Byte offsets into a source, end exclusive. Sources are limited to
 * KF_SOURCE_MAX bytes so that spans stay small. */
typedef struct kf_span {
	uint32_t start;
	uint32_t end;
} kf_span;

#define KF_SOURCE_MAX ((size_t)UINT32_MAX - 1)

typedef struct kf_source {
	char *path;       /* display name ("-" or --stdin-filename for stdin) */
	char *text;       /* len bytes + NUL; owned */
	size_t len;
	uint32_t bom;     /* 3 if the text starts with a UTF-8 BOM, else 0 */
	uint32_t *lines;  /* offset of the first byte of each line; owned */
	size_t nlines;
} kf_source;

/* 0-based line and column. col8 counts bytes, col16 UTF-16 code units
 * (invalid UTF-8 bytes count one unit each), col32 code points. */
typedef struct kf_position {
	uint32_t line;
	uint32_t col8;
	uint32_t col16;
	uint32_t col32;
} kf_position;

/* Copies n bytes of text. Returns false (and sets *err) when the text is
 * larger than KF_SOURCE_MAX. */
bool kf_source_init_mem(kf_source *src, const char *path, const char *text,
			size_t n, const char **err);
/* Reads a file ("-" is standard input; display_name, if not NULL, names it).
 * On failure returns false and fills err (a static or strerror string). */
bool kf_source_init_file(kf_source *src, const char *file,
			 const char *display_name, const char **err);
void kf_source_release(kf_source *src);

kf_position kf_source_position(const kf_source *src, uint32_t offset);
/* 0-based line of an offset. */
uint32_t kf_source_line(const kf_source *src, uint32_t offset);
/* The text of a line without its line end. */
kf_str kf_source_line_text(const kf_source *src, uint32_t line);
/* Offset of a UTF-16 (line, character) position, clamped to the line. */
uint32_t kf_source_offset_utf16(const kf_source *src, uint32_t line, uint32_t col16);
/* Offset of a UTF-8 byte (line, column) position, clamped to the line. */
uint32_t kf_source_offset_utf8(const kf_source *src, uint32_t line, uint32_t col8);

/* A physical line: its first byte, its first non-blank byte (blanks are
 * space, tab, \v, \f, \r), the end of its content (before "\n", and any
 * "\r" before it) and the start of the next line (len at the end). */
typedef struct kf_pline {
	uint32_t start, first, end, next;
} kf_pline;

kf_pline kf_source_pline(const kf_source *src, uint32_t pos);

/* Where a line's content [start, end) is cut by a continuation: the offset
 * of the escape character esc when only spaces and tabs follow it and it is
 * not itself escaped (BuildKit's ([^E])E[ \t]*$|^E[ \t]*$); UINT32_MAX when
 * the line does not continue. */
uint32_t kf_continuation_at(const char *text, uint32_t start, uint32_t end, char esc);

/* Length of the UTF-8 sequence at p (at most n bytes), or 0 if invalid. */
int kf_utf8_seqlen(const unsigned char *p, size_t n, uint32_t *cp);

#endif
