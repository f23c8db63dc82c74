/* SPDX-License-Identifier: Apache-2.0 */
/* synth.h - a Kubefile from command-line options: the command-line-only
 * build (`kfc build --from …`), whose Kubefile `--print-kubefile` shows so
 * that it can grow into a real one. docs/build.md, "Without a Kubefile".
 */
#ifndef KF_SYNTH_H
#define KF_SYNTH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kf_synth {
	const char *from;                 /* "scratch" or an image */
	const char *platform;             /* FROM --platform, or NULL */
	const char *cluster_runtime, *cluster_runtime_version, *cri, *cri_version;
	const char *const *startup_cmds;  /* CMDS, one command each */
	size_t nstartup_cmds;
	const char *const *images;        /* IMAGES */
	size_t nimages;
	const char *const *contexts;      /* files and directories copied in */
	size_t ncontexts;
} kf_synth;

/* The Kubefile, formatted as `kfc fmt` would; context resolves the kinds
 * of the build-context paths. NULL with a message in err when a path
 * cannot be used. malloc'd. */
char *kf_synth_kubefile(const kf_synth *s, const char *context, char *err, size_t errlen);

#endif
