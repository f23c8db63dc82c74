/* SPDX-License-Identifier: Apache-2.0 */
/* helmfuncs.c - the functions helm v3.8.1 adds to its templates
 * (pkg/engine/funcs.go and engine.go): include, tpl, required, fail, the
 * YAML and JSON conversions with helm's handling of their errors (toYaml
 * gives "" on an error, fromYaml a map with the error under "Error"), and
 * lookup as `helm template` has it (no cluster: an empty map).
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "tmpl/tmplint.h"

static bool want_string(kf_tmpl_call *c, kf_tv v)
{
	if (v.kind == KF_TV_STRING)
		return true;
	return kf_tmpl_call_fail(c, "wrong type for value; expected string; got %s", kf_tv_type_name(v));
}

static kf_tv buf_value(kf_tmpl_call *c, kf_buf *b)
{
	kf_tv v = kf_tv_str(kf_tmpl_call_arena(c), b->ptr ? b->ptr : "", b->len);
	kf_buf_release(b);
	return v;
}

static bool fn_include(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	if (!want_string(c, args[0]))
		return false;
	kf_buf b = KF_BUF_INIT;
	if (!kf_tmpl_call_include(c, args[0].u.s.p, args[1], &b)) {
		kf_buf_release(&b);
		return false;
	}
	if (!kf_tmpl_call_charge(c, b.len)) {
		kf_buf_release(&b);
		return false;
	}
	*out = buf_value(c, &b);
	return true;
}

static bool fn_tpl(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	if (!want_string(c, args[0]))
		return false;
	if (args[1].kind != KF_TV_MAP && args[1].kind != KF_TV_NIL && args[1].kind != KF_TV_OBJECT)
		return kf_tmpl_call_fail(c, "wrong type for value; expected chartutil.Values; got %s",
					 kf_tv_type_name(args[1]));
	kf_buf b = KF_BUF_INIT;
	if (!kf_tmpl_call_tpl(c, args[0].u.s.p, args[0].u.s.len, args[1], &b)) {
		kf_buf_release(&b);
		return false;
	}
	if (!kf_tmpl_call_charge(c, b.len)) {
		kf_buf_release(&b);
		return false;
	}
	*out = buf_value(c, &b);
	return true;
}

static bool fn_required(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	if (!want_string(c, args[0]))
		return false;
	kf_tv v = args[1];
	if (v.kind == KF_TV_NIL || (v.kind == KF_TV_STRING && v.u.s.len == 0))
		return kf_tmpl_call_fail(c, "%s", args[0].u.s.p);
	*out = v;
	return true;
}

static bool fn_fail(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	(void)out;
	if (!want_string(c, args[0]))
		return false;
	return kf_tmpl_call_fail(c, "%s", args[0].u.s.p);
}

static bool fn_to_yaml(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	kf_buf b = KF_BUF_INIT;
	kf_err e;
	if (!kf_tv_to_yaml(&b, args[0], &e)) {
		/* helm swallows the error */
		kf_buf_release(&b);
		*out = kf_tv_str_owned("", 0);
		return true;
	}
	if (b.len && b.ptr[b.len - 1] == '\n')
		b.ptr[--b.len] = '\0';
	if (!kf_tmpl_call_charge(c, b.len)) {
		kf_buf_release(&b);
		return false;
	}
	*out = buf_value(c, &b);
	return true;
}

static bool fn_to_json(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	kf_buf b = KF_BUF_INIT;
	kf_err e;
	if (!kf_tv_to_json(&b, args[0], false, &e)) {
		kf_buf_release(&b);
		*out = kf_tv_str_owned("", 0);
		return true;
	}
	if (!kf_tmpl_call_charge(c, b.len)) {
		kf_buf_release(&b);
		return false;
	}
	*out = buf_value(c, &b);
	return true;
}

static const char *json_type(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_STRING:
		return "string";
	case KF_TV_BOOL:
		return "bool";
	case KF_TV_LIST:
		return "array";
	case KF_TV_MAP:
		return "object";
	default:
		return "number";
	}
}

/* fromYaml and fromYamlArray, fromJson and fromJsonArray: the error as
 * sigs.k8s.io/yaml or encoding/json words it */
static bool from_text(kf_tmpl_call *c, const kf_tv *args, bool yaml, bool array, kf_tv *out)
{
	if (!want_string(c, args[0]))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	if (!kf_tmpl_call_charge(c, args[0].u.s.len * 4))
		return false;
	kf_tv v;
	kf_err e;
	char msg[1200];
	char ymsg[1024];
	bool ok = yaml ? kf_tv_from_yaml_go(a, args[0].u.s.p, args[0].u.s.len, &v, ymsg, sizeof ymsg)
		       : kf_tv_from_json(a, args[0].u.s.p, args[0].u.s.len, &v, &e);
	const char *want = array ? "[]interface {}" : "map[string]interface {}";
	if (!ok) {
		snprintf(msg, sizeof msg, "%s%.1000s", yaml ? "error converting YAML to JSON: " : "", yaml ? ymsg : e.msg);
	} else if (v.kind == KF_TV_NIL) {
		/* null leaves the empty value as it is */
		*out = array ? kf_tv_new_list(a, 0) : kf_tv_new_map(a);
		return true;
	} else if ((array && v.kind != KF_TV_LIST) || (!array && v.kind != KF_TV_MAP)) {
		snprintf(msg, sizeof msg, "%sjson: cannot unmarshal %s into Go value of type %s",
			 yaml ? "error unmarshaling JSON: while decoding JSON: " : "", json_type(v), want);
		ok = false;
	}
	if (ok) {
		*out = v;
		return true;
	}
	if (array) {
		kf_tv l = kf_tv_new_list(a, 1);
		kf_tv_list_push(a, l.u.list, kf_tv_cstr(a, msg));
		*out = l;
	} else {
		kf_tv m = kf_tv_new_map(a);
		kf_tv_map_set(a, m.u.map, "Error", 5, kf_tv_cstr(a, msg));
		*out = m;
	}
	return true;
}

static bool fn_from_yaml(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	return from_text(c, args, true, false, out);
}

static bool fn_from_yaml_array(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	return from_text(c, args, true, true, out);
}

static bool fn_from_json(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	return from_text(c, args, false, false, out);
}

static bool fn_from_json_array(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	return from_text(c, args, false, true, out);
}

static bool fn_lookup(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	for (size_t i = 0; i < 4; i++)
		if (!want_string(c, args[i]))
			return false;
	*out = kf_tv_new_map(kf_tmpl_call_arena(c));
	return true;
}

const kf_tmpl_func kf_tmpl_helm_funcs[] = {
	{"fail", fn_fail, 1, 1},
	{"fromJson", fn_from_json, 1, 1},
	{"fromJsonArray", fn_from_json_array, 1, 1},
	{"fromYaml", fn_from_yaml, 1, 1},
	{"fromYamlArray", fn_from_yaml_array, 1, 1},
	{"include", fn_include, 2, 2},
	{"lookup", fn_lookup, 4, 4},
	{"required", fn_required, 2, 2},
	{"toJson", fn_to_json, 1, 1},
	{"toYaml", fn_to_yaml, 1, 1},
	{"tpl", fn_tpl, 2, 2},
	{NULL, NULL, 0, 0},
};
