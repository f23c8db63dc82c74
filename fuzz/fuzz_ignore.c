/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_ignore.c - libFuzzer target: any bytes as an ignore file and paths
 * to match against it (base/ignore.c).  The input is the file's text, a
 * NUL byte, then paths one a line.  A located error or answers, never a
 * crash, a leak or a hang; and the walk's answers agree with the matcher:
 * a path kept under an excluded directory means the walk was told to
 * enter that directory (kf_ignore_may_reinclude is never wrong when it
 * says no), and a path under an added path is always out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/files.h"
#include "base/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const kf_ignore *ig, const char *rel)
{
	bool out = kf_ignore_excluded(ig, rel, false, NULL);
	kf_ignore_pick pick = kf_ignore_pick_entry(ig, rel, true);
	if ((pick == KF_IGNORE_KEEP) == out)
		__builtin_trap(); /* the walk and the matcher disagree */
	if (strncmp(rel, "zz-out", 6) == 0 && (rel[6] == '\0' || rel[6] == '/') && (!out || pick != KF_IGNORE_SKIP))
		__builtin_trap(); /* an added path came back */
	if (out)
		return;
	/* kept: every excluded parent must be entered */
	char *p = strdup(rel);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (kf_ignore_pick_entry(ig, p, true) == KF_IGNORE_SKIP)
			__builtin_trap(); /* a walk would never reach rel */
		*s = '/';
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	kf_ignore *ig = kf_ignore_new();
	kf_err e;
	if (!kf_ignore_parse(ig, "ctx/.dockerignore", text, tlen, &e)) {
		if (strncmp(e.msg, "ctx/.dockerignore:", 18) != 0)
			__builtin_trap(); /* every error is located */
	}
	kf_ignore_add_path(ig, "zz-out");
	if (nul) {
		char *paths = strndup(nul + 1, size - tlen - 1);
		char *save = NULL;
		for (char *line = strtok_r(paths, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *rel = kf_path_clean(line, false);
			if (rel && rel[0])
				check_path(ig, rel);
			free(rel);
		}
		free(paths);
	}
	kf_ignore_free(ig);
	return 0;
}
