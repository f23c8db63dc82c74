/* SPDX-License-Identifier: Apache-2.0 */
/* ast.c - the instruction table and document helpers (see ast.h) */
#include "syntax/ast.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[KF_INSTR__COUNT] = {
	[KF_INSTR_ERROR] = "",
	[KF_INSTR_FROM] = "FROM",
	[KF_INSTR_ARG] = "ARG",
	[KF_INSTR_ENV] = "ENV",
	[KF_INSTR_LABEL] = "LABEL",
	[KF_INSTR_MAINTAINER] = "MAINTAINER",
	[KF_INSTR_COPY] = "COPY",
	[KF_INSTR_ADD] = "ADD",
	[KF_INSTR_RUN] = "RUN",
	[KF_INSTR_CMD] = "CMD",
	[KF_INSTR_ENTRYPOINT] = "ENTRYPOINT",
	[KF_INSTR_SHELL] = "SHELL",
	[KF_INSTR_WORKDIR] = "WORKDIR",
	[KF_INSTR_USER] = "USER",
	[KF_INSTR_EXPOSE] = "EXPOSE",
	[KF_INSTR_VOLUME] = "VOLUME",
	[KF_INSTR_ONBUILD] = "ONBUILD",
	[KF_INSTR_STOPSIGNAL] = "STOPSIGNAL",
	[KF_INSTR_HEALTHCHECK] = "HEALTHCHECK",
	[KF_INSTR_APP] = "APP",
	[KF_INSTR_CNI] = "CNI",
	[KF_INSTR_CSI] = "CSI",
	[KF_INSTR_APPCMDS] = "APPCMDS",
	[KF_INSTR_APPENV] = "APPENV",
	[KF_INSTR_LAUNCH] = "LAUNCH",
	[KF_INSTR_CMDS] = "CMDS",
	[KF_INSTR_KUBEVERSION] = "KUBEVERSION",
	[KF_INSTR_PLUGINS] = "PLUGINS",
	[KF_INSTR_IMAGES] = "IMAGES",
};

const char *kf_kind_name(kf_kind kind)
{
	return (unsigned)kind < KF_INSTR__COUNT ? kind_names[kind] : "";
}

const char *const *kf_kind_names(size_t *n)
{
	*n = KF_INSTR__COUNT - 1;
	return kind_names + 1;
}

kf_kind kf_kind_lookup(kf_str word)
{
	for (int k = 1; k < KF_INSTR__COUNT; k++)
		if (kf_str_eq_nocase(word, kind_names[k]))
			return (kf_kind)k;
	return KF_INSTR_ERROR;
}

bool kf_kind_is_cluster(kf_kind kind)
{
	return kind >= KF_INSTR_APP && kind <= KF_INSTR_IMAGES;
}

void kf_document_free(kf_document *doc)
{
	if (!doc)
		return;
	kf_diag_bag_release(&doc->diags);
	free(doc->instrs);
	free(doc->trivia);
	kf_arena_release(&doc->arena);
	free(doc);
}

const kf_instr *kf_document_instr_at(const kf_document *doc, uint32_t offset)
{
	size_t lo = 0, hi = doc->ninstrs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const kf_instr *in = doc->instrs[mid];
		if (offset < in->span.start)
			hi = mid;
		else if (offset > in->span.end)
			lo = mid + 1;
		else
			return in;
	}
	return NULL;
}

kf_scheme kf_scheme_of(kf_str word, kf_str *rest)
{
	static const struct {
		const char *prefix;
		kf_scheme scheme;
		bool keep; /* the rest is the whole word */
	} schemes[] = {
		{"local://", KF_SCHEME_LOCAL, false},
		{"http://", KF_SCHEME_HTTP, true},
		{"https://", KF_SCHEME_HTTPS, true},
	};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);
		if (word.len >= n && kf_str_eq_nocase(kf_str_make(word.ptr, n), schemes[i].prefix)) {
			if (rest)
				*rest = schemes[i].keep ? word : kf_str_make(word.ptr + n, word.len - n);
			return schemes[i].scheme;
		}
	}
	if (rest)
		*rest = word;
	const char *sep = word.len ? memchr(word.ptr, ':', word.len) : NULL;
	if (sep && (size_t)(sep - word.ptr) + 3 <= word.len && sep[1] == '/' && sep[2] == '/' &&
	    sep > word.ptr)
		return KF_SCHEME_OTHER;
	return KF_SCHEME_NONE;
}

kf_span kf_instr_args_span(const kf_instr *in)
{
	if (in->form == KF_FORM_JSON)
		return (kf_span){in->json_start, in->span.end};
	if (in->nargs)
		return (kf_span){in->args[0].span.start, in->args[in->nargs - 1].span.end};
	return (kf_span){in->span.end, in->span.end};
}

kf_str kf_instr_keyword(const kf_document *doc, const kf_instr *in)
{
	if (in->ext && in->ext->keyword_text.ptr)
		return in->ext->keyword_text;
	kf_span k = kf_instr_keyword_span(in);
	return kf_str_make(doc->src->text + k.start, k.end - k.start);
}

kf_span kf_instr_keyword_span(const kf_instr *in)
{
	if (in->ext && in->ext->keyword.end)
		return in->ext->keyword;
	return (kf_span){in->span.start, in->span.start + (uint32_t)strlen(kf_kind_name((kf_kind)in->kind))};
}
