/* SPDX-License-Identifier: Apache-2.0 */
/* model.c - see model.h */
#include "sema/model.h"

#include <stdlib.h>
#include <string.h>

#include "base/vec.h"

static const char *dialect_name(kf_dialect d)
{
	switch (d) {
	case KF_DIALECT_AUTO: return "auto";
	case KF_DIALECT_SEALER: return "sealer";
	case KF_DIALECT_SEALER_LEGACY: return "sealer-legacy";
	case KF_DIALECT_SEALOS: return "sealos";
	}
	return "sealer";
}

bool kf_dialect_parse(const char *s, kf_dialect *out)
{
	static const kf_dialect all[] = {KF_DIALECT_AUTO, KF_DIALECT_SEALER, KF_DIALECT_SEALER_LEGACY,
					 KF_DIALECT_SEALOS};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, dialect_name(all[i])) == 0) {
			*out = all[i];
			return true;
		}
	}
	return false;
}

static bool copies_into(const kf_instr *in, const char *dir)
{
	const kf_word *dest = kf_copy_dest(in);
	if (!dest)
		return false;
	kf_str d = dest->text;
	size_t n = strlen(dir);
	while (d.len && d.ptr[0] == '/') {
		d.ptr++;
		d.len--;
	}
	return d.len >= n && memcmp(d.ptr, dir, n) == 0 && (d.len == n || d.ptr[n] == '/');
}

const char *const kf_sealos_builtins[] = {"SEALOS_SYS_KUBE_VERSION", "SEALOS_SYS_SEALOS_VERSION", NULL};

/* a letter or digit as sealos' Go code sees a byte: unicode.IsLetter and
 * IsDigit of the byte taken as a rune (so Latin-1 for bytes >= 0x80) */
static bool go_alnum(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}

static bool name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* The reading of sealos' expansion.Expand (lifecycle/fork/golang/expansion),
 * as it substitutes Cmd and Entrypoint (lifecycle/pkg/guest/guest.go). */
kf_sealos_tok kf_sealos_next(kf_str t, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos;
	while (i + 1 < t.len) {
		if (t.ptr[i] != '$') {
			i++;
			continue;
		}
		char c = t.ptr[i + 1];
		if (c == '$') {
			*start = i;
			*end = *pos = i + 2;
			return KF_SEALOS_DOLLAR;
		}
		if (c == '(' || c == '{') {
			const char *q = memchr(t.ptr + i + 2, c == '(' ? ')' : '}', t.len - i - 2);
			if (!q) {
				i += 2; /* not closed: "$(" is kept, the text goes on after it */
				continue;
			}
			size_t s = i, e = (size_t)(q - t.ptr) + 1;
			i = e;
			if (c == '{' || e - s < 4 || !name_start(t.ptr[s + 2]))
				continue;
			size_t k = s + 3;
			while (k < e - 1 && name_char(t.ptr[k]))
				k++;
			if (k != e - 1)
				continue;
			*start = s;
			*end = *pos = e;
			return KF_SEALOS_REF;
		}
		/* $NAME, or $ and one more byte */
		size_t k = i + 1;
		while (k < t.len && go_alnum((unsigned char)t.ptr[k]))
			k++;
		i = k > i + 1 ? k : i + 2;
	}
	*pos = t.len;
	return KF_SEALOS_NONE;
}

bool kf_sealos_ref_next(kf_str t, size_t *pos, size_t *start, size_t *end)
{
	kf_sealos_tok k;
	while ((k = kf_sealos_next(t, pos, start, end)) == KF_SEALOS_DOLLAR)
		;
	return k == KF_SEALOS_REF;
}

static bool lower_in(kf_str name)
{
	for (size_t i = 0; i < name.len; i++)
		if (name.ptr[i] >= 'a' && name.ptr[i] <= 'z')
			return true;
	return false;
}

bool kf_model_sealos_var(const kf_model *m, kf_str name)
{
	if (!lower_in(name))
		return true;
	for (uint32_t i = 0; i < m->ndefs; i++)
		if (!m->defs[i].is_arg && kf_str_eq(m->defs[i].name, name))
			return true;
	return false;
}

/* $(NAME) in a text, in the environment's style (kf_model_sealos_var
 * without the definitions, which detection does not have) */
static bool sealos_var(kf_str t)
{
	size_t pos = 0, s, e;
	while (kf_sealos_ref_next(t, &pos, &s, &e))
		if (!lower_in(kf_str_make(t.ptr + s + 2, e - s - 3)))
			return true;
	return false;
}

/* The dialect a file is written in, from its idioms (docs/kflint.md). */
static kf_dialect detect(const kf_document *doc)
{
	bool sealos = false, legacy = false;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (kf_kind_is_cluster((kf_kind)in->kind))
			return KF_DIALECT_SEALER;
		if (in->kind == KF_INSTR_LABEL)
			for (uint32_t k = 0; k < in->npairs; k++)
				if (kf_str_has_prefix(kf_pair_key(&in->pairs[k]).text, "sealos.io"))
					sealos = true;
		/* CMD ["cmd line", …], USER (sealos app images run as 65532),
		 * $(VAR) in commands: sealos writes these, sealer does not */
		if (in->kind == KF_INSTR_CMD && in->form == KF_FORM_JSON)
			sealos = true;
		if (in->kind == KF_INSTR_USER)
			sealos = true;
		if (in->kind == KF_INSTR_CMD)
			for (uint32_t k = 0; k < in->nargs; k++)
				if (sealos_var(in->args[k].text))
					sealos = true;
		if (in->kind == KF_INSTR_CMD && in->form == KF_FORM_SHELL)
			legacy = true;
		if (in->kind == KF_INSTR_COPY && (copies_into(in, "manifests") || copies_into(in, "charts")) && !sealos)
			legacy = true;
	}
	if (sealos)
		return KF_DIALECT_SEALOS;
	return legacy ? KF_DIALECT_SEALER_LEGACY : KF_DIALECT_SEALER;
}

typedef struct builder {
	kf_model *m;
	KF_VEC(kf_app) apps;
	KF_VEC(kf_app_ref) refs;
	KF_VEC(kf_var_def) defs;
	KF_VEC(kf_var_use) uses;
	const kf_instr *in;
	const kf_word *word;
	uint32_t *index;   /* app names by hash: index into apps + 1, 0 empty */
	size_t index_cap;  /* a power of two, at least twice the apps */
} builder;

static uint32_t name_hash(kf_str s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (unsigned char)s.ptr[i]) * 16777619u;
	return h;
}

/* a Kubefile may declare hundreds of apps and name them again as often:
 * look them up by hash, not by a scan; the app named name in apps, or NULL */
static kf_app *probe(const uint32_t *index, size_t cap, kf_app *apps, kf_str name)
{
	if (!cap)
		return NULL;
	size_t mask = cap - 1;
	for (size_t h = name_hash(name) & mask; index[h]; h = (h + 1) & mask)
		if (kf_str_eq(apps[index[h] - 1].name, name))
			return &apps[index[h] - 1];
	return NULL;
}

static kf_app *find_app(builder *b, kf_str name)
{
	return probe(b->index, b->index_cap, b->apps.v, name);
}

static void index_app(builder *b, size_t i)
{
	if ((b->apps.n) * 2 > b->index_cap) {
		free(b->index);
		b->index_cap = b->index_cap ? b->index_cap * 2 : 64;
		b->index = kf_xcalloc(b->index_cap, sizeof(uint32_t));
		for (size_t k = 0; k < b->apps.n; k++)
			if (k != i)
				index_app(b, k);
	}
	size_t mask = b->index_cap - 1;
	size_t h = name_hash(b->apps.v[i].name) & mask;
	while (b->index[h])
		h = (h + 1) & mask;
	b->index[h] = (uint32_t)i + 1;
}

static void declare(builder *b, const kf_instr *in)
{
	const kf_word *name = kf_instr_name(in);
	if (!name)
		return;
	kf_app *a = find_app(b, name->text);
	if (a) {
		a->last = in;
		a->ndecls++;
		return;
	}
	kf_app app;
	memset(&app, 0, sizeof(app));
	app.name = name->text;
	app.decl = app.last = in;
	app.ndecls = 1;
	kf_vec_push(&b->apps, app);
	index_app(b, b->apps.n - 1);
}

/* Refs point into the apps vector by index until it stops growing. */
static void refer(builder *b, const kf_instr *in, const kf_word *w)
{
	kf_app *a = find_app(b, w->text);
	kf_app_ref r = {w, in, a ? (const kf_app *)(uintptr_t)(a - b->apps.v + 1) : NULL};
	if (a && in->kind == KF_INSTR_LAUNCH)
		a->launched = true;
	if (a && in->kind == KF_INSTR_APPCMDS)
		a->appcmds = in;
	kf_vec_push(&b->refs, r);
}

static const kf_var_def *lookup(builder *b, kf_str name)
{
	/* the latest definition before the instruction being read */
	for (size_t i = b->defs.n; i > 0; i--)
		if (b->defs.v[i - 1].in != b->in && kf_str_eq(b->defs.v[i - 1].name, name))
			return (const kf_var_def *)(uintptr_t)i;
	return NULL;
}

static bool on_ref(void *ctx, const kf_var_ref *ref)
{
	builder *b = ctx;
	const kf_word *w = b->word;
	kf_var_use u;
	memset(&u, 0, sizeof(u));
	u.name = kf_str_make(w->text.ptr + ref->name_start, ref->name_end - ref->name_start);
	/* exact when the word is its source text; else the word's start */
	bool exact = w->span.end - w->span.start == w->text.len;
	u.span = exact ? (kf_span){w->span.start + (uint32_t)ref->start, w->span.start + (uint32_t)ref->end}
		       : w->span;
	u.in = b->in;
	u.op = ref->op;
	u.builtin = kf_builtin_var(u.name) || ref->special;
	u.def = u.builtin ? NULL : lookup(b, u.name);
	kf_vec_push(&b->uses, u);
	return true;
}

static void scan(builder *b, const kf_word *w)
{
	kf_expand_error err;
	if (!w->text.len || !memchr(w->text.ptr, '$', w->text.len))
		return; /* no variable without a '$' (most words) */
	b->word = w;
	kf_expand_scan_refs(w->text, b->m->doc->escape, on_ref, b, &err);
}

/* The source offset of byte off of w's text (off <= its length), or
 * UINT32_MAX when it cannot be told: exact when the word is its source
 * text or a JSON string (its escapes decoded as jansson decodes them). */
static uint32_t source_at(const kf_source *src, const kf_word *w, size_t off)
{
	uint32_t n = w->span.end - w->span.start;
	if (n == w->text.len)
		return w->span.start + (uint32_t)off;
	const char *t = src->text;
	if (n < 2 || t[w->span.start] != '"' || t[w->span.end - 1] != '"')
		return UINT32_MAX;
	if (n == w->text.len + 2)
		return w->span.start + 1 + (uint32_t)off;
	uint32_t p = w->span.start + 1, e = w->span.end - 1;
	size_t at = 0;
	while (at < off && p < e) {
		if (t[p] != '\\' || p + 1 >= e) {
			p++;
			at++;
			continue;
		}
		if (t[p + 1] != 'u') {
			p += 2;
			at++;
			continue;
		}
		unsigned cp = 0;
		for (uint32_t k = p + 2; k < p + 6 && k < e; k++)
			cp = cp * 16 + (unsigned)(t[k] <= '9' ? t[k] - '0' : (t[k] | 0x20) - 'a' + 10);
		if (cp >= 0xD800 && cp < 0xDC00 && p + 12 <= e) {
			p += 12; /* a surrogate pair: one code point of 4 bytes */
			at += 4;
		} else {
			p += 6;
			at += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
		}
	}
	return at == off ? p : UINT32_MAX;
}

/* The $(NAME) of a CMD or ENTRYPOINT word in the sealos dialect, as uses
 * (kept or dropped, and resolved, once every ENV is known). */
static void scan_sealos(builder *b, const kf_word *w)
{
	const kf_source *src = b->m->doc->src;
	/* the whole text must map onto the span (else: the word's span) */
	uint32_t last = w->span.end - w->span.start == w->text.len ? w->span.end : w->span.end - 1;
	bool exact = source_at(src, w, w->text.len) == last;
	size_t pos = 0, s, e;
	while (kf_sealos_ref_next(w->text, &pos, &s, &e)) {
		kf_var_use u;
		memset(&u, 0, sizeof(u));
		u.name = kf_str_make(w->text.ptr + s + 2, e - s - 3);
		u.span = w->span;
		uint32_t a = exact ? source_at(src, w, s) : UINT32_MAX, z = exact ? source_at(src, w, e) : UINT32_MAX;
		if (a != UINT32_MAX && z != UINT32_MAX)
			u.span = (kf_span){a, z};
		u.in = b->in;
		u.op = KF_VAR_PLAIN;
		u.sealos = true;
		kf_vec_push(&b->uses, u);
	}
}

static bool expands(kf_kind k)
{
	switch (k) {
	case KF_INSTR_FROM: case KF_INSTR_COPY: case KF_INSTR_ADD: case KF_INSTR_ENV:
	case KF_INSTR_ARG: case KF_INSTR_LABEL: case KF_INSTR_APP: case KF_INSTR_CNI:
	case KF_INSTR_CSI: case KF_INSTR_PLUGINS: case KF_INSTR_IMAGES: case KF_INSTR_KUBEVERSION:
		return true;
	default:
		return false;
	}
}

static void define(builder *b, const kf_instr *in, const kf_pair *pr)
{
	kf_var_def d;
	memset(&d, 0, sizeof(d));
	d.name = kf_pair_key(pr).text;
	d.span = pr->key;
	d.in = in;
	d.is_arg = in->kind == KF_INSTR_ARG;
	d.has_value = pr->sep != KF_SEP_NONE;
	kf_vec_push(&b->defs, d);
}

static void read_instr(builder *b, const kf_instr *in, bool onbuild)
{
	kf_kind k = (kf_kind)in->kind;
	b->in = in;
	/* sealos run substitutes $(NAME) in the image's Cmd and Entrypoint
	 * (not in an ONBUILD's, which are not the image's) */
	if ((k == KF_INSTR_CMD || k == KF_INSTR_ENTRYPOINT) && b->m->dialect == KF_DIALECT_SEALOS && !in->broken &&
	    !onbuild)
		for (uint32_t i = 0; i < in->nargs; i++)
			scan_sealos(b, &in->args[i]);
	if (expands(k) && !in->broken) {
		for (uint32_t i = 0; i < in->nargs; i++)
			scan(b, &in->args[i]);
		if (kf_instr_name(in))
			scan(b, kf_instr_name(in));
		for (uint32_t i = 0; i < in->npairs; i++) {
			kf_word v = kf_pair_value(&in->pairs[i]);
			if (in->pairs[i].sep != KF_SEP_NONE)
				scan(b, &v);
			if (k == KF_INSTR_LABEL) {
				kf_word key = kf_pair_key(&in->pairs[i]);
				scan(b, &key);
			}
		}
	}
	switch (k) {
	case KF_INSTR_FROM:
		if (!b->m->from)
			b->m->from = in;
		b->m->nfrom++;
		break;
	case KF_INSTR_ARG:
	case KF_INSTR_ENV:
		for (uint32_t i = 0; i < in->npairs && !in->broken; i++)
			define(b, in, &in->pairs[i]);
		break;
	case KF_INSTR_APP:
	case KF_INSTR_CNI:
	case KF_INSTR_CSI:
		declare(b, in);
		break;
	case KF_INSTR_APPCMDS:
	case KF_INSTR_APPENV:
		if (kf_instr_name(in) && !in->broken)
			refer(b, in, kf_instr_name(in));
		break;
	case KF_INSTR_LAUNCH:
		if (!b->m->launch)
			b->m->launch = in;
		for (uint32_t i = 0; i < in->nargs && !in->broken; i++)
			refer(b, in, &in->args[i]);
		break;
	case KF_INSTR_CMDS:
		if (!b->m->cmds)
			b->m->cmds = in;
		break;
	case KF_INSTR_CMD:
		b->m->ncmd++;
		break;
	default:
		break;
	}
}

/* The sealos uses once every definition is known: the image's Env holds
 * the last ENV of a name (an ARG is not in it, but is the definition to
 * show); a $(name) that is not a sealos variable is the shell's and
 * leaves the uses. m->defs is final; a use's def is still a 1-based
 * index into it. */
static void resolve_sealos(kf_model *m, builder *b)
{
	size_t w = 0;
	for (size_t i = 0; i < b->uses.n; i++) {
		kf_var_use u = b->uses.v[i];
		if (u.sealos) {
			if (!kf_model_sealos_var(m, u.name))
				continue;
			for (const char *const *p = kf_sealos_builtins; *p; p++)
				if (kf_str_eq_cstr(u.name, *p))
					u.builtin = true;
			size_t env = 0, arg = 0;
			for (uint32_t k = 0; k < m->ndefs; k++)
				if (kf_str_eq(m->defs[k].name, u.name))
					*(m->defs[k].is_arg ? &arg : &env) = k + 1;
			u.def = (const kf_var_def *)(uintptr_t)(env ? env : arg);
		}
		b->uses.v[w++] = u;
	}
	b->uses.n = w;
}

kf_model *kf_model_build(const kf_document *doc, kf_dialect dialect)
{
	kf_model *m = kf_xcalloc(1, sizeof(*m));
	kf_arena_init(&m->arena);
	m->doc = doc;
	m->dialect_detected = dialect == KF_DIALECT_AUTO;
	m->dialect = dialect == KF_DIALECT_AUTO ? detect(doc) : dialect;
	builder b;
	memset(&b, 0, sizeof(b));
	b.m = m;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		read_instr(&b, in, false);
		if (kf_onbuild_inner(in))
			read_instr(&b, kf_onbuild_inner(in), true);
	}
	kf_vec_take(&b.apps, 0, &m->arena, m->apps, m->napps);
	kf_vec_take(&b.defs, 0, &m->arena, m->defs, m->ndefs);
	kf_vec_take(&b.refs, 0, &m->arena, m->refs, m->nrefs);
	resolve_sealos(m, &b);
	kf_vec_take(&b.uses, 0, &m->arena, m->uses, m->nuses);
	kf_vec_free(&b.apps);
	kf_vec_free(&b.defs);
	kf_vec_free(&b.refs);
	kf_vec_free(&b.uses);
	/* the index survives the builder: kf_model_app answers from it */
	m->app_index_cap = (uint32_t)b.index_cap;
	m->app_index = b.index_cap ? kf_arena_memdup(&m->arena, b.index, b.index_cap * sizeof(uint32_t)) : NULL;
	free(b.index);
	/* indexes (1-based, so that 0 stays NULL) become pointers */
	for (uint32_t i = 0; i < m->nrefs; i++)
		if (m->refs[i].app)
			m->refs[i].app = &m->apps[(uintptr_t)m->refs[i].app - 1];
	for (uint32_t i = 0; i < m->nuses; i++) {
		if (m->uses[i].def) {
			kf_var_def *d = &m->defs[(uintptr_t)m->uses[i].def - 1];
			/* sealos run does not see an ARG: KF215 says so */
			if (!(m->uses[i].sealos && d->is_arg))
				d->used = true;
			m->uses[i].def = d;
		}
	}
	return m;
}

void kf_model_free(kf_model *m)
{
	if (!m)
		return;
	kf_arena_release(&m->arena);
	free(m);
}

const kf_app *kf_model_app(const kf_model *m, kf_str name)
{
	return probe(m->app_index, m->app_index_cap, m->apps, name);
}
