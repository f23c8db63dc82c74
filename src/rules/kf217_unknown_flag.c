/* KF217 unknown-flag: An instruction has a flag it does not accept. See docs/rules/KF217.md. */
#include "rules.h"

static const char *const *accepted(kf_kind k)
{
	static const char *const from[] = {"platform", NULL};
	static const char *const copy[] = {"from", "chown", "chmod", "link", "parents", "exclude", NULL};
	static const char *const add[] = {"chown", "chmod", "checksum", "keep-git-dir", "link", "exclude", NULL};
	static const char *const run[] = {"mount", "network", "security", NULL};
	static const char *const health[] = {"interval", "timeout", "start-period", "start-interval", "retries", NULL};
	static const char *const images[] = {"file", NULL};
	static const char *const none[] = {NULL};
	switch (k) {
	case KF_INSTR_FROM: return from;
	case KF_INSTR_COPY: return copy;
	case KF_INSTR_ADD: return add;
	case KF_INSTR_RUN: return run;
	case KF_INSTR_HEALTHCHECK: return health;
	case KF_INSTR_IMAGES: return images;
	default: return none;
	}
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_flag *f = kf_instr_flags(in, &n);
		const char *const *ok = accepted((kf_kind)in->kind);
		for (uint32_t i = 0; i < n; i++) {
			bool known = false;
			for (size_t k = 0; ok[k]; k++)
				known |= kf_str_eq_cstr(f[i].name, ok[k]);
			if (known)
				continue;
			if (!ok[0])
				kf_lint_report(c, f[i].span, "%s takes no flags: --%.*s is not one", kf_kind_name((kf_kind)in->kind),
					       (int)f[i].name.len, f[i].name.ptr);
			else
				kf_lint_report(c, f[i].span, "%s has no flag --%.*s", kf_kind_name((kf_kind)in->kind),
					       (int)f[i].name.len, f[i].name.ptr);
		}
	}
}

const kf_rule kf_rule_kf217 = {"KF217", "unknown-flag", KF_SEV_ERROR,
	"An instruction has a flag it does not accept", check};
