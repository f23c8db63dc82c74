/* SPDX-License-Identifier: Apache-2.0 */
/* multi.c - a build for several platforms (kfc build --platform A,B): the
 * Kubefile built once for each, as a build for that platform alone, then
 * an OCI image index of the images, which the tags name and the outputs
 * hold. And what every build checks before it writes an oci:DIR:TAG
 * output: that it replaces no image of a platform it did not build.
 * See build.h and docs/build.md, "Several platforms".
 */
#include "build/builder.h"
#include "build/rcache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/vec.h"
#include "oci/archive.h"
#include "oci/oci.h"

const char *kf_builder_output_tag(const kf_build_options *o)
{
	if (!o->ntags)
		return "latest";
	const char *t = o->tags[0];
	const char *sl = strrchr(t, '/');
	const char *c = strrchr(sl ? sl : t, ':');
	return c ? c + 1 : "latest";
}

static void platform_name(kf_buf *b, const char *os, const char *arch, const char *variant)
{
	kf_buf_printf(b, "%s/%s%s%s", os ? os : "?", arch ? arch : "?", variant && *variant ? "/" : "",
		      variant ? variant : "");
}

/* The platform of the image desc names in the layout dir: its descriptor's
 * platform, else its config's; NULL when neither can be read. */
static json_t *image_platform(const char *dir, const json_t *desc)
{
	json_t *p = json_object_get(desc, "platform");
	if (json_is_object(p) && json_is_string(json_object_get(p, "os")))
		return json_incref(p);
	kf_err e;
	json_t *m = kf_oci_read_json(dir, json_string_value(json_object_get(desc, "digest")), &e);
	json_t *cfg =
		m ? kf_oci_read_json(dir, json_string_value(json_object_get(json_object_get(m, "config"), "digest")), &e)
		  : NULL;
	json_t *r = NULL;
	if (json_is_string(json_object_get(cfg, "os")) && json_is_string(json_object_get(cfg, "architecture"))) {
		r = json_pack("{s:O,s:O}", "os", json_object_get(cfg, "os"), "architecture",
			      json_object_get(cfg, "architecture"));
		if (json_is_string(json_object_get(cfg, "variant")))
			json_object_set(r, "variant", json_object_get(cfg, "variant"));
	}
	json_decref(cfg);
	json_decref(m);
	return r;
}

/* The platforms of what the layout dir's tag names (an image, or each
 * image of an index), as an array; NULL when the tag names nothing. */
static json_t *tag_platforms(const char *dir, const char *tag)
{
	kf_err e;
	json_t *index = kf_oci_index_read(dir, &e);
	const json_t *found = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *ref = json_string_value(json_object_get(json_object_get(d, "annotations"), KF_ANN_REF));
		if (ref && strcmp(ref, tag) == 0)
			found = d;
	}
	json_t *plats = found ? json_array() : NULL;
	if (found && kf_oci_is_index_type(json_string_value(json_object_get(found, "mediaType")))) {
		json_t *ix = kf_oci_read_json(dir, json_string_value(json_object_get(found, "digest")), &e);
		json_array_foreach(json_object_get(ix, "manifests"), i, d) {
			json_t *p = image_platform(dir, d);
			if (p)
				json_array_append_new(plats, p);
		}
		json_decref(ix);
	} else if (found) {
		json_t *p = image_platform(dir, found);
		if (p)
			json_array_append_new(plats, p);
	}
	json_decref(index);
	return plats;
}

bool kf_builder_check_output(const char *out, const char *default_tag, const kf_platform *plats, size_t n,
			     kf_err *err)
{
	if (strncmp(out, "oci:", 4) != 0)
		return true; /* an oci-archive is written whole, a new layout */
	char *dir = strdup(out + 4);
	const char *tag = default_tag;
	char *colon = strrchr(dir, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	}
	json_t *have = kf_oci_is_layout(dir) ? tag_platforms(dir, tag) : NULL;
	kf_buf lost = KF_BUF_INIT, want = KF_BUF_INIT;
	size_t nlost = 0;
	size_t i;
	json_t *p;
	for (size_t k = 0; k < n; k++) {
		if (k)
			kf_buf_addc(&want, ',');
		platform_name(&want, plats[k].os, plats[k].arch, plats[k].variant);
	}
	kf_buf all = KF_BUF_INIT;
	kf_buf_adds(&all, want.ptr);
	json_array_foreach(have, i, p) {
		kf_platform_want h = {json_string_value(json_object_get(p, "os")),
				      json_string_value(json_object_get(p, "architecture")),
				      json_string_value(json_object_get(p, "variant"))};
		bool built = false;
		for (size_t k = 0; k < n && !built; k++) {
			kf_platform_want b = {plats[k].os, plats[k].arch, plats[k].variant};
			built = kf_oci_platform_same(&h, &b);
		}
		if (built || !h.os || !h.arch)
			continue;
		kf_buf_adds(&lost, nlost++ ? ", " : "");
		platform_name(&lost, h.os, h.arch, h.variant);
		kf_buf_addc(&all, ',');
		platform_name(&all, h.os, h.arch, h.variant);
	}
	bool ok = nlost == 0;
	if (!ok)
		kf_err_set(err,
			   "%s: the tag '%s' holds %s for %s, which this build for %s would replace: "
			   "build them together with --platform %s, or write to another tag",
			   out, tag, nlost == 1 ? "an image" : "images", lost.ptr, want.ptr, all.ptr);
	kf_buf_release(&lost);
	kf_buf_release(&want);
	kf_buf_release(&all);
	json_decref(have);
	free(dir);
	return ok;
}

/* ---- several platforms ----------------------------------------------------------------- */

typedef struct multi {
	const kf_build_options *o;
	const kf_build_report *report;
	kf_diag_bag *diags;
	kf_store store;
	char *tmp;
} multi;

static void say(multi *m, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(multi *m, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_report_say(m->report, KF_SEV_ERROR, code, fmt, ap);
	va_end(ap);
	m->diags->nerrors++;
}

/* Each platform parsed; none twice (linux/arm64 and linux/arm64/v8 are
 * one). Returns 0, or 2 after a message. */
static int check_platforms(multi *m, const char *const *names, size_t n, kf_platform *plats)
{
	for (size_t i = 0; i < n; i++) {
		if (!kf_platform_parse(names[i], &plats[i])) {
			say(m, "KF614", "platform '%s': expected OS/ARCH[/VARIANT], such as linux/amd64", names[i]);
			return 2;
		}
		kf_platform_want a = {plats[i].os, plats[i].arch, plats[i].variant};
		for (size_t k = 0; k < i; k++) {
			kf_platform_want b = {plats[k].os, plats[k].arch, plats[k].variant};
			if (kf_oci_platform_same(&a, &b)) {
				say(m, "KF614", "--platform names %s twice%s%s%s", names[k], strcmp(names[k], names[i]) ? " (as " : "",
				    strcmp(names[k], names[i]) ? names[i] : "", strcmp(names[k], names[i]) ? ")" : "");
				return 2;
			}
		}
	}
	return 0;
}

/* The index of the images (digests[i] built for plats[i]) into the store;
 * its descriptor, or NULL after a message. */
static json_t *write_index(multi *m, const kf_platform *plats, char (*digests)[KF_DIGEST_LEN + 1], size_t n)
{
	json_t *manifests = json_array();
	for (size_t i = 0; i < n; i++) {
		char *p = kf_oci_blob_path(m->store.dir, digests[i]);
		struct stat st;
		uint64_t size = stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
		free(p);
		json_t *d = kf_json_descriptor(KF_MT_MANIFEST, digests[i], size);
		json_object_set_new(d, "platform", kf_platform_to_json(&plats[i]));
		json_array_append_new(manifests, d);
	}
	json_t *index = json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType", KF_MT_INDEX, "manifests", manifests);
	json_t *desc = NULL;
	kf_err e;
	if (!kf_oci_put_json(m->store.dir, index, KF_MT_INDEX, &desc, &e))
		say(m, "KF606", "%s", e.msg);
	json_decref(index);
	return desc;
}

/* The tags and the outputs, as a single build's publish() does. */
static int publish(multi *m, const json_t *desc, const kf_platform *plats, size_t n)
{
	const kf_build_options *o = m->o;
	kf_err e;
	int status = 0;
	if (o->ntags) {
		if (!kf_store_tag_refs(&m->store, o->tags, o->ntags, desc, &e)) {
			say(m, "KF617", "store: %s", e.msg);
			status = 1;
		}
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH"); /* checked by the builds */
	kf_layer_options lo = {KF_COMPRESS_NONE, 0, 1, sde && *sde ? strtoll(sde, NULL, 10) : -1, (int64_t)time(NULL),
			       o->interrupted, NULL, NULL};
	const char *tag = kf_builder_output_tag(o);
	for (size_t i = 0; status == 0 && i < o->noutputs && !(o->interrupted && *o->interrupted); i++) {
		if (!kf_builder_check_output(o->outputs[i], tag, plats, n, &e)) {
			say(m, "KF619", "%s", e.msg);
			status = 1;
		} else if (!kf_oci_export(m->store.dir, desc, o->outputs[i], tag, m->tmp, &lo, &e)) {
			say(m, "KF609", "%s", e.msg);
			status = 1;
		}
	}
	return status;
}

int kf_build_platforms(const kf_build_options *o, const char *const *platforms, size_t n, const kf_document *doc,
		       const kf_model *model, kf_diag_bag *diags, const kf_build_report *report,
		       kf_build_result *result)
{
	if (n <= 1) {
		kf_build_options one = *o;
		if (n == 1)
			one.platform = platforms[0];
		return kf_build(&one, doc, model, diags, report, result);
	}
	memset(result, 0, sizeof *result);
	multi M = {.o = o, .report = report, .diags = diags};
	multi *m = &M;
	kf_platform *plats = calloc(n, sizeof *plats);
	char(*digests)[KF_DIGEST_LEN + 1] = calloc(n, sizeof *digests);
	if (!plats || !digests)
		abort();
	int status = o->plan_only ? 2 : check_platforms(m, platforms, n, plats);
	if (o->plan_only)
		say(m, "KF614", "a plan is one platform's: give --platform one platform");
	kf_err e;
	/* open for the whole run: the images wait untagged for their index,
	 * and the store's shared lock keeps kfc rmi from removing them */
	if (status == 0 && !kf_store_open(&m->store, false, &e)) {
		say(m, "KF617", "store: %s", e.msg);
		status = 1;
	}
	if (status == 0 && !(m->tmp = kf_store_mktemp(&m->store, &e))) {
		say(m, "KF617", "%s", e.msg);
		status = 1;
	}
	double t0 = kf_builder_now();
	/* the platforms share the imported caches and write one */
	struct kf_rcache *rc = status == 0 ? kf_rcache_new(o) : NULL;
	for (size_t i = 0; status == 0 && i < n; i++) {
		if (report && report->platform)
			report->platform(report->ud, platforms[i], i, n);
		kf_build_options one = *o;
		one.platform = platforms[i];
		one.tags = one.outputs = NULL;
		one.later_outputs = o->outputs;
		one.nlater_outputs = o->noutputs;
		one.ntags = one.noutputs = 0;
		one.rcache = rc;
		kf_build_result r;
		status = kf_build(&one, doc, model, diags, report, &r);
		if (status == 0)
			memcpy(digests[i], r.digest, sizeof digests[i]);
	}
	if (status == 0 && o->interrupted && *o->interrupted)
		status = 130;
	json_t *desc = status == 0 ? write_index(m, plats, digests, n) : NULL;
	if (status == 0 && !desc)
		status = 1;
	if (status == 0)
		status = publish(m, desc, plats, n);
	if (o->interrupted && *o->interrupted)
		status = 130;
	if (status == 0)
		kf_builder_export_cache(rc, m->store.dir, o, report);
	kf_rcache_free(rc);
	if (status == 0) {
		snprintf(result->digest, sizeof result->digest, "%s", json_string_value(json_object_get(desc, "digest")));
		result->secs = kf_builder_now() - t0;
	}
	json_decref(desc);
	kf_store_rmtemp(m->tmp);
	if (m->store.dir)
		kf_store_close(&m->store);
	free(plats);
	free(digests);
	return status;
}
