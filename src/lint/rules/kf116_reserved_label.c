/* SPDX-License-Identifier: Apache-2.0 */
/* KF116 reserved-label: A LABEL sets a key reserved for the cluster descriptor. See docs/rules/KF116.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_LABEL)
			continue;
		for (uint32_t i = 0; i < in->npairs; i++) {
			kf_str k = kf_pair_key(&in->pairs[i]).text;
			const char *slash = memchr(k.ptr, '/', k.len);
			if (!slash)
				continue;
			kf_str domain = kf_str_make(k.ptr, (size_t)(slash - k.ptr));
			bool reserved = domain.len >= 9 && memcmp(domain.ptr + domain.len - 9, "sealer.io", 9) == 0 &&
					(domain.len == 9 || domain.ptr[domain.len - 10] == '.');
			if (!reserved)
				continue;
			/* set by the instructions that own them */
			const char *owner = kf_str_has_prefix(k, "cluster.alpha.sealer.io/kube-cni") ? "CNI"
					    : kf_str_has_prefix(k, "cluster.alpha.sealer.io/kube-csi") ? "CSI"
					    : kf_str_has_prefix(k, "app.alpha.sealer.io/supported-kube-version") ? "KUBEVERSION"
					    : NULL;
			if (owner)
				kf_lint_report(c, in->pairs[i].key, "label '%.*s' is set by %s: use %s instead",
					       (int)k.len, k.ptr, owner, owner);
			else if (!kf_str_has_prefix(k, "cluster.alpha.sealer.io/"))
				kf_lint_report(c, in->pairs[i].key,
					       "keys under *.sealer.io/ are reserved for sealer: '%.*s' is not one it defines",
					       (int)k.len, k.ptr);
		}
	}
}

const kf_rule kf_rule_kf116 = {"KF116", "reserved-label", KF_SEV_ERROR,
	"A LABEL sets a key reserved for the cluster descriptor", check};
