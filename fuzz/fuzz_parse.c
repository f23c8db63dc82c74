/* fuzz_parse.c - libFuzzer target: any bytes are parsed, dumped both ways
 * and have their diagnostics rendered, with no crash, leak or hang.
 *
 *   fuzz/run.sh [SECONDS]    builds with clang and runs it on the corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/dump.h"
#include "syntax/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kf_source src;
	const char *err;
	if (!kf_source_init_mem(&src, "fuzz", (const char *)data, size, &err))
		return 0;
	kf_document *doc = kf_parse(&src);
	kf_buf out = KF_BUF_INIT;
	kf_dump_buildkit(&out, doc);
	kf_dump_json(&out, doc);
	for (size_t i = 0; i < doc->diags.len; i++)
		kf_diag_render_text(&out, &src, &doc->diags.items[i], KF_RENDER_SOURCE);
	/* every span lies inside the source */
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->span.start > in->span.end || in->span.end > src.len)
			__builtin_trap();
		for (uint32_t k = 0; k < in->nargs; k++)
			if (in->args[k].span.start > in->args[k].span.end || in->args[k].span.end > src.len)
				__builtin_trap();
	}
	/* formatting is idempotent, and a range edit applies cleanly */
	kf_fmt_options opt = KF_FMT_OPTIONS_INIT;
	kf_buf once = KF_BUF_INIT, twice = KF_BUF_INIT;
	kf_format(doc, &opt, &once);
	kf_source src2;
	if (kf_source_init_mem(&src2, "fuzz", once.ptr ? once.ptr : "", once.len, &err)) {
		kf_document *doc2 = kf_parse(&src2);
		kf_format(doc2, &opt, &twice);
		if (once.len != twice.len || (once.len && memcmp(once.ptr, twice.ptr, once.len) != 0))
			__builtin_trap();
		kf_document_free(doc2);
		kf_source_release(&src2);
	}
	kf_edits edits = {NULL, 0, 0};
	kf_format_range(doc, &opt, (kf_span){0, (uint32_t)(src.len / 2)}, &edits);
	kf_buf ranged = KF_BUF_INIT;
	kf_edits_apply(&src, &edits, &ranged);
	kf_edits_release(&edits);
	kf_buf_release(&ranged);
	kf_buf_release(&once);
	kf_buf_release(&twice);
	kf_buf_release(&out);
	kf_document_free(doc);
	kf_source_release(&src);
	return 0;
}
