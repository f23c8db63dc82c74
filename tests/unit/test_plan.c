/* SPDX-License-Identifier: Apache-2.0 */
/* test_plan.c - lowering: one function per instruction kind into typed
 * steps and sources; ARG binding (--build-arg, default, ENV wins); the
 * built-in variables; destinations under WORKDIR; located errors; the JSON
 * form kfc plan prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

#include "syntax/ast.h"
#include "sema/model.h"
#include "base/fsutil.h"
#include "build/plan.h"
#include "lint/lint.h"
#include "syntax/instrdoc.h"

static char ctx[] = "/tmp/kf-test-plan-XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", ctx, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	assert_true(kf_mkdirs(p, 0755));
	*slash = '/';
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

typedef struct lowered {
	kf_source src;
	kf_document *doc;
	kf_model *model;
	kf_diag_bag diags;
	kf_plan *plan;
} lowered;

static lowered *lower_text(const char *text, const char *const *args, size_t nargs, const char *platform)
{
	lowered *l = calloc(1, sizeof *l);
	const char *err;
	assert_true(kf_source_init_mem(&l->src, "Kubefile", text, strlen(text), &err));
	l->doc = kf_parse(&l->src);
	l->model = kf_model_build(l->doc, KF_DIALECT_AUTO);
	kf_diag_bag_init(&l->diags, &l->doc->arena);
	kf_plan_input in = {.doc = l->doc, .model = l->model, .context = ctx, .build_args = args, .nbuild_args = nargs};
	assert_true(kf_platform_parse(platform, &in.platform));
	l->plan = kf_plan_lower(&in, &l->diags);
	return l;
}

static void lowered_free(lowered *l)
{
	kf_plan_free(l->plan);
	kf_diag_bag_release(&l->diags);
	kf_model_free(l->model);
	kf_document_free(l->doc);
	kf_source_release(&l->src);
	free(l);
}

/* the value of NAME in a step's environment */
static const char *env_of(const kf_plan_step *st, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < st->nenv; i++)
		if (strncmp(st->env[i], name, n) == 0 && st->env[i][n] == '=')
			return st->env[i] + n + 1;
	return NULL;
}

/* the first diagnostic, rendered "line:col: message" */
static char *first_diag(const lowered *l)
{
	assert_true(l->diags.len > 0);
	const kf_diag *d = &l->diags.items[0];
	kf_position p = kf_source_position(&l->src, d->span.start);
	char *s;
	assert_true(asprintf(&s, "%u:%u: %s", p.line + 1, p.col8 + 1, d->message) > 0);
	return s;
}

static void test_kinds_and_sources(void **state)
{
	(void)state;
	lowered *l = lower_text("FROM scratch\n"
				"COPY a.yaml b.yaml manifests/\n"
				"ADD files.tar /opt/\n"
				"COPY <<EOF etc/motd\nhello\nEOF\n"
				"APP web local://charts/web\n"
				"IMAGES nginx:1.25\n"
				"RUN echo hi\n"
				"LABEL a=b\n",
				NULL, 0, "linux/amd64");
	assert_non_null(l->plan);
	assert_int_equal(l->plan->nsteps, 7);
	const kf_plan_step *s = l->plan->steps;
	assert_int_equal(s[0].kind, KF_STEP_FILES);
	assert_int_equal(s[0].nsources, 2);
	assert_int_equal(s[0].sources[0].type, KF_SRC_FILE);
	assert_string_equal(s[0].sources[0].path, "a.yaml");
	assert_string_equal(s[0].sources[1].dest, "manifests/b.yaml");
	assert_int_equal(s[1].sources[0].type, KF_SRC_ARCHIVE);
	assert_string_equal(s[1].sources[0].dest, "opt");
	assert_int_equal(s[2].sources[0].type, KF_SRC_DATA);
	assert_string_equal(s[2].sources[0].data, "hello\n");
	assert_string_equal(s[2].sources[0].dest, "etc/motd");
	assert_string_equal(s[3].app, "web");
	assert_int_equal(s[3].sources[0].type, KF_SRC_DIR);
	assert_string_equal(s[3].sources[0].dest, "application/apps/web");
	assert_int_equal(s[4].sources[0].type, KF_SRC_APPEND);
	assert_string_equal(s[4].sources[0].data, "nginx:1.25\n");
	assert_int_equal(s[5].kind, KF_STEP_RUN);
	assert_int_equal(s[5].nargv, 3);
	assert_string_equal(s[5].argv[2], "echo hi");
	assert_int_equal(s[6].kind, KF_STEP_CONFIG);
	assert_int_equal(s[6].line, 10);
	assert_string_equal(s[6].created_by, "LABEL a=b");
	lowered_free(l);
}

static void test_args(void **state)
{
	(void)state;
	const char *args[] = {"GIVEN=cli", "UNUSED=x"};
	lowered *l = lower_text("ARG GIVEN=default\n"
				"FROM scratch\n"
				"ARG DEF=d1\n"
				"ENV WINS=env\n"
				"ARG WINS=arg\n"
				"RUN true\n",
				args, 2, "linux/amd64");
	assert_non_null(l->plan);
	const kf_plan_step *run = &l->plan->steps[4];
	assert_string_equal(env_of(run, "GIVEN"), "cli");
	assert_string_equal(env_of(run, "DEF"), "d1");
	assert_string_equal(env_of(run, "WINS"), "env");
	/* the unused build argument is a warning */
	char *d = first_diag(l);
	assert_string_equal(d, "1:1: build argument 'UNUSED' is not declared by an ARG: it was not used");
	free(d);
	lowered_free(l);
}

static void test_builtins(void **state)
{
	(void)state;
	lowered *l = lower_text("FROM scratch\n"
				"RUN echo ${TARGETPLATFORM} ${BUILDVARIANT} ${ARCH}\n"
				"COPY a.yaml /x/${TARGETARCH}/${TARGETVARIANT}/\n",
				NULL, 0, "linux/arm64/v8");
	assert_non_null(l->plan);
	const kf_plan_step *run = &l->plan->steps[0];
	assert_string_equal(env_of(run, "TARGETPLATFORM"), "linux/arm64/v8");
	assert_string_equal(env_of(run, "ARCH"), "arm64");
	assert_string_equal(l->plan->steps[1].sources[0].dest, "x/arm64/v8/a.yaml");
	lowered_free(l);
	char buf[64];
	kf_platform p;
	assert_true(kf_platform_parse("linux/arm64/v8", &p));
	assert_string_equal(kf_builtin_value(kf_str_cstr("BUILDVARIANT"), &p, buf, sizeof buf), "v8");
	assert_null(kf_builtin_value(kf_str_cstr("HOSTNAME"), &p, buf, sizeof buf));
	assert_true(kf_builtin_var(kf_str_cstr("BUILDOS")));
}

static void test_workdir_and_config(void **state)
{
	(void)state;
	lowered *l = lower_text("FROM scratch\n"
				"WORKDIR /srv/app\n"
				"COPY a.yaml ../conf/\n"
				"USER 1000\n"
				"EXPOSE 80 53/udp\n"
				"ENV K=v\n"
				"ENTRYPOINT run.sh --now\n",
				NULL, 0, "linux/amd64");
	assert_non_null(l->plan);
	assert_string_equal(l->plan->steps[1].sources[0].dest, "srv/conf/a.yaml");
	json_t *c = l->plan->config;
	assert_string_equal(json_string_value(json_object_get(c, "WorkingDir")), "/srv/app");
	assert_string_equal(json_string_value(json_object_get(c, "User")), "1000");
	assert_non_null(json_object_get(json_object_get(c, "ExposedPorts"), "80/tcp"));
	assert_non_null(json_object_get(json_object_get(c, "ExposedPorts"), "53/udp"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "Env"), 0)), "K=v");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "Entrypoint"), 2)), "run.sh --now");
	assert_string_equal(json_string_value(json_object_get(json_object_get(l->plan->extension, "env"), "K")), "v");
	lowered_free(l);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"FROM scratch\nCOPY --from=b a.yaml /x\n",
		 "2:6: COPY --from needs a multi-stage build, which kfc build does not support"},
		{"FROM scratch\nFROM scratch\n", "2:1: a second FROM starts a multi-stage build, which kfc build does not support"},
		{"FROM scratch\nCOPY /etc/passwd /x\n",
		 "2:6: source '/etc/passwd' is an absolute path: a build reads only its context, write it relative to the context"},
		{"FROM scratch\nCOPY ../x /x\n", "2:6: source '../x' is outside the build context: sources must be paths inside it"},
		{"FROM scratch\nCOPY http://h/x /x\n", "2:6: COPY does not fetch URLs: use ADD for 'http://h/x'"},
		{"FROM scratch\nCOPY --chmod=9 a.yaml /x\n", "2:6: --chmod=9 is not an octal mode (such as 0644 or 755)"},
		{"FROM scratch\nRUN --network=lan true\n", "2:5: --network=lan: none, default or host"},
		{"FROM scratch\nLAUNCH ghost\n", "2:8: app 'ghost' is not declared, here or in the base image"},
		{"FROM scratch\nCOPY a.yaml b.yaml /x\n",
		 "2:20: with more than one source the destination must be a directory and end with '/': write '/x/'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		lowered *l = lower_text(cases[i].text, NULL, 0, "linux/amd64");
		assert_null(l->plan);
		char *d = first_diag(l);
		assert_string_equal(d, cases[i].want);
		free(d);
		lowered_free(l);
	}
}

static void test_json(void **state)
{
	(void)state;
	lowered *l = lower_text("FROM scratch\nCOPY --chown=1:2 --chmod=640 a.yaml /m/\nRUN --network=none true\n",
				NULL, 0, "linux/amd64");
	assert_non_null(l->plan);
	json_t *j = kf_plan_step_to_json(&l->plan->steps[0], true);
	char *t = json_dumps(j, JSON_COMPACT);
	assert_string_equal(t, "{\"index\":1,\"line\":2,\"instruction\":\"COPY\",\"created_by\":\"COPY --chown=1:2 "
			       "--chmod=640 a.yaml /m/\",\"kind\":\"files\",\"owner\":\"1:2\",\"mode\":416,"
			       "\"sources\":[{\"type\":\"file\",\"path\":\"a.yaml\",\"dest\":\"m/a.yaml\"}]}");
	free(t);
	json_decref(j);
	j = kf_plan_step_to_json(&l->plan->steps[1], false);
	assert_null(json_object_get(j, "index"));
	assert_string_equal(json_string_value(json_object_get(j, "network")), "none");
	json_decref(j);
	j = kf_plan_to_json(l->plan);
	const char *keys[] = {"context", "platform", "args", "steps", "config", "extension"};
	size_t k = 0;
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v) assert_string_equal(key, keys[k++]);
	json_decref(j);
	lowered_free(l);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(ctx))
		return -1;
	put("a.yaml", "kind: Namespace\n");
	put("b.yaml", "kind: Namespace\n");
	put("charts/web/Chart.yaml", "name: web\n");
	/* a tar of one file */
	char p[512];
	snprintf(p, sizeof p, "%s/files.tar", ctx);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, p) != ARCHIVE_OK)
		return -1;
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "x");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 2);
	archive_write_header(a, e);
	archive_write_data(a, "x\n", 2);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return 0;
}


/* Every flag kfc build refuses (the table of syntax/instrdoc.h): lowering
 * stops at it with the table's code, and kflint reports KF224 at the very
 * same span, so lint and build cannot disagree. */
static void test_refused_flags_lint_agrees(void **state)
{
	(void)state;
	size_t n;
	const kf_flag_refusal *r = kf_flag_refusals(&n);
	assert_true(n >= 7);
	for (size_t i = 0; i < n; i++) {
		char text[256];
		if (r[i].kind == KF_INSTR_RUN)
			snprintf(text, sizeof text, "FROM scratch\nLABEL sealos.io.type=application\nRUN --%s=x true\n", r[i].name);
		else
			snprintf(text, sizeof text, "FROM scratch\nLABEL sealos.io.type=application\n%s --%s=x a.txt /x/\n",
				 kf_kind_name(r[i].kind), r[i].name);
		lowered *l = lower_text(text, NULL, 0, "linux/amd64");
		assert_null(l->plan);
		const kf_diag *built = NULL;
		for (size_t k = 0; k < l->diags.len; k++)
			if (strcmp(l->diags.items[k].code, r[i].code) == 0)
				built = &l->diags.items[k];
		assert_non_null(built);
		kf_diag_bag lint;
		kf_diag_bag_init(&lint, &l->doc->arena);
		kf_lint_options lo = {.dialect = KF_DIALECT_AUTO, .context_dir = ctx};
		kf_lint(l->doc, &lo, &lint);
		const kf_diag *linted = NULL;
		for (size_t k = 0; k < lint.len; k++)
			if (strcmp(lint.items[k].code, "KF224") == 0)
				linted = &lint.items[k];
		assert_non_null(linted);
		assert_int_equal(linted->severity, KF_SEV_ERROR);
		assert_int_equal(linted->span.start, built->span.start);
		assert_int_equal(linted->span.end, built->span.end);
		kf_diag_bag_release(&lint);
		lowered_free(l);
	}
}

static int teardown(void **state)
{
	(void)state;
	kf_remove_tree(ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_and_sources), cmocka_unit_test(test_args),
		cmocka_unit_test(test_builtins),          cmocka_unit_test(test_workdir_and_config),
		cmocka_unit_test(test_errors),            cmocka_unit_test(test_json),
		cmocka_unit_test(test_refused_flags_lint_agrees),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
