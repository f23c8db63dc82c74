/* cmd_imagelist.c - kfc imagelist: the container images a build context
 * (or any files and folders) refers to (docs/imagelist.md).
 *
 *   kfc imagelist [--format=text|json] [--image-list FILE]... [--rootfs] PATH...
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
#include "discovery/imagelist.h"
#include "syntax/jsonutil.h"
#include "cli/kfc.h"

enum { O_LIST = KF_OPT_LONG, O_ROOTFS };

static const kf_opt imagelist_opts[] = {
	{"format", 'f', "FORMAT", "text|json", KF_COMPLETE_NONE, "one image a line (text, default) or a JSON array"},
	{"image-list", O_LIST, "FILE", NULL, KF_COMPLETE_FILE, "an image list to read too (repeatable)"},
	{"rootfs", O_ROOTFS, NULL, NULL, KF_COMPLETE_NONE, "read each PATH as a ClusterImage root file system"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_imagelist = {
	"imagelist", "kfc imagelist", "list the container images a build context refers to",
	"usage: kfc imagelist [OPTION]... PATH...\n"
	"\n"
	"Lists the container images that Kubernetes manifests, Helm charts (folders\n"
	"and .tgz), image lists (imageList, --image-list) and the IMAGES instructions\n"
	"of Kubefiles under PATH refer to, normalised and each once. text: one image\n"
	"a line; json: an array of {\"image\",\"file\",\"line\",\"app\"}. --rootfs reads\n"
	"each PATH as a ClusterImage root file system (manifests/, charts/,\n"
	"application/apps/<app>/). What the ignore file of a folder PATH\n"
	"(.kubefileignore, .dockerignore, .containerignore) leaves out is not read.\n"
	"Warnings go to standard error.\n"
	"Exit status: 0 images listed, 1 some input gave a warning, 2 usage error.\n",
	imagelist_opts, KF_COMPLETE_FILE, NULL, kf_cmd_imagelist,
};

int kf_cmd_imagelist(int argc, char **argv)
{
	bool json = false, rootfs = false;
	const char **lists = kf_xcalloc((size_t)argc + 1, sizeof(*lists));
	size_t nlists = 0;
	int c;
	kf_optparse p;
	kf_opts_begin(&p, &kf_command_imagelist);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") == 0) {
				json = true;
			} else if (strcmp(optarg, "text") == 0) {
				json = false;
			} else {
				fprintf(stderr, "kfc imagelist: unknown format '%s' (text or json)\n", optarg);
				free(lists);
				return KF_EXIT_USAGE;
			}
			break;
		case O_LIST:
			lists[nlists++] = optarg;
			break;
		case O_ROOTFS:
			rootfs = true;
			break;
		default:
			free(lists);
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		}
	}
	if (optind >= argc && nlists == 0) {
		kf_usage_error(&kf_command_imagelist, "no path given");
		free(lists);
		return KF_EXIT_USAGE;
	}
	kf_imagelist l;
	kf_imagelist_init(&l);
	if (rootfs)
		for (int i = optind; i < argc; i++)
			kf_imagelist_scan_rootfs(&l, argv[i]);
	else
		for (int i = optind; i < argc; i++) {
			/* a folder is a build context: its ignore file applies */
			struct stat st;
			kf_ignore *ig = NULL;
			kf_err e;
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) && !kf_ignore_load(argv[i], &ig, &e)) {
				fprintf(stderr, "kfc imagelist: %s\n", e.msg);
				kf_imagelist_release(&l);
				free(lists);
				return KF_EXIT_USAGE;
			}
			l.ignore = ig;
			l.ignore_root = argv[i];
			kf_imagelist_scan_paths(&l, (const char *const *)argv + i, 1);
			l.ignore = NULL;
			kf_ignore_free(ig);
		}
	for (size_t i = 0; i < nlists; i++)
		kf_imagelist_scan_list(&l, lists[i], NULL);
	free(lists);

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
	for (size_t i = 0; i < l.nfiles; i++) {
		const kf_imagelist_file *f = l.files[i];
		for (size_t k = 0; k < f->diags.len; k++) {
			kf_buf b = KF_BUF_INIT;
			kf_diag_render_text(&b, &f->src, &f->diags.items[k], 0);
			kf_term_write(stderr, &b);
			kf_buf_release(&b);
		}
	}
	int status = l.nwarnings ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
	kf_imagelist_release(&l);
	return kf_term_flush("kfc") ? status : KF_EXIT_USAGE;
}
