/* SPDX-License-Identifier: Apache-2.0 */
/* manifests.c - helm template's printing of rendered templates (chart.h,
 * docs/imagelist.md): releaseutil.SplitManifests, the hooks (unknown
 * events left out) and SortManifests's install order, as helm v3.8.1.
 */
#include "discovery/chart.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/vec.h"

static kf_tv *mget(kf_tv m, const char *k)
{
	return m.kind == KF_TV_MAP ? kf_tv_map_get(m.u.map, k, strlen(k)) : NULL;
}

/* ---- helm template's printing ---------------------------------------------------------------------- */

typedef struct mdoc {
	char *name;
	char *text;
	const char *kind;
	int order; /* in InstallOrder, or -1 */
	bool hook;
} mdoc;

struct kf_chart_manifests {
	KF_VEC(mdoc) docs;
	kf_arena a;
};

static const char *const install_order[] = {
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
	"ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
	"PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet",
	"Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
	"CronJob", "IngressClass", "Ingress", "APIService",
};

static const char *const hook_events[] = {
	"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade", "pre-rollback",
	"post-rollback", "test", "test-success",
};

kf_chart_manifests *kf_chart_manifests_new(void)
{
	kf_chart_manifests *m = kf_xcalloc(1, sizeof(*m));
	kf_arena_init(&m->a);
	return m;
}

void kf_chart_manifests_free(kf_chart_manifests *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->docs.n; i++) {
		free(m->docs.v[i].name);
		free(m->docs.v[i].text);
	}
	kf_vec_free(&m->docs);
	kf_arena_release(&m->a);
	free(m);
}

static bool go_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* regexp \s: no \v */
static bool re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* one document: its kind and whether it is a hook helm prints (unknown
 * hooks are left out: false returned) */
static bool doc_head(kf_arena *a, mdoc *d)
{
	kf_tv v;
	struct kf_err e;
	d->kind = "";
	d->hook = false;
	if (!kf_tv_from_yaml(a, d->text, strlen(d->text), false, &v, &e) || v.kind != KF_TV_MAP)
		return true;
	kf_tv *k = mget(v, "kind");
	if (k && k->kind == KF_TV_STRING)
		d->kind = k->u.s.p;
	kf_tv *md = mget(v, "metadata");
	kf_tv *ann = md ? mget(*md, "annotations") : NULL;
	kf_tv *h = ann ? mget(*ann, "helm.sh/hook") : NULL;
	if (!h || h->kind != KF_TV_STRING)
		return true;
	d->hook = true;
	const char *s = h->u.s.p;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		while (n && go_space(*s)) {
			s++;
			n--;
		}
		while (n && go_space(s[n - 1]))
			n--;
		bool known = false;
		for (size_t i = 0; i < sizeof(hook_events) / sizeof(hook_events[0]) && !known; i++)
			known = strlen(hook_events[i]) == n && strncasecmp(hook_events[i], s, n) == 0;
		if (!known)
			return false;
		if (!comma)
			break;
		s = comma + 1;
	}
	return true;
}

/* releaseutil.SplitManifests: the documents of text, split at
 * (?:^|\s*\n)---\s* of the trimmed text; each piece [s, e) to fn */
static void split_docs(const char *text, size_t len, void (*fn)(void *ud, const char *s, const char *e), void *ud)
{
	const char *s = text, *e = text + len;
	while (s < e && go_space(*s))
		s++;
	while (e > s && go_space(e[-1]))
		e--;
	if (s == e)
		return;
	const char *p = s, *piece = s;
	if (e - s >= 3 && memcmp(s, "---", 3) == 0) {
		p = s + 3;
		while (p < e && re_space(*p))
			p++;
		piece = p;
	}
	for (;;) {
		const char *j = NULL;
		for (const char *q = p; q + 4 <= e; q++)
			if (q[0] == '\n' && memcmp(q + 1, "---", 3) == 0) {
				j = q;
				break;
			}
		if (!j) {
			if (e > piece)
				fn(ud, piece, e);
			break;
		}
		const char *i = j;
		while (i > p && re_space(i[-1]))
			i--;
		if (i > piece)
			fn(ud, piece, i);
		p = j + 4;
		while (p < e && re_space(*p))
			p++;
		piece = p;
	}
}

typedef struct add_ctx {
	kf_chart_manifests *m;
	const char *name;
} add_ctx;

static void add_doc(void *ud, const char *s, const char *e)
{
	add_ctx *ac = ud;
	kf_chart_manifests *m = ac->m;
	while (s < e && go_space(*s))
		s++;
	while (e > s && go_space(e[-1]))
		e--;
	mdoc d = {kf_xstrdup(ac->name), NULL, "", -1, false};
	d.text = kf_xmalloc((size_t)(e - s) + 1);
	memcpy(d.text, s, (size_t)(e - s));
	d.text[e - s] = '\0';
	if (!doc_head(&m->a, &d)) {
		free(d.name);
		free(d.text);
		return;
	}
	for (size_t i = 0; i < sizeof(install_order) / sizeof(install_order[0]); i++)
		if (strcmp(d.kind, install_order[i]) == 0)
			d.order = (int)i;
	kf_vec_push(&m->docs, d);
}

void kf_chart_manifests_add(kf_chart_manifests *m, const char *name, const char *text, size_t len)
{
	add_ctx ac = {m, name};
	split_docs(text, len, add_doc, &ac);
}

/* a document helm leaves out is made blank, its line ends kept */
static void blank_doc(void *ud, const char *s, const char *e)
{
	kf_arena *a = ud;
	mdoc d = {NULL, kf_arena_strndup(a, s, (size_t)(e - s)), "", -1, false};
	if (doc_head(a, &d))
		return;
	for (char *p = (char *)s; p < e; p++)
		if (*p != '\n')
			*p = ' ';
}

void kf_chart_blank_skipped(char *text, size_t len)
{
	kf_arena a;
	kf_arena_init(&a);
	split_docs(text, len, blank_doc, &a);
	kf_arena_release(&a);
}

/* helm's lessByKind */
static bool less_kind(const mdoc *x, const mdoc *y)
{
	if (x->order < 0 && y->order < 0)
		return strcmp(x->kind, y->kind) < 0;
	if (x->order < 0)
		return false;
	if (y->order < 0)
		return true;
	return x->order < y->order;
}

static void stable_sort(mdoc **v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && less_kind(v[k], v[k - 1]); k--) {
			mdoc *x = v[k];
			v[k] = v[k - 1];
			v[k - 1] = x;
		}
}

void kf_chart_manifests_print(kf_chart_manifests *m, kf_buf *out)
{
	size_t n = m->docs.n;
	mdoc **gen = kf_xmalloc((n + 1) * sizeof(*gen)), **hooks = kf_xmalloc((n + 1) * sizeof(*hooks));
	size_t ng = 0, nh = 0;
	for (size_t i = 0; i < n; i++) {
		if (m->docs.v[i].hook)
			hooks[nh++] = &m->docs.v[i];
		else
			gen[ng++] = &m->docs.v[i];
	}
	stable_sort(gen, ng);
	stable_sort(hooks, nh);
	kf_buf b = KF_BUF_INIT;
	for (size_t i = 0; i < ng; i++)
		kf_buf_printf(&b, "---\n# Source: %s\n%s\n", gen[i]->name, gen[i]->text);
	/* fmt.Fprintln(strings.TrimSpace(rel.Manifest)) */
	const char *s = b.ptr ? b.ptr : "", *e = s + b.len;
	while (s < e && go_space(*s))
		s++;
	while (e > s && go_space(e[-1]))
		e--;
	kf_buf_add(out, s, (size_t)(e - s));
	kf_buf_addc(out, '\n');
	kf_buf_release(&b);
	for (size_t i = 0; i < nh; i++)
		kf_buf_printf(out, "---\n# Source: %s\n%s\n", hooks[i]->name, hooks[i]->text);
	free(gen);
	free(hooks);
}
