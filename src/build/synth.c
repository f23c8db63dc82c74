/* SPDX-License-Identifier: Apache-2.0 */
/* synth.c - a Kubefile from command-line options. See synth.h. */
#include "build/synth.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "syntax/ast.h"
#include "base/buf.h"
#include "syntax/format.h"
#include "syntax/source.h"

static bool ends_with(const char *s, const char *e)
{
	size_t n = strlen(s), m = strlen(e);
	return n >= m && strcmp(s + n - m, e) == 0;
}

/* a word as a Kubefile reads it back: quoted when it has blanks or quotes */
static void add_word(kf_buf *b, const char *w)
{
	if (*w && !strpbrk(w, " \t\"'\\$#`")) {
		kf_buf_adds(b, w);
		return;
	}
	kf_buf_addc(b, '"');
	for (const char *p = w; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			kf_buf_addc(b, '\\');
		kf_buf_addc(b, *p);
	}
	kf_buf_addc(b, '"');
}

static void add_json(kf_buf *b, const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	char *t = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
	kf_buf_adds(b, t);
	free(t);
	json_decref(a);
}

char *kf_synth_kubefile(const kf_synth *s, const char *context, char *err, size_t errlen)
{
	kf_buf k = KF_BUF_INIT;
	kf_buf_adds(&k, "# Written by kfc build from its command line.\nFROM ");
	if (s->platform) {
		kf_buf_adds(&k, "--platform=");
		kf_buf_adds(&k, s->platform);
		kf_buf_addc(&k, ' ');
	}
	kf_buf_adds(&k, s->from);
	kf_buf_addc(&k, '\n');
	const char *keys[] = {"cluster-runtime-type", "cluster-runtime-version", "container-runtime-type",
			      "container-runtime-version"};
	const char *vals[] = {s->cluster_runtime, s->cluster_runtime_version, s->cri, s->cri_version};
	bool label = false;
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		kf_buf_printf(&k, "%scluster.alpha.sealer.io/%s=", label ? " \\\n    " : "LABEL ", keys[i]);
		add_word(&k, vals[i]);
		label = true;
	}
	if (label)
		kf_buf_addc(&k, '\n');
	for (size_t i = 0; i < s->ncontexts; i++) {
		const char *p = s->contexts[i];
		char *full;
		if (asprintf(&full, "%s/%s", context, p) < 0)
			abort();
		struct stat st;
		if (stat(full, &st) != 0) {
			snprintf(err, errlen, "--build-context %s: %s", p, strerror(errno));
			free(full);
			kf_buf_release(&k);
			return NULL;
		}
		char *chart;
		if (asprintf(&chart, "%s/Chart.yaml", full) < 0)
			abort();
		struct stat cs;
		bool is_chart = S_ISDIR(st.st_mode) && stat(chart, &cs) == 0;
		free(chart);
		free(full);
		/* the rootfs conventions of docs/language.md */
		size_t n = strlen(p);
		while (n > 1 && p[n - 1] == '/')
			n--;
		const char *base = p + n;
		while (base > p && base[-1] != '/')
			base--;
		int blen = (int)(p + n - base);
		kf_buf_adds(&k, "COPY ");
		add_word(&k, p);
		if (is_chart)
			kf_buf_printf(&k, " charts/%.*s/\n", blen, base);
		else if (S_ISDIR(st.st_mode))
			kf_buf_printf(&k, " %.*s/\n", blen, base);
		else if (ends_with(p, ".yaml") || ends_with(p, ".yml"))
			kf_buf_adds(&k, " manifests/\n");
		else if (ends_with(p, ".tgz"))
			kf_buf_adds(&k, " charts/\n");
		else if (ends_with(p, ".sh"))
			kf_buf_adds(&k, " scripts/\n");
		else
			kf_buf_adds(&k, " ./\n");
	}
	if (s->nimages) {
		kf_buf_adds(&k, "IMAGES ");
		add_json(&k, s->images, s->nimages);
		kf_buf_addc(&k, '\n');
	}
	if (s->nstartup_cmds) {
		kf_buf_adds(&k, "CMDS ");
		add_json(&k, s->startup_cmds, s->nstartup_cmds);
		kf_buf_addc(&k, '\n');
	}
	/* formatted as kfc fmt has it */
	kf_source src;
	if (!kf_source_init_mem(&src, "Kubefile", k.ptr, k.len, NULL)) {
		snprintf(err, errlen, "the Kubefile is too large");
		kf_buf_release(&k);
		return NULL;
	}
	kf_buf_release(&k);
	kf_document *doc = kf_parse(&src);
	kf_fmt_options fo = KF_FMT_OPTIONS_INIT;
	kf_buf out = KF_BUF_INIT;
	kf_format(doc, &fo, &out);
	kf_document_free(doc);
	kf_source_release(&src);
	return out.ptr;
}
