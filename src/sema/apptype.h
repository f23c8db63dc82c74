/* SPDX-License-Identifier: Apache-2.0 */
/* apptype.h - the type of an app, from its sources in the build context
 * (docs/language.md, "Applications"): helm, kube, shell, or none (which needs an APPCMDS).
 *
 * helm when a source is a chart directory (Chart.yaml, values.yaml and
 * templates/ at its top) or a packaged chart (*.tgz); else kube when every
 * file of every source is .yaml or .yml, shell when every file is .sh, and
 * no type otherwise. Sources are looked up relative to the build context,
 * not to the working directory (sealer's bug). KF_APP_UNKNOWN: a source is
 * remote or missing, so the type cannot be told before the build.
 */
#ifndef KF_APPTYPE_H
#define KF_APPTYPE_H

#include <stddef.h>

#include "syntax/ast.h"
#include "base/fscache.h"

typedef enum kf_app_type {
	KF_APP_UNKNOWN,
	KF_APP_HELM,
	KF_APP_KUBE,
	KF_APP_SHELL,
	KF_APP_NONE,
} kf_app_type;

const char *kf_app_type_name(kf_app_type t);
/* fs: where to look the files up (NULL: on disk, uncached) */
kf_app_type kf_app_detect_type(kf_fscache *fs, const char *context, const kf_app_source *srcs, uint32_t n);
/* The same over files and directories on disk (the builder's staged
 * sources); KF_APP_UNKNOWN if one is missing. */
kf_app_type kf_app_detect_paths(kf_fscache *fs, const char *const *paths, size_t n);

#endif
