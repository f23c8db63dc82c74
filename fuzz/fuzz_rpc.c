/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_rpc.c - libFuzzer target: any bytes are the standard input of a
 * kfls session (kfls_serve, the loop the server's main runs): framing,
 * JSON-RPC dispatch and every method, with no crash, leak or hang, and
 * the server's memory freed when the input ends.
 *
 * fuzz-sources: lsp/kfls.c lsp/rpc.c lsp/protocol.c lsp/documents.c lsp/methods.c lsp/features/query.c lsp/features/sync.c lsp/features/diagnostics.c lsp/features/formatting.c lsp/features/completion.c lsp/features/hover.c lsp/features/navigation.c lsp/features/symbols.c lsp/features/semantic.c lsp/features/links.c lsp/features/actions.c
 *
 * The input is a memfd (read like a pipe, without a writer thread); what
 * kfls writes goes to /dev/null. The environment points the settings
 * lookup and the image store at an empty folder, and PATH nowhere (no
 * ShellCheck processes). Seeds in fuzz/corpus/rpc/; fuzz/rpc.dict has the
 * protocol's words.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kfls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int null_fd = -1;
static char home[] = "/tmp/kfls-fuzz.XXXXXX";

static void remove_home(void)
{
	rmdir(home);
}

static void setup(void)
{
	const char *dir = mkdtemp(home);
	if (!dir)
		abort();
	atexit(remove_home);
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("XDG_DATA_HOME", dir, 1);
	setenv("KFC_STORE", dir, 1);
	setenv("PATH", "/nonexistent", 1);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (null_fd < 0)
		setup();
	int in = memfd_create("kfls-input", MFD_CLOEXEC);
	if (in < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(in, data + off, size - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	lseek(in, 0, SEEK_SET);
	int status = kfls_serve(in, null_fd);
	if (status != 0 && status != 1)
		__builtin_trap();
	close(in);
	return 0;
}
