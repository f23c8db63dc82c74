/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_parse.c - libFuzzer target: any bytes are parsed, dumped both ways
 * and have their diagnostics rendered, with no crash, leak or hang; every
 * span lies inside the source. The formatter has its own target, fuzz_fmt.c.
 *
 *   fuzz/run.sh [SECONDS]    builds with clang and runs it on the corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/dump.h"

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
	kf_buf_release(&out);
	kf_document_free(doc);
	kf_source_release(&src);
	return 0;
}
