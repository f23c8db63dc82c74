/* SPDX-License-Identifier: Apache-2.0 */
/* rules.h - what the rules in this folder share: one rule per file, each
 * defining one kf_rule named kf_rule_<code>. */
#ifndef KF_RULES_H
#define KF_RULES_H

#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

#include "lint/lint.h"
#include "base/suggest.h"

#define KF_RULES(X)                                                                   \
	X(kf101) X(kf102) X(kf103) X(kf104) X(kf105) X(kf106) X(kf107) X(kf108)     \
	X(kf109) X(kf110) X(kf111) X(kf112) X(kf113) X(kf114) X(kf115) X(kf116)     \
	X(kf117) X(kf118) X(kf119) X(kf120) X(kf121) X(kf122) X(kf123) X(kf124)     \
	X(kf125) X(kf201) X(kf202) X(kf203) X(kf204) X(kf205) X(kf206) X(kf207)     \
	X(kf208) X(kf209) X(kf210) X(kf211) X(kf212) X(kf213) X(kf214) X(kf215)     \
	X(kf216) X(kf217) X(kf218) X(kf219) X(kf220) X(kf221) \
	X(kf222) X(kf223) X(kf224)

#define KF_RULE_DECLARE(c) extern const kf_rule kf_rule_##c;
KF_RULES(KF_RULE_DECLARE)

/* the top-level instructions, in order, but for those with a syntax error:
 * that error is their diagnostic */
#define KF_FOR_EACH_INSTR(ctx, var)                                                   \
	for (uint32_t var##_i = 0; var##_i < (ctx)->doc->ninstrs; var##_i++)          \
		for (const kf_instr *var = (ctx)->doc->instrs[var##_i]; var && !var->broken; var = NULL)

/* the last instruction that is not an error line */
static inline const kf_instr *kf_last_instr(const kf_document *doc)
{
	for (uint32_t i = doc->ninstrs; i > 0; i--)
		if (doc->instrs[i - 1]->kind != KF_INSTR_ERROR)
			return doc->instrs[i - 1];
	return NULL;
}

static inline kf_str kf_rule_keyword(const kf_lint_ctx *c, const kf_instr *in)
{
	return kf_instr_keyword(c->doc, in);
}

/* The names ARG and ENV define (the first 256), and a variable use that
 * none of them defines (KF205, KF223): reported with "did you mean" when
 * one of the names is close to it; false, and nothing reported, when
 * none is. */
typedef struct kf_var_names {
	const char *v[256];
	size_t n;
} kf_var_names;

static inline void kf_var_names_of(kf_lint_ctx *c, kf_var_names *out)
{
	const kf_model *m = c->model;
	out->n = 0;
	for (uint32_t i = 0; i < m->ndefs && out->n < 256; i++)
		out->v[out->n++] = kf_arena_strndup(c->out->arena, m->defs[i].name.ptr, m->defs[i].name.len);
}

static inline bool kf_report_var_typo(kf_lint_ctx *c, const kf_var_names *names, const kf_var_use *u)
{
	const char *s = kf_suggest(u->name, names->v, names->n, false);
	if (s)
		kf_lint_report(c, u->span, "variable '%.*s' is not defined (did you mean '%s'?)",
			       (int)(u->name.len > 60 ? 60 : u->name.len), u->name.ptr, s);
	return s != NULL;
}

/* Is this COPY source the build context's whole registry/ folder
 * ("registry", "registry/", "./registry")? A COPY from another stage or
 * image (--from) is not. */
static inline bool kf_is_registry_source(const kf_instr *in, kf_str src)
{
	uint32_t nflags;
	const kf_flag *flags = kf_instr_flags(in, &nflags);
	for (uint32_t i = 0; i < nflags; i++)
		if (kf_str_eq_cstr(flags[i].name, "from"))
			return false;
	for (;;) {
		if (src.len && src.ptr[0] == '/') {
			src.ptr++;
			src.len--;
		} else if (src.len >= 2 && src.ptr[0] == '.' && src.ptr[1] == '/') {
			src.ptr += 2;
			src.len -= 2;
		} else {
			break;
		}
	}
	while (src.len && src.ptr[src.len - 1] == '/')
		src.len--;
	return kf_str_eq_cstr(src, "registry");
}

#endif
