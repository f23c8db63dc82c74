/* SPDX-License-Identifier: Apache-2.0 */
/* test_model.c - the semantic model: the dialect found from a file's
 * idioms, apps and the words that name them, variable definitions and
 * uses with the definition in scope, the start section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syntax/ast.h"
#include "sema/model.h"

typedef struct modelled {
	kf_source src;
	kf_document *doc;
	kf_model *m;
} modelled;

static modelled *model_text(const char *text, kf_dialect d)
{
	modelled *x = calloc(1, sizeof *x);
	const char *err;
	assert_true(kf_source_init_mem(&x->src, "Kubefile", text, strlen(text), &err));
	x->doc = kf_parse(&x->src);
	x->m = kf_model_build(x->doc, d);
	return x;
}

static void modelled_free(modelled *x)
{
	kf_model_free(x->m);
	kf_document_free(x->doc);
	kf_source_release(&x->src);
	free(x);
}

static void assert_str(kf_str s, const char *want)
{
	char *got = strndup(s.ptr, s.len);
	assert_string_equal(got, want);
	free(got);
}

static void test_dialects(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		kf_dialect want;
	} cases[] = {
		{"FROM scratch\nAPP a local://a\nLAUNCH a\n", KF_DIALECT_SEALER},
		{"FROM scratch\nCOPY charts charts\nCMD [\"helm install a charts/a\"]\n", KF_DIALECT_SEALOS},
		{"FROM scratch\nCMD helm install $(NAME)\n", KF_DIALECT_SEALOS},
		{"FROM scratch\nLABEL sealos.io.type=\"application\"\n", KF_DIALECT_SEALOS},
		{"FROM scratch\nCOPY x.yaml manifests\nCMD kubectl apply -f manifests\n", KF_DIALECT_SEALER_LEGACY},
		{"FROM scratch\nCOPY x.yaml /etc/\n", KF_DIALECT_SEALER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		modelled *x = model_text(cases[i].text, KF_DIALECT_AUTO);
		assert_int_equal(x->m->dialect, cases[i].want);
		assert_true(x->m->dialect_detected);
		modelled_free(x);
	}
	modelled *x = model_text("FROM scratch\nCMD [\"a\"]\n", KF_DIALECT_SEALER);
	assert_int_equal(x->m->dialect, KF_DIALECT_SEALER);
	assert_false(x->m->dialect_detected);
	modelled_free(x);
}

static void test_apps(void **state)
{
	(void)state;
	modelled *x = model_text("FROM scratch\n"
				 "APPCMDS early [\"x\"]\n"
				 "APP web local://web\n"
				 "CNI calico local://calico\n"
				 "APP web local://more\n"
				 "APPCMDS web [\"kubectl\", \"apply\"]\n"
				 "APPENV calico K=v\n"
				 "LAUNCH web ghost\n",
				 KF_DIALECT_AUTO);
	kf_model *m = x->m;
	assert_int_equal(m->napps, 2);
	assert_str(m->apps[0].name, "web");
	assert_int_equal(m->apps[0].ndecls, 2);
	assert_ptr_not_equal(m->apps[0].decl, m->apps[0].last);
	assert_non_null(m->apps[0].appcmds);
	assert_true(m->apps[0].launched);
	assert_str(m->apps[1].name, "calico");
	assert_false(m->apps[1].launched);
	assert_ptr_equal(kf_model_app(m, kf_str_cstr("calico")), &m->apps[1]);
	assert_null(kf_model_app(m, kf_str_cstr("ghost")));
	/* the names: APPCMDS before the APP is not declared before it */
	assert_int_equal(m->nrefs, 5);
	assert_str(m->refs[0].word->text, "early");
	assert_null(m->refs[0].app);
	assert_ptr_equal(m->refs[1].app, &m->apps[0]);
	assert_ptr_equal(m->refs[2].app, &m->apps[1]);
	assert_str(m->refs[4].word->text, "ghost");
	assert_null(m->refs[4].app);
	assert_non_null(m->launch);
	modelled_free(x);
}

/* many apps (the index grows), each found by its name; none without apps */
static void test_app_lookup(void **state)
{
	(void)state;
	char *text = malloc(300 * 40 + 64);
	size_t n = (size_t)sprintf(text, "FROM scratch\n");
	for (int i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "APP app%d local://a%d\n", i, i);
	modelled *x = model_text(text, KF_DIALECT_AUTO);
	kf_model *m = x->m;
	assert_int_equal(m->napps, 300);
	char name[16];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "app%d", i);
		assert_ptr_equal(kf_model_app(m, kf_str_cstr(name)), &m->apps[i]);
	}
	assert_null(kf_model_app(m, kf_str_cstr("app300")));
	modelled_free(x);
	free(text);
	x = model_text("FROM scratch\n", KF_DIALECT_AUTO);
	assert_null(kf_model_app(x->m, kf_str_cstr("web")));
	modelled_free(x);
}

static void test_vars(void **state)
{
	(void)state;
	modelled *x = model_text("ARG V=1\n"
				 "FROM scratch\n"
				 "ARG V\n"
				 "ENV E=${V}\n"
				 "COPY a /x/$E/${TARGETARCH}/$UNDEF\n"
				 "ARG UNUSED=2\n",
				 KF_DIALECT_AUTO);
	kf_model *m = x->m;
	assert_int_equal(m->ndefs, 4);
	assert_true(m->defs[0].is_arg && m->defs[0].has_value);
	assert_false(m->defs[1].has_value);
	assert_false(m->defs[2].is_arg);
	assert_false(m->defs[3].used);
	assert_int_equal(m->nuses, 4);
	assert_str(m->uses[0].name, "V");
	assert_ptr_equal(m->uses[0].def, &m->defs[1]);
	assert_str(m->uses[1].name, "E");
	assert_ptr_equal(m->uses[1].def, &m->defs[2]);
	assert_true(m->uses[2].builtin);
	assert_null(m->uses[2].def);
	assert_str(m->uses[3].name, "UNDEF");
	assert_null(m->uses[3].def);
	assert_false(m->uses[3].builtin);
	assert_true(m->defs[1].used);
	modelled_free(x);
}

static void test_start(void **state)
{
	(void)state;
	modelled *x = model_text("FROM a:1\nFROM b:2\nCMDS [\"x\"]\nCMD [\"y\"]\nCMD [\"z\"]\n", KF_DIALECT_SEALER);
	kf_model *m = x->m;
	assert_int_equal(m->nfrom, 2);
	assert_ptr_equal(m->from, x->doc->instrs[0]);
	assert_ptr_equal(m->cmds, x->doc->instrs[2]);
	assert_int_equal(m->ncmd, 2);
	assert_null(m->launch);
	modelled_free(x);
}

/* the $(…) that sealos reads as a variable, in order, as "start-end," */
static const char *sealos_refs(const char *text, char *out, size_t size)
{
	kf_str t = kf_str_make(text, strlen(text));
	size_t pos = 0, s, e, n = 0;
	out[0] = '\0';
	while (kf_sealos_ref_next(t, &pos, &s, &e))
		n += (size_t)snprintf(out + n, size - n, "%zu-%zu,", s, e);
	return out;
}

static void test_sealos_reading(void **state)
{
	(void)state;
	char b[128];
	assert_string_equal(sealos_refs("helm -n $(NS) $(HELM_OPTS)", b, sizeof b), "8-13,14-26,");
	/* $$ is a literal $: $$(X) is the text $(X); $$$(X) a $ then $(X) */
	assert_string_equal(sealos_refs("$$(X) $$$(Y)", b, sizeof b), "8-12,");
	/* not names: a command, an empty one, a digit first */
	assert_string_equal(sealos_refs("$(kubectl get ns) $() $(1X) $(a-b)", b, sizeof b), "");
	/* $(…) runs to the first ), ${…} to the first }: nothing inside them */
	assert_string_equal(sealos_refs("$(echo $(X)) ${A:-$(B)} $(C)", b, sizeof b), "24-28,");
	/* not closed: no variable; a ) later closes the first $( */
	assert_string_equal(sealos_refs("$(A) $(B", b, sizeof b), "0-4,");
	assert_string_equal(sealos_refs("$( $(X)", b, sizeof b), "");
	/* $NAME is read whole; $ and another byte are skipped together */
	assert_string_equal(sealos_refs("$A$(B) $'$(C) '$(d)'", b, sizeof b), "2-6,9-13,15-19,");
	size_t pos = 0, s, e;
	kf_str t = kf_str_make("a$$b$(C)", 8);
	assert_int_equal(kf_sealos_next(t, &pos, &s, &e), KF_SEALOS_DOLLAR);
	assert_int_equal(s, 1);
	assert_int_equal(e, 3);
	assert_int_equal(kf_sealos_next(t, &pos, &s, &e), KF_SEALOS_REF);
	assert_int_equal(s, 4);
	assert_int_equal(kf_sealos_next(t, &pos, &s, &e), KF_SEALOS_NONE);
}

/* $(NAME) uses of CMD and ENTRYPOINT in the sealos dialect, at their
 * place in the file (a JSON string's escapes decoded) */
static void test_sealos_uses(void **state)
{
	(void)state;
	modelled *x = model_text("FROM scratch\nARG A=1\nENV date=now\n"
				 "CMD [\"x \\\"\\u00e9\" $(A) $(date) $(hostname) $(B)\"]\n"
				 "ENTRYPOINT echo $(A)\nENV A=2\nRUN echo $(A)\n",
				 KF_DIALECT_SEALOS);
	kf_model *m = x->m;
	const char *src = x->src.text;
	assert_int_equal(m->nuses, 4); /* $(hostname) is the shell's */
	const char *want[] = {"$(A)", "$(date)", "$(B)", "$(A)"};
	for (int i = 0; i < 4; i++) {
		assert_true(m->uses[i].sealos);
		assert_int_equal(m->uses[i].span.end - m->uses[i].span.start, strlen(want[i]));
		assert_memory_equal(src + m->uses[i].span.start, want[i], strlen(want[i]));
	}
	/* the image's Env holds the last ENV A, which comes after the CMD */
	assert_ptr_equal(m->uses[0].def, &m->defs[2]);
	assert_ptr_equal(m->uses[1].def, &m->defs[1]);
	assert_null(m->uses[2].def);
	assert_false(m->defs[0].used); /* the ARG: sealos run does not see it */
	modelled_free(x);
	/* sealer: $(A) is the shell's */
	x = model_text("FROM scratch\nENV A=1\nCMD [\"echo $(A)\"]\n", KF_DIALECT_SEALER);
	assert_int_equal(x->m->nuses, 0);
	modelled_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialects),
		cmocka_unit_test(test_apps),
		cmocka_unit_test(test_app_lookup),
		cmocka_unit_test(test_vars),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_sealos_reading),
		cmocka_unit_test(test_sealos_uses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
