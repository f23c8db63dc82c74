/* SPDX-License-Identifier: Apache-2.0 */
/* KF123 registry-from-images: COPY registry finds no registry/ in the build context: the build saves the images there. See docs/rules/KF123.md. */
#include "rules.h"

/* sealos's idiom: images are saved into registry/ before the Kubefile's
 * steps, and COPY registry registry takes them into the image. kfc build
 * does the same when the context has no registry/ of its own, so the COPY
 * works, but only as long as image saving is on. */
static void check(kf_lint_ctx *c)
{
	if (!c->opt->context_dir)
		return;
	bool looked = false, missing = false;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_COPY)
			continue;
		for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++) {
			if (!kf_is_registry_source(in, in->args[i].text))
				continue;
			if (!looked) {
				kf_buf p = KF_BUF_INIT;
				kf_buf_printf(&p, "%s/registry", c->opt->context_dir);
				missing = !kf_fscache_type(c->fs, p.ptr);
				kf_buf_release(&p);
				looked = true;
			}
			if (missing)
				kf_lint_report(c, in->args[i].span,
					       "the build context has no registry/: the build fills it with the container "
					       "images it finds in charts/, manifests/ and images/shim/, as sealos build does; "
					       "with --save-image=false this COPY fails");
		}
	}
}

const kf_rule kf_rule_kf123 = {"KF123", "registry-from-images", KF_SEV_INFO,
	"COPY registry finds no registry/ in the build context: the build saves the images there", check};
