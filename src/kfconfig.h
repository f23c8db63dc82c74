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

typedef struct kf_config {
	char *path;         /* the file read; NULL for defaults */
	struct {
		int indent;     /* -1: not set */
		int use_tabs;   /* -1: not set, else 0 or 1 */
		int rewrite_legacy_env; /* -1: not set */
		int rewrite_cmds_json;  /* -1: not set */
	} fmt;
} kf_config;

void kf_config_init(kf_config *cfg);
void kf_config_release(kf_config *cfg);

/* Reads a config file into cfg. On failure returns false and sets *err to
 * a malloc'd "path:line:col: message". */
bool kf_config_load(kf_config *cfg, const char *path, char **err);

/* The config file for files in dir: .kflint.yaml or .kflint.yml in dir or
 * in a parent, up to the root of the repository (the first directory that
 * holds .git); else $XDG_CONFIG_HOME/kflint/config.yaml (by default
 * ~/.config/kflint/config.yaml). A malloc'd path, or NULL when none exists. */
char *kf_config_find(const char *dir);

#endif
