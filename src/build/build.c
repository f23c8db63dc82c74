/* SPDX-License-Identifier: Apache-2.0 */
/* build.c - the builder: the whole build and its base image. See build.h,
 * builder.h and docs/build.md. */
#include "build/builder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/files.h"
#include "base/ignore.h"
#include "base/imageref.h"
#include "oci/oci.h"
#include "registry/client.h"
#include "base/proc.h"
#include "base/vec.h"
#include "build/rcache.h"

/* A message of no file, to the front end. */
void kf_report_say(const kf_build_report *report, kf_severity sev, const char *code, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (report && report->message)
		report->message(report->ud, sev, code, msg);
}

void kf_builder_say(builder *b, kf_severity sev, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_report_say(b->report, sev, code, fmt, ap);
	va_end(ap);
}

/* An error at in, or of no file. */
static void verror(builder *b, const kf_instr *in, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void verror(builder *b, const kf_instr *in, const char *code, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (in) {
		kf_diag_add(b->diags, KF_SEV_ERROR, in->span, code, "%s", msg);
	} else {
		kf_builder_say(b, KF_SEV_ERROR, code, "%s", msg);
		b->diags->nerrors++;
	}
}

void kf_builder_error(builder *b, const kf_plan_step *step, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(b, step ? kf_plan_step_instr(b->doc, step) : NULL, code, fmt, ap);
	va_end(ap);
}

double kf_builder_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A step's progress, to the front end. */
void kf_builder_progress(builder *b, size_t i, size_t n, const kf_plan_step *step, kf_build_step_state state,
		     const kf_layer_result *res, double secs)
{
	if (state == KF_BUILD_STEP_STARTED) {
		b->counters = (kf_build_progress_event){.index = i, .count = n};
		b->counters_at = 0;
	}
	if (!b->report || !b->report->step)
		return;
	kf_build_step_event e = {i, n, step->created_by, state, 0, 0, 0, secs};
	if (res) {
		e.size = res->size;
		e.tar_size = res->tar_size;
		e.entries = res->nentries;
	}
	b->report->step(b->report->ud, &e);
}

void kf_builder_counters(builder *b)
{
	if (!b->report || !b->report->progress)
		return;
	double now = kf_builder_now();
	if (now - b->counters_at < 0.05)
		return;
	b->counters_at = now;
	b->report->progress(b->report->ud, &b->counters);
}

/* A layer being written: its counters */
static void layer_progress(void *ud, uint64_t entries, uint64_t tar_bytes, uint64_t blob_bytes)
{
	builder *b = ud;
	b->counters.entries = entries;
	b->counters.bytes = tar_bytes;
	b->counters.blob = blob_bytes;
	kf_builder_counters(b);
}

/* An error about the base image, at the FROM line. */
static void from_error(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void from_error(builder *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(b, b->from, "KF601", fmt, ap);
	va_end(ap);
}

static void pull_progress(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished)
{
	const builder *b = ud;
	if (b->report && b->report->blob)
		b->report->blob(b->report->ud, digest, done, total, finished);
}

/* Pulls the store name r for the build's platform and tags it; the error
 * is the FROM line's. */
static bool pull_base(builder *b, const char *r, const kf_platform *plat, kf_image *img)
{
	kf_err e;
	char *tmp = kf_store_mktemp(&b->store, &e);
	kf_registry_options ro = {.tls_verify = !b->o->tls_verify_off, .stall_timeout = b->o->stall_timeout,
				  .interrupted = b->o->interrupted, .tmpdir = tmp, .registries = b->o->registries,
				  .progress = pull_progress, .ud = b};
	kf_platform_want want = {plat->os, plat->arch, plat->variant};
	kf_pull_result res;
	bool ok = tmp && kf_registry_pull(b->store.dir, r, &want, &ro, &res, &e);
	kf_store_rmtemp(tmp);
	if (ok) {
		json_t *desc = kf_json_descriptor(res.media_type, res.digest, res.size);
		ok = kf_store_tag(&b->store, &r, 1, desc, &e);
		json_decref(desc);
	}
	if (ok)
		ok = kf_image_load(b->store.dir, r, img, &e);
	if (!ok) {
		char *familiar = kf_imageref_familiar(r);
		from_error(b, "base image '%s' is not in the local store, and pulling it failed: %s", familiar, e.msg);
		free(familiar);
	}
	return ok;
}

static bool load_base(builder *b, const char *ref, const kf_platform *plat, kf_image *img)
{
	kf_err e;
	if (strncmp(ref, "oci:", 4) == 0) {
		char *dir = strdup(ref + 4);
		char *tag = NULL;
		char *colon = strrchr(dir, ':');
		if (colon && !strchr(colon, '/')) {
			*colon = '\0';
			tag = colon + 1;
		}
		bool ok = kf_image_load(dir, tag, img, &e);
		if (ok) {
			/* its blobs into the store, where the build reads them */
			json_t *d = kf_json_descriptor(KF_MT_MANIFEST, img->digest, img->size);
			ok = kf_oci_copy_image(dir, b->store.dir, d, true, &e);
			json_decref(d);
			if (!ok)
				kf_image_release(img);
		}
		free(dir);
		if (!ok)
			from_error(b, "base image %s: %s", ref, e.msg);
		return ok;
	}
	char *r = kf_store_name(ref, &e);
	if (!r) {
		from_error(b, "base image %s", e.msg);
		return false;
	}
	kf_platform_want want = {plat->os, plat->arch, plat->variant};
	bool ok = b->o->pull != KF_PULL_ALWAYS && kf_image_load_for(b->store.dir, r, &want, img, &e);
	if (!ok && b->o->pull != KF_PULL_NEVER) {
		ok = pull_base(b, r, plat, img);
	} else if (!ok) {
		char *familiar = kf_imageref_familiar(r);
		from_error(b, "base image '%s' is not in the local store (%s) and --pull=never; build it with -t %s, "
			      "pull it, or name a layout with FROM oci:DIR:TAG",
			   familiar, b->store.dir, familiar);
		free(familiar);
	}
	free(r);
	return ok;
}

/* ---- the whole build ------------------------------------------------------------------- */

/* The platform: --platform, else FROM --platform=P, else the host's. */
static bool build_platform(builder *b, const kf_model *model, kf_platform *plat)
{
	const kf_build_options *o = b->o;
	char *from_platform = NULL;
	if (!o->platform && model->from) {
		uint32_t nf;
		const kf_flag *fl = kf_instr_flags(model->from, &nf);
		for (uint32_t i = 0; i < nf; i++)
			if (kf_str_eq_cstr(fl[i].name, "platform") && fl[i].value.len &&
			    !memchr(fl[i].value.ptr, '$', fl[i].value.len))
				from_platform = strndup(fl[i].value.ptr, fl[i].value.len);
	}
	bool ok = kf_platform_parse(o->platform ? o->platform : from_platform, plat);
	free(from_platform);
	if (!ok)
		kf_builder_say(b, KF_SEV_ERROR, "KF614", "platform '%s': expected OS/ARCH[/VARIANT], such as linux/amd64",
		    o->platform ? o->platform : "FROM --platform");
	return ok;
}

/* What the base image brings to the plan. */
static void use_base(builder *b, const kf_image *base, kf_plan_input *pin)
{
	const char *ext =
		json_string_value(json_object_get(json_object_get(base->manifest, "annotations"), KF_ANN_EXTENSION));
	b->base_ext = ext ? json_loads(ext, 0, NULL) : NULL;
	pin->base_apps = json_object_get(b->base_ext, "applications");
	pin->base_env = json_object_get(b->base_ext, "env");
	pin->base_config = json_object_get(base->config, "config");
	const char *barch = json_string_value(json_object_get(base->config, "architecture"));
	if (barch && strcmp(barch, pin->platform.arch) != 0)
		kf_builder_say(b, KF_SEV_WARNING, "KF611", "the base image is for %s, the build for %s", barch, pin->platform.arch);
}

/* --label and --env: K=V over the config's */
static void command_line_config(builder *b)
{
	const kf_build_options *o = b->o;
	json_t *labels = json_object_get(b->plan->config, "Labels");
	for (size_t i = 0; i < o->nlabels; i++) {
		const char *eq = strchr(o->labels[i], '=');
		char *k = strndup(o->labels[i], eq ? (size_t)(eq - o->labels[i]) : strlen(o->labels[i]));
		json_object_set_new(labels, k, json_string(eq ? eq + 1 : ""));
		free(k);
	}
	json_t *env = json_object_get(b->plan->config, "Env");
	if (o->nenvs && !env) {
		env = json_array();
		json_object_set_new(b->plan->config, "Env", env);
	}
	for (size_t i = 0; i < o->nenvs; i++) {
		size_t kl = strcspn(o->envs[i], "=");
		size_t k;
		json_t *v;
		bool replaced = false;
		json_array_foreach(env, k, v) {
			const char *s = json_string_value(v);
			if (s && strncmp(s, o->envs[i], kl) == 0 && s[kl] == '=') {
				json_array_set_new(env, k, json_string(o->envs[i]));
				replaced = true;
				break;
			}
		}
		if (!replaced)
			json_array_append_new(env, json_string(o->envs[i]));
	}
}

/* The cluster descriptor from the command line wins over LABEL. */
static void descriptor_labels(builder *b)
{
	const kf_build_options *o = b->o;
	command_line_config(b);
	json_t *labels = json_object_get(b->plan->config, "Labels");
	const char *keys[] = {"cluster-runtime-type", "cluster-runtime-version", "container-runtime-type",
			      "container-runtime-version"};
	const char *vals[] = {o->cluster_runtime, o->cluster_runtime_version, o->cri, o->cri_version};
	for (int i = 0; i < 4; i++)
		if (vals[i]) {
			char k[128];
			snprintf(k, sizeof k, "cluster.alpha.sealer.io/%s", keys[i]);
			json_object_set_new(labels, k, json_string(vals[i]));
		}
}

/* The private directory, the times, the layer options, the sandbox. */
static int prepare(builder *b)
{
	const kf_build_options *o = b->o;
	kf_err e;
	b->tmp = kf_store_mktemp(&b->store, &e);
	if (!b->tmp) {
		kf_builder_say(b, KF_SEV_ERROR, "KF617", "%s", e.msg);
		return 1;
	}
	b->blobtmp = b->tmp;
	b->now = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	b->lopt = (kf_layer_options){o->compression, o->level, o->threads, -1, b->now, o->interrupted, layer_progress, b};
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (*end || v < 0) {
			kf_builder_say(b, KF_SEV_ERROR, "KF615", "SOURCE_DATE_EPOCH=%s is not a number of seconds", sde);
			return 2;
		}
		b->lopt.epoch = v;
	}
	time_t ct = b->lopt.epoch >= 0 ? (time_t)b->lopt.epoch : (time_t)b->now;
	struct tm tm;
	gmtime_r(&ct, &tm);
	strftime(b->created, sizeof b->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o->isolation != KF_ISOLATION_NONE) {
		b->bwrap = kf_proc_which("bwrap");
		if (!b->bwrap && o->isolation == KF_ISOLATION_BWRAP) {
			kf_builder_say(b, KF_SEV_ERROR, "KF616", "--isolation=bwrap: bwrap (bubblewrap) is not installed");
			return 2;
		}
	}
	if (!b->bwrap && o->isolation == KF_ISOLATION_AUTO)
		for (size_t i = 0; i < b->plan->nsteps; i++)
			if (b->plan->steps[i].kind == KF_STEP_RUN) {
				kf_builder_say(b, KF_SEV_WARNING, "KF612", "RUN runs without a sandbox, with all of this user's rights: "
						       "bubblewrap (bwrap) is not installed");
				break;
			}
	return 0;
}

/* The image so far: the base's layers, diff_ids and history, and the
 * first cache key. */
static void start_image(builder *b, const kf_image *base)
{
	const kf_build_options *o = b->o;
	const kf_platform *plat = &b->plan->platform;
	b->apps = json_object();
	b->layers = base ? json_deep_copy(json_object_get(base->manifest, "layers")) : NULL;
	b->diff_ids = base ? json_deep_copy(json_object_get(json_object_get(base->config, "rootfs"), "diff_ids")) : NULL;
	b->history = base && json_is_array(json_object_get(base->config, "history"))
			     ? json_deep_copy(json_object_get(base->config, "history"))
			     : NULL;
	if (!b->layers)
		b->layers = json_array();
	if (!b->diff_ids)
		b->diff_ids = json_array();
	if (!b->history)
		b->history = json_array();
	kf_sha256 h;
	kf_sha256_init(&h);
	char head[512];
	int n = snprintf(head, sizeof head, "kfc-build-v1\n%s\n%s/%s/%s\n%s:%d\n%lld\n", base ? base->digest : "scratch",
			 plat->os, plat->arch, plat->variant, kf_compression_name(o->compression), o->level,
			 (long long)b->lopt.epoch);
	kf_sha256_update(&h, head, (size_t)n);
	kf_sha256_final(&h, b->key);
}

/* Tags the image in the store and writes the outputs. */
static int publish(builder *b, const json_t *desc)
{
	const kf_build_options *o = b->o;
	int status = 0;
	kf_err e;
	if (o->ntags && !KF_BUILDER_INTERRUPTED(b)) {
		if (!kf_store_tag_refs(&b->store, o->tags, o->ntags, desc, &e)) {
			kf_builder_say(b, KF_SEV_ERROR, "KF617", "store: %s", e.msg);
			status = 1;
		}
	}
	for (size_t i = 0; status == 0 && i < o->noutputs && !KF_BUILDER_INTERRUPTED(b); i++)
		if (!kf_builder_write_output(b, o->outputs[i], desc))
			status = 1;
	return status;
}

/* The steps, the image, its tags and outputs. */
static int execute(builder *b, const kf_image *base, kf_build_result *result)
{
	int status = prepare(b);
	if (status)
		return status;
	start_image(b, base);
	size_t nsteps = b->plan->nsteps;
	double t0 = kf_builder_now();
	for (size_t i = 0; i < nsteps && status == 0; i++)
		if (!kf_builder_step(b, i, nsteps, &b->plan->steps[i]) || KF_BUILDER_INTERRUPTED(b))
			status = KF_BUILDER_INTERRUPTED(b) ? 130 : 1;
	json_t *desc = NULL;
	json_t *images = status == 0 ? kf_builder_container_images(b) : NULL;
	if (status == 0 && b->o->build_mode == KF_BUILD_MODE_ALL && !kf_builder_cache_images(b, images))
		status = KF_BUILDER_INTERRUPTED(b) ? 130 : 1;
	if (status == 0 && !KF_BUILDER_INTERRUPTED(b) && !kf_builder_write_image(b, images, &desc))
		status = 1;
	json_decref(images);
	if (status == 0)
		status = publish(b, desc);
	if (status == 0 && !b->o->rcache && !KF_BUILDER_INTERRUPTED(b))
		kf_builder_export_cache(b->rcache, b->store.dir, b->o, b->report);
	if (KF_BUILDER_INTERRUPTED(b))
		status = 130;
	if (status == 0) {
		snprintf(result->digest, sizeof result->digest, "%s", json_string_value(json_object_get(desc, "digest")));
		snprintf(result->config_digest, sizeof result->config_digest, "%s", b->config_digest);
		result->secs = kf_builder_now() - t0;
	}
	json_decref(desc);
	return status;
}

/* The path of an output (oci:DIR[:TAG], oci-archive:FILE[:TAG]) relative
 * to the context when it is inside it; malloc'd, or NULL. */
static char *output_in_context(const char *context, const char *out)
{
	const char *p = strncmp(out, "oci:", 4) == 0		  ? out + 4
			: strncmp(out, "oci-archive:", 12) == 0 ? out + 12
								  : NULL;
	if (!p || !*p)
		return NULL;
	char *path = strdup(p);
	char *colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/'))
		*colon = '\0';
	char *abs = NULL;
	if (path[0] == '/') {
		abs = strdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);
		abs = cwd ? kf_path_join(cwd, path) : NULL;
		free(cwd);
	}
	free(path);
	if (!abs)
		return NULL;
	/* the folder may not exist yet: resolve its parent */
	char *real = realpath(abs, NULL);
	if (!real) {
		char *slash = strrchr(abs, '/');
		*slash = '\0';
		char *parent = realpath(slash == abs ? "/" : abs, NULL);
		real = parent ? kf_path_join(parent, slash + 1) : NULL;
		free(parent);
	}
	free(abs);
	size_t n = strlen(context);
	char *rel = NULL;
	if (real && strncmp(real, context, n) == 0 && real[n] == '/' && real[n + 1])
		rel = kf_path_clean(real + n + 1, false);
	free(real);
	return rel;
}

/* The context's ignore file, and this build's outputs inside the context:
 * never copied into the image (docs/build.md, "Ignore files"). */
static bool load_ignore(builder *b, kf_plan_input *pin)
{
	const kf_build_options *o = b->o;
	kf_err e;
	if (!kf_ignore_load(o->context, &b->ignore, &e)) {
		kf_builder_error(b, NULL, "KF620", "%s", e.msg);
		return false;
	}
	for (size_t i = 0; i < o->noutputs + o->nlater_outputs; i++) {
		char *rel = output_in_context(o->context, i < o->noutputs ? o->outputs[i] : o->later_outputs[i - o->noutputs]);
		if (rel)
			kf_ignore_add_path(b->ignore, rel);
		free(rel);
	}
	/* and the folders of the shared cache, as the outputs */
	for (size_t i = 0; i <= o->ncache_from; i++) {
		const char *arg = i < o->ncache_from ? o->cache_from[i] : o->cache_to;
		kf_cache_spec spec;
		if (!arg || !kf_cache_spec_parse(arg, i == o->ncache_from, &spec, &e))
			continue;
		char *out = NULL;
		if (!spec.registry && asprintf(&out, "oci:%s", spec.where) < 0)
			abort();
		char *rel = out ? output_in_context(o->context, out) : NULL;
		if (rel)
			kf_ignore_add_path(b->ignore, rel);
		free(rel);
		free(out);
		kf_cache_spec_release(&spec);
	}
	pin->ignore = b->ignore;
	return true;
}

/* --cache-to: a cache that cannot be written is a warning */
void kf_builder_export_cache(struct kf_rcache *c, const char *store, const kf_build_options *o,
			     const kf_build_report *report)
{
	kf_err e;
	if (c && !kf_rcache_export(c, store, o->tags, o->ntags, &e)) {
		char msg[2048];
		snprintf(msg, sizeof msg, "--cache-to=%s: the cache was not written: %s", kf_rcache_export_name(c), e.msg);
		if (report && report->message)
			report->message(report->ud, KF_SEV_WARNING, "KF622", msg);
	}
}

static void builder_release(builder *b)
{
	if (!b->o->rcache)
		kf_rcache_free(b->rcache);
	kf_ignore_free(b->ignore);
	kf_store_rmtemp(b->tmp);
	free(b->rootfs);
	free(b->bwrap);
	kf_plan_free(b->plan);
	json_decref(b->layers);
	json_decref(b->diff_ids);
	json_decref(b->history);
	json_decref(b->apps);
	json_decref(b->base_ext);
	kf_image_set_free(b->ctx_images);
	kf_image_set_free(b->final_images);
	json_decref(b->ctx_archived);
	if (b->store.dir)
		kf_store_close(&b->store);
}

int kf_build(const kf_build_options *o, const kf_document *doc, const kf_model *model, kf_diag_bag *diags,
	     const kf_build_report *report, kf_build_result *result)
{
	builder B = {.o = o, .doc = doc, .diags = diags, .report = report};
	builder *b = &B;
	b->rcache = o->rcache ? o->rcache : o->plan_only ? NULL : kf_rcache_new(o);
	memset(result, 0, sizeof *result);
	kf_plan_input pin = {.doc = doc, .model = model, .context = o->context, .build_args = o->build_args,
			     .nbuild_args = o->nbuild_args, .image_type = o->image_type,
			     .context_registry = !o->no_save_image};
	if (!build_platform(b, model, &pin.platform))
		return 2;
	int status = 0;
	kf_image base = {0};
	bool have_base = false;
	kf_err e;
	char *base_ref = diags->nerrors ? NULL : kf_plan_base_ref(&pin, diags);
	bool from_scratch = base_ref && strcmp(base_ref, "scratch") == 0;
	if (diags->nerrors == 0 && (!o->plan_only || !from_scratch) && !kf_store_open(&b->store, false, &e)) {
		kf_builder_say(b, KF_SEV_ERROR, "KF617", "store: %s", e.msg);
		free(base_ref);
		return 1;
	}
	if (diags->nerrors == 0 && base_ref && !from_scratch) {
		b->from = model->from;
		have_base = load_base(b, base_ref, &pin.platform, &base);
		if (have_base)
			use_base(b, &base, &pin);
	}
	if (diags->nerrors == 0 && load_ignore(b, &pin))
		b->plan = kf_plan_lower(&pin, diags);
	if (diags->nerrors || !b->plan) {
		status = 1;
	} else if (o->plan_only) {
		descriptor_labels(b);
		result->plan = kf_plan_to_json(b->plan);
		json_object_set_new(result->plan, "base",
				    have_base ? json_pack("{s:s,s:s}", "ref", base_ref, "digest", base.digest)
					      : json_string("scratch"));
	} else {
		descriptor_labels(b);
		status = execute(b, have_base ? &base : NULL, result);
	}
	if (diags->nerrors && status == 0)
		status = 1;
	builder_release(b);
	if (have_base)
		kf_image_release(&base);
	free(base_ref);
	return status;
}
