/* SPDX-License-Identifier: Apache-2.0 */
/* kfls.h - the language server: kfls_serve runs one session over a pair
 * of file descriptors (kfls.c; main.c runs it on stdin and stdout, and
 * fuzz/fuzz_rpc.c on its inputs).
 *
 * The server's rooms: rpc.h (the framing), protocol.h (LSP's values),
 * session.h (the session's state), documents.h (the open documents and
 * their analysis), kfls.c (the loop and the lifecycle), methods.h (the
 * method table) and features/ (one file per family of methods).
 */
#ifndef KF_KFLS_H
#define KF_KFLS_H

/* Serves one session: reads messages from in, writes to out, until exit
 * or the end of input; returns the exit status (0 after shutdown and exit,
 * else 1). Everything it allocates is freed. */
int kfls_serve(int in, int out);

#endif
