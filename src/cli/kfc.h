/* SPDX-License-Identifier: Apache-2.0 */
/* kfc.h - the commands of kfc and kflint, one file each (cmd_NAME.c); kfc.c
 * dispatches through its command table. Each takes its own argument
 * vector (argv[0] is the command's name) and returns the exit status
 * (term.h). */
#ifndef KF_KFC_H
#define KF_KFC_H

#include <pthread.h>
#include <stdint.h>

#include "cli/opts.h"
#include "cli/term.h"
#include "oci/layer.h"

/* Each command's description and options (opts.h), in its file; kfc.c's
 * command table lists them. */
extern const kf_command kf_command_parse, kf_command_fmt, kf_command_lint, kf_command_kflint;
extern const kf_command kf_command_build, kf_command_plan, kf_command_images, kf_command_inspect, kf_command_rmi,
	kf_command_fsck, kf_command_tag, kf_command_save, kf_command_load, kf_command_imagelist, kf_command_pull,
	kf_command_push, kf_command_login, kf_command_logout, kf_command_manifest, kf_command_cache;

/* kfc push's options, kfc manifest push's too */
extern const kf_opt kf_push_opts[];

int kf_cmd_parse(int argc, char **argv);
int kf_cmd_fmt(int argc, char **argv);
/* cmd is kf_command_kflint or kf_command_lint: its name in messages */
int kf_cmd_lint(int argc, char **argv, const kf_command *cmd);

/* with the build layer (KF_WITH_BUILD) */
int kf_cmd_build(int argc, char **argv);
int kf_cmd_plan(int argc, char **argv);
int kf_cmd_images(int argc, char **argv);
int kf_cmd_inspect(int argc, char **argv);
int kf_cmd_rmi(int argc, char **argv);
int kf_cmd_fsck(int argc, char **argv);
int kf_cmd_cache(int argc, char **argv);
int kf_cmd_tag(int argc, char **argv);
int kf_cmd_save(int argc, char **argv);
int kf_cmd_load(int argc, char **argv);
int kf_cmd_imagelist(int argc, char **argv);
int kf_cmd_pull(int argc, char **argv);
int kf_cmd_push(int argc, char **argv);
int kf_cmd_login(int argc, char **argv);
int kf_cmd_logout(int argc, char **argv);

/* Pushes the store's image name to dest (store names); kfc push's
 * messages, and its exit status. For kfc build --push too. */
int kf_push_image(const char *name, const char *dest, bool tls_verify, bool quiet, bool print_digest, int jobs,
		  bool all);

/* kfc pull's work, for kfc manifest add too: name (a store name) from its
 * registry (registries.yaml read) into the store s, the image for want,
 * tagged name; the blobs shown on standard error as progress says. */
struct kf_store;
struct kf_platform_want;
struct kf_pull_result;
struct kf_err;
typedef struct kf_pull_how {
	bool tls_verify;
	int progress; /* kf_transfer_mode */
	int jobs;     /* 0: 4 */
	bool all;     /* every image of an index, the name on the index */
} kf_pull_how;
bool kf_pull_image(struct kf_store *s, const char *name, const struct kf_platform_want *want, const kf_pull_how *how,
		   struct kf_pull_result *r, struct kf_err *e);

int kf_cmd_manifest(int argc, char **argv);

/* A size as docker writes them: bytes, or 500M, 1.5G, 10GiB (powers of
 * 1024); false for anything else (kfc build --max-download-size, kfc cache
 * prune --keep-storage). */
bool kf_parse_size(const char *s, uint64_t *out);

/* What a pull or a push shows on standard error (kfc pull, push, and a
 * build's FROM pull): on a terminal one line rewritten in place (blobs
 * done, bytes, rate), at most five times a second; plain: a line per blob
 * as it completes; quiet: nothing. kf_transfer_blob is the registry
 * client's progress callback; workers report at once, so a lock. */
typedef enum { KF_TRANSFER_AUTO, KF_TRANSFER_TTY, KF_TRANSFER_PLAIN, KF_TRANSFER_QUIET } kf_transfer_mode;
typedef struct kf_transfer {
	bool quiet, tty;
	const char *verb; /* "fetched", "uploaded" */
	pthread_mutex_t lock;
	struct json_t *moving; /* digest -> bytes done, while it moves */
	uint64_t done;         /* bytes of the blobs finished */
	unsigned finished;
	double start, last;
} kf_transfer;
void kf_transfer_init(kf_transfer *t, kf_transfer_mode mode, const char *verb);
void kf_transfer_blob(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished);
/* clears the terminal's line (before the summary or an error); twice is harmless */
void kf_transfer_end(kf_transfer *t);
bool kf_transfer_mode_parse(const char *s, kf_transfer_mode *out);

/* How kfc save and kfc push to an oci-archive write the archive's tar:
 * uncompressed, entries dated SOURCE_DATE_EPOCH (0 when unset), stopped
 * by the interrupt flag. */
kf_layer_options kf_cli_archive_options(void);

/* registries.yaml (registry/mirrors.h), its error printed behind prog */
struct kf_registries;
bool kf_cli_registries(struct kf_registries *r, const char *prog);

#endif
