/* kfls.h - the language server's state, shared by its files.
 *
 * One kfls per process; documents are independent (each has its own
 * source, tree, diagnostics and lazily built model), and nothing of the
 * parser is global. Requests allocate their scratch memory from s->req,
 * which is released after every message.
 */
#ifndef KF_KFLS_H
#define KF_KFLS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/arena.h"
#include "syntax/ast.h"
#include "syntax/format.h"
#include "config/kfconfig.h"
#include "lint/lint.h"
#include "sema/model.h"
#include "rpc.h"
#include "config/settings.h"

/* Documents larger than this are refused (an LSP error), not parsed. */
#define KFLS_MAX_DOCUMENT ((size_t)32 << 20)

typedef struct kfls_doc {
	char *uri;
	char *path;        /* a file: URI's path; NULL for other schemes */
	char *dir;         /* the build context: the file's directory, or "." */
	int64_t version;
	kf_source src;
	kf_document *ast;
	kf_diag_bag diags;
	kf_model *model;   /* built on first use; kfls_model() */
	/* settings: the .kflint.yaml found for dir (NULL: none) */
	unsigned settings_gen;
	char *cfg_path;
	struct timespec cfg_mtime;
	char *cfg_error;   /* a bad settings file, reported as a diagnostic */
	struct kfls_doc *next;
} kfls_doc;

typedef struct kfls {
	kf_rpc rpc;
	bool initialized;
	bool shutdown;
	bool utf8;             /* positionEncoding utf-8 (else utf-16) */
	bool watch_files;      /* the client registers file watchers for us */
	bool push_diagnostics; /* send publishDiagnostics (on unless the client pulls only) */
	unsigned settings_gen; /* bumped when settings may have changed */
	json_t *client_settings; /* the "kubefile" section of didChangeConfiguration, or NULL */
	kfls_doc *docs;
	kf_fscache *fs;        /* the build contexts' files, between analyses */
	kf_arena req;          /* per-message scratch */
	int64_t next_id;       /* of requests the server sends */
	kf_buf raw;            /* a handler's result as JSON text, when raw_result */
	kf_buf pub;            /* publishDiagnostics being written, kept between them */
	bool raw_result;
} kfls;

typedef struct kfls_error {
	int code;
	const char *message;
} kfls_error;

/* Serves one session: reads messages from in, writes to out, until exit
 * or the end of input; returns the exit status (0 after shutdown and exit,
 * else 1). Everything it allocates is freed. */
int kfls_serve(int in, int out);

/* documents */
kfls_doc *kfls_find(kfls *s, const char *uri);
/* params.textDocument.uri's document; sets err when missing */
kfls_doc *kfls_doc_param(kfls *s, json_t *params, kfls_error *err);
const kf_model *kfls_model(kfls_doc *d);
/* lint and formatting settings of a document (config file, then the
 * editor's settings) */
void kfls_fmt_options(kfls *s, kfls_doc *d, json_t *lsp_opts, kf_fmt_options *opt);

/* positions */
json_t *kfls_pos(kfls *s, const kf_source *src, uint32_t off);
json_t *kfls_range(kfls *s, const kf_source *src, kf_span span);
/* offset of an LSP Position; false if it is not one */
bool kfls_offset(kfls *s, const kf_source *src, json_t *pos, uint32_t *off);
json_t *kfls_location(kfls *s, kfls_doc *d, kf_span span);
json_t *kfls_text_edit(kfls *s, const kf_source *src, kf_span span, const char *text, size_t len);
json_t *kfls_str(kf_str s);

/* JSON text, for the large answers (jansson's objects cost more than the
 * analysis there) */
void kfls_json_string(kf_buf *b, const char *p, size_t n);
void kfls_json_uint(kf_buf *b, uint64_t v);
void kfls_json_range(kfls *s, kf_buf *b, const kf_source *src, kf_span span);

/* features.c */
json_t *kfls_diagnostics_json(kfls *s, kfls_doc *d);
/* the diagnostics array as JSON text */
void kfls_diagnostics_text(kfls *s, kfls_doc *d, kf_buf *b);
typedef json_t *(*kfls_handler)(kfls *s, json_t *params, kfls_error *err);
kfls_handler kfls_feature(const char *method);
void kfls_capabilities(kfls *s, json_t *caps);

#endif
