/* cmd_imagelist.c - kfc imagelist: the container images a build context
 * (or any files and folders) refers to (docs/imagelist.md).
 *
 *   kfc imagelist [--format=text|json] [--image-list FILE]... [--dialect=sealos|sealer] [--rootfs]
 *                 [-f VALUES]... [--set K=V]... PATH...
 *   kfc imagelist --render [-f VALUES]... [--set K=V]... CHART
 */
#include <getopt.h>
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

static void usage(FILE *f)
{
	fputs("usage: kfc imagelist [--format=text|json] [--image-list FILE]... [--dialect=sealos|sealer]\n"
	      "                     [-f VALUES]... [--set K=V]... PATH...\n"
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
	      f);
}

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
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'F'},
		{"image-list", required_argument, NULL, 'i'},
		{"rootfs", no_argument, NULL, 'r'},
		{"dialect", required_argument, NULL, 'd'},
		{"render", no_argument, NULL, 'R'},
		{"values", required_argument, NULL, 'f'},
		{"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char **lists = kf_xcalloc((size_t)argc + 1, sizeof(*lists));
	const char **vfiles = kf_xcalloc((size_t)argc + 1, sizeof(*vfiles));
	const char **sets = kf_xcalloc((size_t)argc + 1, sizeof(*sets));
	size_t nlists = 0, nvfiles = 0, nsets = 0;
	int c, status = KF_EXIT_USAGE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") == 0) {
				json = false;
			} else {
				fprintf(stderr, "kfc imagelist: unknown format '%s' (text or json)\n", optarg);
				goto out;
			}
			break;
		case 'd':
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
		case 'i':
			lists[nlists++] = optarg;
			break;
		case 'r':
			rootfs = true;
			sealos = false;
			break;
		case 'R':
			render = true;
			break;
		case 'f':
			vfiles[nvfiles++] = optarg;
			break;
		case 's':
			sets[nsets++] = optarg;
			break;
		case 'h':
			usage(stdout);
			status = KF_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (render && (argc - optind != 1 || nlists || json || rootfs || sealos)) {
		fprintf(stderr, "kfc imagelist: --render takes one chart and no other option than -f and --set\n");
		usage(stderr);
		goto out;
	}
	if (optind >= argc && nlists == 0) {
		fprintf(stderr, "kfc imagelist: no path given\n");
		usage(stderr);
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
