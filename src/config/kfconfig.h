/* SPDX-License-Identifier: Apache-2.0 */
/* kfconfig.h - .kflint.yaml, the settings file of kflint and kfc fmt.
 *
 * Read with libyaml. This module knows the whole file's shape and checks
 * it: a key it does not know, or a value of the wrong type, is an error
 * with the file, line and column, never a silent default. The `fmt`
 * section is documented in docs/formatting.md; the linter's keys in
 * docs/kflint.md.
 */
#ifndef KF_KFCONFIG_H
#define KF_KFCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/fscache.h"

typedef struct kf_config {
	char *path;         /* the file read; NULL for defaults */
	/* kflint (docs/kflint.md) */
	char **ignored;         /* rule codes or names */
	size_t nignored;
	char **override_codes;  /* severity: {code: level} */
	int *override_levels;   /* kf_severity */
	size_t noverrides;
	int failure_threshold;  /* -1: not set; a kf_severity, or KF_THRESHOLD_NONE */
	char *dialect;          /* NULL: not set */
	char **trusted_registries;
	size_t ntrusted;
	int shellcheck;         /* -1: not set */
	struct {                /* the shellcheck-* limits; -1: not set */
		int command_bytes;
		int file_bytes;
		int commands;
		int timeout;    /* seconds */
		int memory;     /* MiB */
	} sc_limits;
	char *format;           /* NULL: not set */
	struct {
		int indent;     /* -1: not set */
		int use_tabs;   /* -1: not set, else 0 or 1 */
		int rewrite_legacy_env; /* -1: not set */
		int rewrite_cmds_json;  /* -1: not set */
	} fmt;
} kf_config;

/* failure-threshold: none means never fail */
#define KF_THRESHOLD_NONE 100

/* "error", "warning", "info", "style": a kf_severity; -1 if none */
int kf_severity_parse(const char *s);

void kf_config_init(kf_config *cfg);
void kf_config_release(kf_config *cfg);

/* Reads a config file into cfg. On failure returns false and sets *err to
 * a malloc'd "path:line:col: message". */
bool kf_config_load(kf_config *cfg, const char *path, char **err);

/* The config file for files in dir: .kflint.yaml or .kflint.yml in dir or
 * in a parent, up to the root of the repository (the first directory that
 * holds .git); else $XDG_CONFIG_HOME/kflint/config.yaml (by default
 * ~/.config/kflint/config.yaml). A malloc'd path, or NULL when none exists.
 * fs: where to look (NULL: on disk, uncached). */
char *kf_config_find(kf_fscache *fs, const char *dir);

#endif
