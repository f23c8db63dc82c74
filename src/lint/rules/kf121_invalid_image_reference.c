/* SPDX-License-Identifier: Apache-2.0 */
/* KF121 invalid-image-reference: IMAGES names something that is not a container image reference. See docs/rules/KF121.md. */
#include "rules.h"

#include "base/imageref.h"

/* Docker's reference grammar (imageref.h); references that hold a variable
 * are not checked */
static const char *valid_ref(kf_str r)
{
	kf_imageref ref;
	return kf_imageref_parse(r, &ref);
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
		const char *why = valid_ref(line);
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
			const char *why = valid_ref(r);
			if (why)
				kf_lint_report(c, in->args[i].span, "'%.*s' is not an image reference: %s",
					       (int)(r.len > 60 ? 60 : r.len), r.ptr, why);
		}
	}
}

const kf_rule kf_rule_kf121 = {"KF121", "invalid-image-reference", KF_SEV_ERROR,
	"IMAGES names something that is not a container image reference", check};
