/* SPDX-License-Identifier: Apache-2.0 */
/* KF124 registry-misplaced: A COPY of registry/ puts it elsewhere than the rootfs's registry/. See docs/rules/KF124.md. */
#include "rules.h"

#include <stdlib.h>

#include "base/files.h"

/* sealer run and sealos run serve the images of the rootfs's registry/
 * folder, and no other: a registry copied anywhere else is dead weight.
 * The destination is resolved as the build does: relative to WORKDIR
 * unless absolute, ".." stopping at the root. */
static void check(kf_lint_ctx *c)
{
	kf_buf workdir = KF_BUF_INIT; /* "/" or a WORKDIR's, with a trailing '/' */
	kf_buf_adds(&workdir, "/");
	bool known = true; /* no variable in WORKDIR so far */
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_WORKDIR && in->nargs) {
			kf_str w = in->args[0].text;
			if (memchr(w.ptr, '$', w.len))
				known = false;
			if (w.len && w.ptr[0] == '/')
				kf_buf_reset(&workdir);
			kf_buf_addstr(&workdir, w);
			kf_buf_addc(&workdir, '/');
			continue;
		}
		const kf_word *dest = kf_copy_dest(in);
		if (in->kind != KF_INSTR_COPY || !dest || !known || memchr(dest->text.ptr, '$', dest->text.len))
			continue;
		bool registry = false;
		for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++)
			registry = registry || kf_is_registry_source(in, in->args[i].text);
		if (!registry)
			continue;
		kf_buf d = KF_BUF_INIT;
		kf_buf_adds(&d, "");
		if (dest->text.len && dest->text.ptr[0] != '/')
			kf_buf_addstr(&d, kf_str_make(workdir.ptr, workdir.len));
		kf_buf_addstr(&d, dest->text);
		char *clean = kf_path_clean(d.ptr, true);
		if (clean && strcmp(clean, "registry") != 0)
			kf_lint_report(c, dest->span,
				       "registry/ is copied to '/%.60s', but sealer run and sealos run serve only the "
				       "rootfs's registry/ folder: copy it to registry/",
				       clean);
		free(clean);
		kf_buf_release(&d);
	}
	kf_buf_release(&workdir);
}

const kf_rule kf_rule_kf124 = {"KF124", "registry-misplaced", KF_SEV_WARNING,
	"A COPY of registry/ puts it elsewhere than the rootfs's registry/", check};
