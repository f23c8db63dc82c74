/* SPDX-License-Identifier: Apache-2.0 */
/* ignore.h - the ignore file of a build context: which of its files a
 * build leaves out (docs/build.md, "Ignore files").
 *
 * The patterns are Docker's (moby's patternmatcher, as `docker build`,
 * buildah and sealos read .dockerignore): one a line; a line starting with
 * '#' is a comment; surrounding white space is trimmed and blank lines are
 * skipped; '!' makes an exception that re-includes; a pattern is cleaned
 * like Go's filepath.Clean and a leading '/' is dropped, so it is relative
 * to the context root.  '*' and '?' never match '/', "**" matches any
 * number of directories (zero included), '[...]' is a character class
 * ('^' negates), '\' escapes.  A pattern applies to a path when it matches
 * the path or one of its parent directories, and the last pattern that
 * applies decides: so excluding a directory excludes everything under it,
 * unless a later exception re-includes something there.
 *
 * The matcher is our own (an NFA run over the path once, in time linear
 * in the path and the pattern, whatever the '*' and "**"): libc's fnmatch
 * backtracks (a pattern of many '*' costs a power of the name's length),
 * reads "[!" as a negation where Docker reads a '!', and knows nothing of
 * "**"; it is used for the POSIX classes ("[[:alpha:]]"), where the two
 * agree.
 *
 * Every function takes a NULL set: nothing is ignored.
 */
#ifndef KF_IGNORE_H
#define KF_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* The names looked for in a context, the first found wins. */
extern const char *const kf_ignore_names[];

/* Limits: a longer file or pattern, or more patterns, is refused (a line
 * of a file names the line). */
#define KF_IGNORE_MAX_FILE ((size_t)1 << 20)
#define KF_IGNORE_MAX_PATTERN 4096
#define KF_IGNORE_MAX_PATTERNS 10000

typedef struct kf_ignore kf_ignore;

/* An empty set (nothing ignored until patterns or paths are added). */
kf_ignore *kf_ignore_new(void);
void kf_ignore_free(kf_ignore *ig);

/* Parses text[0, len) as the ignore file name (for messages) and adds its
 * patterns.  false with "name:line:col: message" in err for an invalid
 * pattern (the set keeps the lines before it). */
bool kf_ignore_parse(kf_ignore *ig, const char *name, const char *text, size_t len, kf_err *err);

/* The ignore file of the context dir: the first of kf_ignore_names that
 * exists (a symbolic link is followed only inside the context).  *out is
 * a new set, empty when there is no ignore file; false with err when the
 * file cannot be read or has an invalid pattern (*out NULL). */
bool kf_ignore_load(const char *context, kf_ignore **out, kf_err *err);

/* The file the patterns came from ("CONTEXT/.dockerignore"), or NULL. */
const char *kf_ignore_file(const kf_ignore *ig);
/* How many patterns the set holds. */
size_t kf_ignore_count(const kf_ignore *ig);

/* Always leaves out rel (a path relative to the context) and everything
 * under it, whatever the patterns say (the output folder of the build). */
void kf_ignore_add_path(kf_ignore *ig, const char *rel);

/* Is rel (relative to the context, clean: no '.', '..', empty or trailing
 * component) left out?  is_dir: it is a directory (Docker's patterns do not
 * tell one from a file; kept for the walks' sake).  *line, if given: the
 * line of the pattern that decided (0: no pattern, or an added path). */
bool kf_ignore_excluded(const kf_ignore *ig, const char *rel, bool is_dir, unsigned *line);

/* Could an exception re-include something under the directory rel?  (A
 * walk must then enter an excluded directory; a false answer is exact, a
 * true one may be too careful.) */
bool kf_ignore_may_reinclude(const kf_ignore *ig, const char *dir_rel);

/* What a walk does with an entry: keep it (and enter it, a directory),
 * leave it out with all it holds, or leave it out but enter it (a
 * directory excluded that may hold re-included entries: it is kept if one
 * of them is). */
typedef enum kf_ignore_pick { KF_IGNORE_KEEP, KF_IGNORE_SKIP, KF_IGNORE_ENTER } kf_ignore_pick;
kf_ignore_pick kf_ignore_pick_entry(const kf_ignore *ig, const char *rel, bool is_dir);

#endif
