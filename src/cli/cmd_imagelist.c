/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_imagelist.c - kfc imagelist: the container images a build context
 * (or any files and folders) refers to (docs/imagelist.md).
 *
 *   kfc imagelist [--format=text|json] [--image-list FILE]... [--dialect=sealos|sealer] [--rootfs]
 *                 [-f VALUES]... [--set K=V]... PATH...
 *   kfc imagelist --render [-f VALUES]... [--set K=V]... CHART
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "base/buf.h"
#include "base/ignore.h"
#include "syntax/diag.h"
#include "discovery/chart.h"
#include "discovery/imagelist.h"
#include "syntax/jsonutil.h"
#include "cli/kfc.h"

enum { O_FORMAT = KF_OPT_LONG, O_LIST, O_ROOTFS, O_DIALECT, O_RENDER, O_SET };

static const kf_opt imagelist_opts[] = {
	{"format", O_FORMAT, "FORMAT", "text|json", KF_COMPLETE_NONE, "one image a line (text, default) or a JSON array"},
	{"image-list", O_LIST, "FILE", NULL, KF_COMPLETE_FILE, "an image list to read too (repeatable)"},
	{"dialect", O_DIALECT, "D", "sealos|sealer", KF_COMPLETE_NONE,
	 "read each PATH as sealos build reads its context, or as sealer a root file system"},
	{"rootfs", O_ROOTFS, NULL, NULL, KF_COMPLETE_NONE, "read each PATH as a ClusterImage root file system (sealer)"},
	{"values", 'f', "VALUES", NULL, KF_COMPLETE_FILE, "a values file for every chart, as helm's -f (repeatable)"},
	{"set", O_SET, "K=V", NULL, KF_COMPLETE_NONE, "a value for every chart, as helm's --set (repeatable)"},
	{"render", O_RENDER, NULL, NULL, KF_COMPLETE_NONE, "print the one CHART as helm template renders it"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_imagelist = {
	"imagelist", "kfc imagelist", "list the container images a build context refers to",
	"usage: kfc imagelist [OPTION]... PATH...\n"
	"       kfc imagelist --render [-f VALUES]... [--set K=V]... CHART\n"
	"\n"
	"Lists the container images that Kubernetes manifests, Helm charts (folders\n"
	"and .tgz, rendered as helm renders them), image lists (imageList,\n"
	"--image-list) and the IMAGES instructions of Kubefiles under PATH refer to,\n"
	"normalised and each once. text: one image a line; json: an array of\n"
	"{\"image\",\"file\",\"line\",\"app\"}. What the ignore file of a folder PATH\n"
	"(.kubefileignore, .containerignore, .dockerignore) leaves out is not read.\n"
	"--dialect=sealos reads each PATH as sealos build reads its context (charts/\n"
	"with charts/<name>.values.yaml, manifests/, images/shim/, .sealignore);\n"
	"--dialect=sealer (or --rootfs) as a ClusterImage root file system\n"
	"(manifests/, charts/, application/apps/<app>/). -f (--values) and --set give\n"
	"every chart values as helm's. --render prints the chart as `helm template\n"
	"dryrun CHART --namespace default` does.\n"
	"Warnings go to standard error.\n"
	"Exit status: 0 images listed, 1 some input gave a warning, 2 usage error.\n",
	imagelist_opts, KF_COMPLETE_FILE, NULL, kf_cmd_imagelist,
};

/* helm's -f and --set, in helm's order: the files merged, then each --set */
static bool user_values(kf_imagelist *l, const char **files, size_t nfiles, const char **sets, size_t nsets)
{
	kf_tv vals = kf_tv_new_map(&l->arena);
	for (size_t i = 0; i < nfiles; i++) {
		kf_source src;
		const char *err;
		if (!kf_source_init_file(&src, files[i], NULL, &err)) {
			fprintf(stderr, "kfc imagelist: %s: %s\n", files[i], err);
			return false;
		}
		kf_buf e = KF_BUF_INIT;
		bool ok = kf_chart_merge_values_file(&l->arena, vals, src.text, src.len, &e);
		kf_source_release(&src);
		if (!ok) {
			fprintf(stderr, "kfc imagelist: failed to parse %s: %s\n", files[i], e.ptr ? e.ptr : "");
			kf_buf_release(&e);
			return false;
		}
		kf_buf_release(&e);
	}
	for (size_t i = 0; i < nsets; i++) {
		kf_buf e = KF_BUF_INIT;
		if (!kf_chart_strvals(&l->arena, sets[i], vals, &e)) {
			fprintf(stderr, "kfc imagelist: failed parsing --set data: %s\n", e.ptr ? e.ptr : "");
			kf_buf_release(&e);
			return false;
		}
		kf_buf_release(&e);
	}
	l->values = vals;
	return true;
}

static void print_warnings(kf_imagelist *l)
{
	for (size_t i = 0; i < l->nfiles; i++) {
		const kf_imagelist_file *f = l->files[i];
		for (size_t k = 0; k < f->diags.len; k++) {
			kf_buf b = KF_BUF_INIT;
			kf_diag_render_text(&b, &f->src, &f->diags.items[k], 0);
			kf_term_write(stderr, &b);
			kf_buf_release(&b);
		}
	}
}

int kf_cmd_imagelist(int argc, char **argv)
{
	bool json = false, rootfs = false, sealos = false, render = false;
	const char **lists = kf_xcalloc((size_t)argc + 1, sizeof(*lists));
	const char **vfiles = kf_xcalloc((size_t)argc + 1, sizeof(*vfiles));
	const char **sets = kf_xcalloc((size_t)argc + 1, sizeof(*sets));
	size_t nlists = 0, nvfiles = 0, nsets = 0;
	int c, status = KF_EXIT_USAGE;
	kf_optparse p;
	kf_opts_begin(&p, &kf_command_imagelist);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") == 0) {
				json = false;
			} else {
				fprintf(stderr, "kfc imagelist: unknown format '%s' (text or json)\n", optarg);
				goto out;
			}
			break;
		case O_DIALECT:
			if (strcmp(optarg, "sealos") == 0) {
				sealos = true;
				rootfs = false;
			} else if (strcmp(optarg, "sealer") == 0) {
				rootfs = true;
				sealos = false;
			} else {
				fprintf(stderr, "kfc imagelist: unknown dialect '%s' (sealos or sealer)\n", optarg);
				goto out;
			}
			break;
		case O_LIST:
			lists[nlists++] = optarg;
			break;
		case O_ROOTFS:
			rootfs = true;
			sealos = false;
			break;
		case O_RENDER:
			render = true;
			break;
		case 'f':
			vfiles[nvfiles++] = optarg;
			break;
		case O_SET:
			sets[nsets++] = optarg;
			break;
		default:
			status = c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
			goto out;
		}
	}
	if (render && (argc - optind != 1 || nlists || json || rootfs || sealos)) {
		kf_usage_error(&kf_command_imagelist, "--render takes one chart and no other option than -f and --set");
		goto out;
	}
	if (optind >= argc && nlists == 0) {
		kf_usage_error(&kf_command_imagelist, "no path given");
		goto out;
	}
	kf_imagelist l;
	kf_imagelist_init(&l);
	if (!user_values(&l, vfiles, nvfiles, sets, nsets)) {
		kf_imagelist_release(&l);
		goto out;
	}
	if (render) {
		kf_buf y = KF_BUF_INIT;
		bool ok = kf_imagelist_render_chart(&l, argv[optind], &y);
		kf_term_write(stdout, &y);
		kf_buf_release(&y);
		print_warnings(&l);
		status = !ok ? KF_EXIT_USAGE : l.nwarnings ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
		kf_imagelist_release(&l);
		if (!kf_term_flush("kfc"))
			status = KF_EXIT_USAGE;
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		if (rootfs) {
			kf_imagelist_scan_rootfs(&l, argv[i]);
			continue;
		}
		/* a folder is a build context: its ignore file applies */
		struct stat st;
		kf_ignore *ig = NULL;
		kf_err e;
		bool dir = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode);
		if (dir && !kf_ignore_load(argv[i], &ig, &e)) {
			fprintf(stderr, "kfc imagelist: %s\n", e.msg);
			kf_imagelist_release(&l);
			goto out;
		}
		l.ignore = ig;
		l.ignore_root = argv[i];
		if (sealos && dir)
			kf_imagelist_scan_context(&l, argv[i]);
		else
			kf_imagelist_scan_paths(&l, (const char *const *)argv + i, 1);
		l.ignore = NULL;
		kf_ignore_free(ig);
	}
	for (size_t i = 0; i < nlists; i++)
		kf_imagelist_scan_list(&l, lists[i], NULL);

	kf_buf out = KF_BUF_INIT;
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.len; i++) {
			const kf_image_entry *e = &l.items[i];
			json_t *o = json_object();
			json_object_set_new(o, "image", json_string(e->image));
			json_object_set_new(o, "file", json_string(e->file));
			json_object_set_new(o, "line", json_integer(e->line));
			json_object_set_new(o, "app", e->app ? json_string(e->app) : json_null());
			json_array_append_new(arr, o);
		}
		kf_json_dump(&out, arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	} else {
		for (size_t i = 0; i < l.len; i++)
			kf_buf_printf(&out, "%s\n", l.items[i].image);
	}
	kf_term_write(stdout, &out);
	kf_buf_release(&out);
	print_warnings(&l);
	status = l.nwarnings ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
	kf_imagelist_release(&l);
	if (!kf_term_flush("kfc"))
		status = KF_EXIT_USAGE;
out:
	free(lists);
	free(vfiles);
	free(sets);
	return status;
}
