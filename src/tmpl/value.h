/* SPDX-License-Identifier: Apache-2.0 */
/* value.h - the values a Go template works on (tmpl.h), as helm gives them.
 *
 * The data model of Go's text/template seen through helm: what
 * sigs.k8s.io/yaml and encoding/json decode into interface{} (nil, bool,
 * float64, string, []interface{}, map[string]interface{}), plus the int64
 * and int that template literals and sprig's functions make, and objects
 * with fields and methods (.Files, .Capabilities.APIVersions).
 *
 * Numbers: helm decodes values.yaml and Chart.yaml through JSON, so every
 * number read from YAML is a KF_TV_FLOAT (`replicas: 3` is float64 3, and
 * `{{ .Values.big }}` of 1000000 prints "1e+06", as in helm). KF_TV_INT is
 * Go's int/int64 (literals `3`, len, add, int, atoi...). Printing follows
 * Go's fmt %v (kf_tv_print).
 *
 * Memory: every value of a render lives in the render's arena (tmpl.h's
 * kf_tmpl_run owns one); nothing is freed piece by piece. Strings are
 * immutable byte strings (not necessarily NUL-free; always NUL-terminated
 * for convenience). Lists and maps are references, as Go's slices and maps
 * are: `set $d "k" 1` changes the map every holder of $d sees; a list's
 * items are not changed in place by any function (append copies).
 * Maps iterate in sorted key order (Go's range and printing sort keys;
 * sprig's keys returns them unordered in Go, sorted here: deterministic).
 */
#ifndef KF_TMPL_VALUE_H
#define KF_TMPL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

typedef enum kf_tv_kind {
	KF_TV_NIL,    /* Go's nil interface (YAML null, a missing key under missingkey=zero) */
	KF_TV_BOOL,
	KF_TV_INT,    /* int64 */
	KF_TV_FLOAT,  /* float64 */
	KF_TV_STRING,
	KF_TV_LIST,   /* []interface{} */
	KF_TV_MAP,    /* map[string]interface{} */
	KF_TV_OBJECT, /* a Go struct or pointer with fields and methods (kf_tv_class) */
} kf_tv_kind;

typedef struct kf_tv_list kf_tv_list;
typedef struct kf_tv_map kf_tv_map;
typedef struct kf_tv_object kf_tv_object;

/* A value: small, copied by value; lists, maps and objects by reference. */
typedef struct kf_tv {
	kf_tv_kind kind;
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *p; /* NUL-terminated, len bytes before the NUL */
			size_t len;
		} s;
		kf_tv_list *list;
		kf_tv_map *map;
		kf_tv_object *obj;
	} u;
} kf_tv;

struct kf_tv_list {
	kf_tv *items;
	size_t len, cap;
};

/* A map: string keys, kept sorted by key (byte order), so iteration,
 * printing and toYaml are in Go's sorted order. */
typedef struct kf_tv_pair {
	const char *key; /* NUL-terminated */
	size_t klen;
	kf_tv val;
} kf_tv_pair;
struct kf_tv_map {
	kf_tv_pair *pairs;
	size_t len, cap;
};

/* An object's class: how its fields and methods are looked up. get is
 * called for `.Name` (nargs 0, as a field or a method without arguments)
 * and for a method call `.Name a b` (the arguments evaluated). It returns
 * 1 with *out set, 0 when the object has no such field or method (the
 * engine reports "can't evaluate field Name in type T"), or -1 with an
 * error message written to err (a method that failed). */
typedef struct kf_tv_class {
	const char *type_name; /* as Go would name it in messages: "chartutil.Files" */
	int (*get)(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a, kf_tv *out,
		   kf_buf *err);
	/* optional: how %v prints it (NULL: "{...}"-less type name in braces) */
	void (*print)(kf_tv_object *self, kf_buf *out);
	/* optional: the object as a map, for an object that is one in Go (helm's
	 * Files is a map[string][]byte): what range, len and index see */
	kf_tv (*as_map)(kf_tv_object *self, kf_arena *a);
} kf_tv_class;

struct kf_tv_object {
	const kf_tv_class *cls;
	void *data; /* the class's */
};

/* ---- making values -------------------------------------------------------------------- */

static inline kf_tv kf_tv_nil(void) { return (kf_tv){.kind = KF_TV_NIL}; }
static inline kf_tv kf_tv_bool(bool b) { return (kf_tv){.kind = KF_TV_BOOL, .u.b = b}; }
static inline kf_tv kf_tv_int(int64_t i) { return (kf_tv){.kind = KF_TV_INT, .u.i = i}; }
static inline kf_tv kf_tv_float(double f) { return (kf_tv){.kind = KF_TV_FLOAT, .u.f = f}; }
/* copies p[0, len) into a */
kf_tv kf_tv_str(kf_arena *a, const char *p, size_t len);
kf_tv kf_tv_cstr(kf_arena *a, const char *s);
/* takes p (already in a, NUL-terminated at len) without copying */
kf_tv kf_tv_str_owned(const char *p, size_t len);
kf_tv kf_tv_new_list(kf_arena *a, size_t cap);
kf_tv kf_tv_new_map(kf_arena *a);
kf_tv kf_tv_new_object(kf_arena *a, const kf_tv_class *cls, void *data);

void kf_tv_list_push(kf_arena *a, kf_tv_list *l, kf_tv v);
/* the value of key, or NULL */
kf_tv *kf_tv_map_get(const kf_tv_map *m, const char *key, size_t klen);
/* sets key (copied into a) to v, replacing an old value */
void kf_tv_map_set(kf_arena *a, kf_tv_map *m, const char *key, size_t klen, kf_tv v);
bool kf_tv_map_del(kf_tv_map *m, const char *key, size_t klen);
/* The same by a NUL-terminated key, on a value: kf_tv_get is NULL when m is
 * no map; kf_tv_put needs a map. */
static inline kf_tv *kf_tv_get(kf_tv m, const char *key)
{
	return m.kind == KF_TV_MAP ? kf_tv_map_get(m.u.map, key, strlen(key)) : NULL;
}
static inline void kf_tv_put(kf_arena *a, kf_tv m, const char *key, kf_tv v)
{
	kf_tv_map_set(a, m.u.map, key, strlen(key), v);
}

/* A copy of lists and maps all the way down (sprig's deepCopy, helm's
 * values coalescing); strings and objects are shared. */
kf_tv kf_tv_deep_copy(kf_arena *a, kf_tv v);

/* ---- reading values ------------------------------------------------------------------- */

/* v itself, or for an object whose class has a map view, that map */
kf_tv kf_tv_map_view(kf_arena *a, kf_tv v);

/* Go text/template's truth: false, 0, nil, "" and empty lists and maps are
 * false; objects are true. */
bool kf_tv_truth(kf_tv v);
/* Go's fmt %v of v into out: nil → "<nil>", 1e6 → "1e+06", 3.0 → "3",
 * lists "[a b]", maps "map[a:1 b:2]" (sorted keys). */
void kf_tv_print(kf_buf *out, kf_tv v);
/* the Go type name used in messages: "string", "float64", "int",
 * "[]interface {}", "map[string]interface {}", "<nil>", the class's name */
const char *kf_tv_type_name(kf_tv v);
/* deep equality as reflect.DeepEqual on decoded values (int 1 != float 1) */
bool kf_tv_equal(kf_tv a, kf_tv b);

/* ---- YAML and JSON ---------------------------------------------------------------------- */

struct kf_err;

/* Decodes YAML text as helm does (sigs.k8s.io/yaml: YAML 1.1 scalars as
 * go-yaml v2 resolves them, then through JSON, so numbers become floats
 * and map keys strings). all: every document into a list (one value
 * otherwise: the first document, nil when empty). With the project's YAML
 * limits (syntax/yamlload.h); an alias-expansion budget bounds the values
 * made. On invalid YAML returns false with "line:col: problem" in e. */
bool kf_tv_from_yaml(kf_arena *a, const char *text, size_t len, bool all, kf_tv *out, struct kf_err *e);
/* Encodes v as helm's toYaml does (sigs.k8s.io/yaml.Marshal: JSON, then
 * go-yaml v2's emitter: sorted keys, 2-space indent, block style, go-yaml's
 * quoting); appends to out, with its final newline as go-yaml writes it. */
bool kf_tv_to_yaml(kf_buf *out, kf_tv v, struct kf_err *e);
bool kf_tv_from_json(kf_arena *a, const char *text, size_t len, kf_tv *out, struct kf_err *e);
/* encoding/json's Marshal (sorted keys, HTML-escaped <, >, & as Go does) */
bool kf_tv_to_json(kf_buf *out, kf_tv v, bool pretty, struct kf_err *e);

#endif
