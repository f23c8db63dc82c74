/* SPDX-License-Identifier: Apache-2.0 */
/* build_image.c - the image: the sealer extension, the container image
 * list (discovery), the config and manifest, and the outputs. See
 * builder.h. */
#include "build/builder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sema/apptype.h"
#include "config.h"
#include "discovery/imagelist.h"
#include "oci/archive.h"
#include "oci/oci.h"
#include "oci/unpack.h"
#include "base/vec.h"

static int cmp_json_str(const void *x, const void *y)
{
	return strcmp(json_string_value(*(json_t *const *)x), json_string_value(*(json_t *const *)y));
}

static json_t *extension(builder *b)
{
	json_t *pe = b->plan->extension;
	json_t *ext = json_object();
	json_object_set_new(ext, "buildClient",
			    json_pack("{s:s,s:s}", "sealerVersion", "kfc/" PACKAGE_VERSION, "buildahVersion", ""));
	json_object_set_new(ext, "schemaVersion", json_string("v1alpha1"));
	json_object_set(ext, "type", json_object_get(pe, "type"));
	json_t *apps = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(pe, "applications"), i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(name));
		json_t *seen = json_object_get(b->apps, name);
		json_t *files = json_array();
		const char *type = NULL;
		if (seen) {
			json_t *paths = json_object_get(seen, "paths");
			KF_VEC(const char *) pv = {0};
			size_t k;
			json_t *p;
			json_array_foreach(paths, k, p) kf_vec_push(&pv, json_string_value(p));
			kf_app_type t = kf_app_detect_paths(NULL, pv.v, pv.n);
			kf_vec_free(&pv);
			if (t == KF_APP_HELM || t == KF_APP_KUBE || t == KF_APP_SHELL)
				type = kf_app_type_name(t);
			if (t == KF_APP_HELM) {
				/* the chart's folder: the name of the directory (or .tgz) given */
				const char *first = json_string_value(json_array_get(paths, 0));
				const char *slash = first ? strrchr(first, '/') : NULL;
				json_array_append_new(files, json_string(slash ? slash + 1 : first ? first : name));
			} else if (t == KF_APP_KUBE || t == KF_APP_SHELL) {
				json_t *fl = json_object_get(seen, "files");
				size_t nf = json_array_size(fl);
				json_t **v = calloc(nf + 1, sizeof *v);
				for (k = 0; k < nf; k++)
					v[k] = json_array_get(fl, k);
				if (nf)
					qsort(v, nf, sizeof *v, cmp_json_str);
				for (k = 0; k < nf; k++)
					if (k == 0 || strcmp(json_string_value(v[k]), json_string_value(v[k - 1])) != 0)
						json_array_append(files, v[k]);
				free(v);
			}
		} else if (json_object_get(a, "inherited")) {
			type = json_string_value(json_object_get(a, "type"));
			json_decref(files);
			files = json_deep_copy(json_object_get(a, "files"));
			if (!files)
				files = json_array();
		}
		if (type)
			json_object_set_new(o, "type", json_string(type));
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "version", json_string("v1"));
		if (json_object_size(json_object_get(a, "env")))
			json_object_set(o, "env", json_object_get(a, "env"));
		if (json_object_get(a, "cmds"))
			json_object_set(o, "cmds", json_object_get(a, "cmds"));
		json_array_append_new(apps, o);
	}
	json_object_set_new(ext, "applications", apps);
	json_object_set(ext, "env", json_object_get(pe, "env"));
	json_t *launch = json_object_get(pe, "launch");
	if (!json_object_size(launch) && b->base_ext && json_object_get(b->base_ext, "launch"))
		launch = json_object_get(b->base_ext, "launch");
	json_object_set(ext, "launch", launch);
	return ext;
}


/* The images of one list file, normalised, for --ignored-image-list. */
static bool read_ignored(builder *b, const char *path, json_t *set)
{
	kf_imagelist l;
	kf_imagelist_init(&l);
	l.allow_unpinned = true; /* "nginx" here leaves out nginx:latest, which is no problem */
	kf_imagelist_scan_list(&l, path, NULL);
	bool ok = true;
	free(kf_builder_discovery_warnings(b, &l, true));
	for (size_t i = 0; i < l.nfiles; i++)
		for (size_t k = 0; k < l.files[i]->diags.len; k++)
			if (l.files[i]->diags.items[k].severity == KF_SEV_ERROR)
				ok = false;
	for (size_t i = 0; i < l.len; i++)
		json_object_set_new(set, l.items[i].image, json_true());
	kf_imagelist_release(&l);
	(void)b;
	return ok;
}

/* The diagnostics of the files a discovery read (list files, manifests,
 * charts), rendered; handed to the front end when show, and returned for
 * the cache, which replays them. */
char *kf_builder_discovery_warnings(builder *b, const struct kf_imagelist *l, bool show)
{
	kf_buf out = KF_BUF_INIT;
	kf_buf_adds(&out, "");
	for (size_t i = 0; i < l->nfiles; i++)
		for (size_t k = 0; k < l->files[i]->diags.len; k++)
			kf_diag_render_text(&out, &l->files[i]->src, &l->files[i]->diags.items[k], KF_RENDER_SOURCE);
	if (show && out.len && b->report && b->report->files)
		b->report->files(b->report->ud, out.ptr);
	return out.ptr;
}

/* ":LINE:COL" of an entry */
static const char *where_of(const kf_image_entry *e)
{
	static __thread char buf[32];
	snprintf(buf, sizeof buf, ":%u:%u", e->line, e->col);
	return buf;
}

/* The images the rootfs references, [{"image", "app"?}], by the
 * conventions of docs/language.md. Discovery reads the staged rootfs when a RUN made
 * one, else the three folders unpacked from the layers; its result depends
 * on the layers alone, so it is cached by their digests, and an unchanged
 * rebuild decompresses nothing. */
static json_t *discover(builder *b)
{
	char key[KF_DIGEST_LEN + 1];
	kf_builder_layers_key(b, "container-images-v3", key); /* v3: where each was found; KF310 */
	size_t k;
	json_t *ld;
	json_t *rec = kf_builder_fact_get(b, key);
	if (rec && json_is_array(json_object_get(rec, "images"))) {
		const char *w = json_string_value(json_object_get(rec, "warnings"));
		if (w && *w && b->report && b->report->files)
			b->report->files(b->report->ud, w);
		json_t *imgs = json_incref(json_object_get(rec, "images"));
		json_decref(rec);
		return imgs;
	}
	json_decref(rec);
	const char *rootfs = b->rootfs;
	char *tmp = NULL;
	if (!rootfs) {
		static const char *const tops[] = {"manifests", "charts", "application", NULL};
		if (asprintf(&tmp, "%s/discover", b->tmp) < 0)
			abort();
		kf_mkdirs(tmp, 0755);
		json_array_foreach(b->layers, k, ld) {
			char *p = kf_builder_blob(b, ld);
			kf_err err = {""};
			if (!kf_unpack_only(p, tmp, tops, b->o->interrupted, &err))
				kf_builder_say(b, KF_SEV_WARNING, "KF613", "container image discovery: %s", err.msg);
			free(p);
		}
		rootfs = tmp;
	}
	kf_imagelist l;
	kf_imagelist_init(&l);
	kf_imagelist_scan_rootfs(&l, rootfs);
	char *warnings = kf_builder_discovery_warnings(b, &l, true);
	json_t *imgs = json_array();
	for (size_t i = 0; i < l.len; i++) {
		json_t *e = json_pack("{s:s,s:s+}", "image", l.items[i].image, "where", l.items[i].file, where_of(&l.items[i]));
		if (l.items[i].app)
			json_object_set_new(e, "app", json_string(l.items[i].app));
		json_array_append_new(imgs, e);
	}
	kf_imagelist_release(&l);
	kf_store_rmtemp(tmp);
	kf_err e;
	rec = json_pack("{s:O,s:s}", "images", imgs, "warnings", warnings);
	if (!kf_builder_fact_put(b, key, rec, &e))
		kf_builder_say(b, KF_SEV_WARNING, "KF610", "the cache was not written: %s", e.msg);
	json_decref(rec);
	free(warnings);
	return imgs;
}

/* The sealer.image.container.images annotation: what the rootfs references,
 * then the --image-list files; --ignored-image-list ones left out; each
 * image once, with its app when it was found in an app's folder. */
json_t *kf_builder_container_images(builder *b)
{
	json_t *found = discover(b);
	kf_imagelist l;
	kf_imagelist_init(&l);
	for (size_t i = 0; i < b->o->nimage_lists; i++)
		kf_imagelist_scan_list(&l, b->o->image_lists[i], NULL);
	free(kf_builder_discovery_warnings(b, &l, true));
	for (size_t i = 0; i < l.len; i++)
		json_array_append_new(found, json_pack("{s:s,s:s+}", "image", l.items[i].image, "where", l.items[i].file,
						       where_of(&l.items[i])));
	for (size_t i = 0; i < b->o->nextra_images; i++)
		json_array_append_new(found, json_pack("{s:s,s:s}", "image", b->o->extra_images[i], "where",
						       "--image-list-with-auth"));
	kf_imagelist_release(&l);
	json_t *skip = json_object();
	for (size_t i = 0; i < b->o->nignored_image_lists; i++)
		read_ignored(b, b->o->ignored_image_lists[i], skip);
	json_t *arr = json_array();
	json_t *plat = kf_platform_to_json(&b->plan->platform);
	size_t i;
	json_t *f;
	json_array_foreach(found, i, f) {
		const char *img = json_string_value(json_object_get(f, "image"));
		if (json_object_get(skip, img))
			continue;
		json_object_set_new(skip, img, json_true()); /* once */
		json_t *e = json_pack("{s:s}", "image", img);
		if (json_object_get(f, "app"))
			json_object_set(e, "appName", json_object_get(f, "app"));
		json_object_set(e, "platform", plat);
		if (json_object_get(f, "where"))
			json_object_set(e, "where", json_object_get(f, "where"));
		json_array_append_new(arr, e);
	}
	json_decref(skip);
	json_decref(found);
	json_decref(plat);
	return arr;
}

/* An image needs a layer (the image-spec's manifest schema asks for one):
 * an image with no file gets an empty one, with its own history entry. */
static bool ensure_layer(builder *b)
{
	if (json_array_size(b->layers))
		return true;
	kf_layer_result res;
	json_t *desc = kf_builder_store_layer(b, NULL, kf_layer_new(&b->lopt), &res);
	if (!desc)
		return false;
	json_decref(desc);
	json_array_append_new(b->history, json_pack("{s:s,s:s,s:s}", "created", b->created, "created_by",
						    "kfc build: an empty layer", "comment",
						    "no instruction changed a file; an image has at least one layer"));
	return true;
}

bool kf_builder_write_image(builder *b, const json_t *images, json_t **manifest_desc)
{
	if (!ensure_layer(b))
		return false;
	const kf_platform *plat = &b->plan->platform;
	json_t *cfg = json_object();
	json_object_set_new(cfg, "created", json_string(b->created));
	json_object_set_new(cfg, "architecture", json_string(plat->arch));
	json_object_set_new(cfg, "os", json_string(plat->os));
	if (plat->variant[0])
		json_object_set_new(cfg, "variant", json_string(plat->variant));
	json_t *c = json_deep_copy(b->plan->config);
	if (!json_object_size(json_object_get(c, "Labels")))
		json_object_del(c, "Labels");
	json_object_set_new(cfg, "config", c);
	json_object_set_new(cfg, "rootfs", json_pack("{s:s,s:O}", "type", "layers", "diff_ids", b->diff_ids));
	json_object_set(cfg, "history", b->history);
	kf_err e;
	json_t *cdesc = NULL;
	bool ok = kf_oci_put_json(b->store.dir, cfg, KF_MT_CONFIG, &cdesc, &e);
	json_decref(cfg);
	if (!ok) {
		kf_builder_error(b, NULL, "KF606", "%s", e.msg);
		return false;
	}
	snprintf(b->config_digest, sizeof b->config_digest, "%s", json_string_value(json_object_get(cdesc, "digest")));
	json_t *ext = extension(b);
	/* the annotation: image, appName, platform (not where it was found) */
	json_t *imgs = json_array();
	size_t k;
	json_t *it;
	json_array_foreach(images, k, it) {
		json_t *copy = json_deep_copy(it);
		json_object_del(copy, "where");
		json_array_append_new(imgs, copy);
	}
	char *ext_text = json_dumps(ext, JSON_COMPACT);
	char *imgs_text = json_dumps(imgs, JSON_COMPACT);
	json_t *m = json_object();
	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(KF_MT_MANIFEST));
	json_object_set_new(m, "config", cdesc);
	json_object_set(m, "layers", b->layers);
	json_t *ann = json_object();
	for (size_t i = 0; i < b->o->nannotations; i++) { /* --annotation K=V */
		const char *a = b->o->annotations[i];
		const char *eq = strchr(a, '=');
		char *key = strndup(a, eq ? (size_t)(eq - a) : strlen(a));
		json_object_set_new(ann, key, json_string(eq ? eq + 1 : ""));
		free(key);
	}
	json_object_set_new(ann, KF_ANN_CREATED, json_string(b->created));
	json_object_set_new(ann, KF_ANN_EXTENSION, json_string(ext_text));
	json_object_set_new(ann, KF_ANN_IMAGES, json_string(imgs_text));
	json_object_set_new(m, "annotations", ann);
	free(ext_text);
	free(imgs_text);
	json_decref(ext);
	json_decref(imgs);
	ok = kf_oci_put_json(b->store.dir, m, KF_MT_MANIFEST, manifest_desc, &e);
	json_decref(m);
	if (!ok)
		kf_builder_error(b, NULL, "KF606", "%s", e.msg);
	else
		json_object_set_new(*manifest_desc, "platform", kf_platform_to_json(plat));
	return ok;
}

/* oci:DIR[:tag] or oci-archive:FILE[:tag] */
bool kf_builder_write_output(builder *b, const char *out, const json_t *desc)
{
	const char *tag = kf_builder_output_tag(b->o);
	kf_layer_options lo = {KF_COMPRESS_NONE, 0, 1, b->lopt.epoch, b->now, b->o->interrupted, NULL, NULL};
	kf_err e;
	if (!kf_builder_check_output(out, tag, &b->plan->platform, 1, &e)) {
		kf_builder_error(b, NULL, "KF619", "%s", e.msg);
		return false;
	}
	bool ok = kf_oci_export(b->store.dir, desc, out, tag, b->tmp, &lo, &e);
	if (!ok)
		kf_builder_error(b, NULL, "KF609", "%s", e.msg);
	return ok;
}
