/* SPDX-License-Identifier: Apache-2.0 */
/* settings.c - a settings file as linter and formatter options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/settings.h"

bool kf_lint_code_known(const char *s)
{
	if (kf_rule_find(s) || strcasecmp(s, KF_SHELLCHECK_SKIPPED) == 0)
		return true;
	if ((s[0] == 'K' || s[0] == 'k') && (s[1] == 'F' || s[1] == 'f') && s[2] == '0' && strlen(s) == 5 &&
	    strspn(s + 2, "0123456789") == 3)
		return true;
	return (s[0] == 'S' || s[0] == 's') && (s[1] == 'C' || s[1] == 'c') && s[2] &&
	       strspn(s + 2, "0123456789") == strlen(s + 2);
}

static char *msg(const kf_config *cfg, const char *key, const char *name)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "%s: %s: no rule is named '%s'", cfg->path ? cfg->path : "settings", key, name);
	return kf_buf_detach(&b, NULL);
}

bool kf_lint_settings_init(kf_lint_settings *ls, const kf_config *cfg, bool default_shellcheck, char **err)
{
	memset(ls, 0, sizeof(*ls));
	ls->opt.dialect = KF_DIALECT_AUTO;
	ls->threshold = KF_SEV_WARNING;
	ls->opt.shellcheck = default_shellcheck;
	for (size_t i = 0; i < cfg->nignored; i++) {
		if (!kf_lint_code_known(cfg->ignored[i])) {
			*err = msg(cfg, "ignored", cfg->ignored[i]);
			return false;
		}
		kf_vec_push(&ls->ignored, (const char *)cfg->ignored[i]);
	}
	for (size_t i = 0; i < cfg->noverrides; i++) {
		if (!kf_lint_code_known(cfg->override_codes[i])) {
			*err = msg(cfg, "severity", cfg->override_codes[i]);
			return false;
		}
		kf_severity_override o = {cfg->override_codes[i], (kf_severity)cfg->override_levels[i]};
		kf_vec_push(&ls->overrides, o);
	}
	if (cfg->dialect)
		kf_dialect_parse(cfg->dialect, &ls->opt.dialect);
	ls->opt.trusted = (const char *const *)cfg->trusted_registries;
	ls->opt.ntrusted = cfg->ntrusted;
	if (cfg->shellcheck >= 0)
		ls->opt.shellcheck = cfg->shellcheck;
	kf_shellcheck_limits *l = &ls->opt.shellcheck_limits;
	if (cfg->sc_limits.command_bytes > 0)
		l->command_bytes = (size_t)cfg->sc_limits.command_bytes;
	if (cfg->sc_limits.file_bytes > 0)
		l->file_bytes = (size_t)cfg->sc_limits.file_bytes;
	if (cfg->sc_limits.commands > 0)
		l->commands = (size_t)cfg->sc_limits.commands;
	if (cfg->sc_limits.timeout > 0)
		l->timeout = (unsigned)cfg->sc_limits.timeout;
	if (cfg->sc_limits.memory > 0)
		l->memory = (unsigned)cfg->sc_limits.memory;
	if (cfg->failure_threshold >= 0)
		ls->threshold = cfg->failure_threshold;
	kf_lint_settings_sync(ls);
	return true;
}

void kf_lint_settings_sync(kf_lint_settings *ls)
{
	ls->opt.ignored = ls->ignored.v;
	ls->opt.nignored = ls->ignored.n;
	ls->opt.overrides = ls->overrides.v;
	ls->opt.noverrides = ls->overrides.n;
}

void kf_lint_settings_release(kf_lint_settings *ls)
{
	kf_vec_free(&ls->ignored);
	kf_vec_free(&ls->overrides);
	memset(ls, 0, sizeof(*ls));
}

void kf_config_apply_fmt(const kf_config *cfg, kf_fmt_options *opt)
{
	if (cfg->fmt.indent > 0)
		opt->indent = (unsigned)cfg->fmt.indent;
	if (cfg->fmt.use_tabs >= 0)
		opt->use_tabs = cfg->fmt.use_tabs;
	if (cfg->fmt.rewrite_legacy_env >= 0)
		opt->rewrite_legacy_env = cfg->fmt.rewrite_legacy_env;
	if (cfg->fmt.rewrite_cmds_json >= 0)
		opt->rewrite_cmds_json = cfg->fmt.rewrite_cmds_json;
}
