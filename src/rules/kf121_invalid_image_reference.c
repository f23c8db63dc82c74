/* KF121 invalid-image-reference: IMAGES names something that is not a container image reference. See docs/rules/KF121.md. */
#include "rules.h"

/* Docker's reference grammar (distribution/reference), without variables:
 * [domain[:port]/]path-component(/path-component)*[:tag][@digest] */
static bool lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static const char *valid_ref(kf_str r)
{
	const char *p = r.ptr, *e = r.ptr + r.len;
	const char *at = memchr(p, '@', r.len);
	if (at) {
		const char *d = at + 1;
		if (e - d < 7 + 32 || memcmp(d, "sha256:", 7) != 0)
			return "the digest must be sha256: and 64 hex digits";
		for (const char *q = d + 7; q < e; q++)
			if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
				return "the digest must be sha256: and 64 hex digits";
		if (e - d != 7 + 64)
			return "the digest must be sha256: and 64 hex digits";
		e = at;
	}
	/* the tag: after the last ':' that follows the last '/' */
	const char *slash = NULL, *colon = NULL;
	for (const char *q = p; q < e; q++) {
		if (*q == '/') {
			slash = q;
			colon = NULL;
		} else if (*q == ':') {
			colon = q;
		}
	}
	if (colon && colon > (slash ? slash : p - 1)) {
		const char *t = colon + 1;
		if (t == e || e - t > 128)
			return "the tag must have 1 to 128 characters";
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') || *t == '_'))
			return "the tag must start with a letter, digit or _";
		for (const char *q = t; q < e; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
			      *q == '_' || *q == '.' || *q == '-'))
				return "the tag may hold letters, digits, _, . and -";
		e = colon;
	}
	if (p == e)
		return "the name is empty";
	/* a first component with '.' or ':' or localhost is a registry */
	const char *first_end = memchr(p, '/', (size_t)(e - p));
	if (first_end) {
		bool domain = memchr(p, '.', (size_t)(first_end - p)) || memchr(p, ':', (size_t)(first_end - p)) ||
			      (first_end - p == 9 && memcmp(p, "localhost", 9) == 0);
		if (domain)
			p = first_end + 1;
	}
	/* path components: lower-case alphanumerics joined by . _ __ or -+ */
	for (const char *q = p; q <= e; q++) {
		if (q == e || *q == '/') {
			if (q == p || !lower_alnum(q[-1]) || !lower_alnum(*p))
				return "name components are lower-case letters and digits, joined by . _ or -";
			p = q + 1;
		} else if ((*q == '.' || *q == '_') && q + 1 < e && !lower_alnum(q[1]) &&
			   !(*q == '_' && q[1] == '_' && q + 2 < e && lower_alnum(q[2]))) {
			return "name components are lower-case letters and digits, joined by . _ __ or -";
		} else if (!lower_alnum(*q) && *q != '.' && *q != '_' && *q != '-') {
			return (*q >= 'A' && *q <= 'Z') ? "the name must be lower case"
							: "name components are lower-case letters and digits, joined by . _ or -";
		}
	}
	return NULL;
}

/* IMAGES --file=LIST: the list, one reference a line (blank lines and #
 * comments skipped), read from the build context */
static void check_list(kf_lint_ctx *c, const kf_flag *f)
{
	if (!c->opt->context_dir || !f->value.len || memchr(f->value.ptr, '$', f->value.len))
		return;
	kf_buf path = KF_BUF_INIT;
	kf_buf_printf(&path, "%s/%.*s", c->opt->context_dir, (int)f->value.len, f->value.ptr);
	kf_source list;
	const char *err;
	if (!kf_source_init_file(&list, path.ptr, NULL, &err)) {
		kf_lint_report(c, f->span, "cannot read the image list '%.*s': %s", (int)f->value.len, f->value.ptr, err);
		kf_buf_release(&path);
		return;
	}
	for (uint32_t i = 0; i < list.nlines; i++) {
		kf_str line = kf_source_line_text(&list, i);
		while (line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t')) {
			line.ptr++;
			line.len--;
		}
		while (line.len && (line.ptr[line.len - 1] == ' ' || line.ptr[line.len - 1] == '\t'))
			line.len--;
		if (!line.len || line.ptr[0] == '#')
			continue;
		const char *why = line.len > 255 ? "it is longer than 255 characters" : valid_ref(line);
		if (why)
			kf_lint_report(c, f->span, "%.*s, line %u: '%.*s' is not an image reference: %s", (int)f->value.len,
				       f->value.ptr, i + 1, (int)(line.len > 60 ? 60 : line.len), line.ptr, why);
	}
	kf_source_release(&list);
	kf_buf_release(&path);
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_IMAGES)
			continue;
		uint32_t nflags;
		const kf_flag *flags = kf_instr_flags(in, &nflags);
		for (uint32_t i = 0; i < nflags; i++)
			if (kf_str_eq_cstr(flags[i].name, "file"))
				check_list(c, &flags[i]);
		for (uint32_t i = 0; i < in->nargs; i++) {
			kf_str r = in->args[i].text;
			if (memchr(r.ptr, '$', r.len))
				continue;
			const char *why = r.len > 255 ? "it is longer than 255 characters" : valid_ref(r);
			if (why)
				kf_lint_report(c, in->args[i].span, "'%.*s' is not an image reference: %s",
					       (int)(r.len > 60 ? 60 : r.len), r.ptr, why);
		}
	}
}

const kf_rule kf_rule_kf121 = {"KF121", "invalid-image-reference", KF_SEV_ERROR,
	"IMAGES names something that is not a container image reference", check};
