/* SPDX-License-Identifier: Apache-2.0 */
/* platform.h - the platform a ClusterImage is built for, and the variables
 * a Kubefile has without declaring them (ARCH, TARGETARCH, BUILDOS…),
 * which are the platform's fields. One table serves the linter (which
 * names are always defined) and the lowering (their values).
 */
#ifndef KF_PLATFORM_H
#define KF_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "syntax/ast.h"

typedef struct kf_platform {
	char os[32];
	char arch[32];
	char variant[32];
} kf_platform;

/* "linux/amd64", "linux/arm64/v8"; false if malformed. The host's when s
 * is NULL. */
bool kf_platform_parse(const char *s, kf_platform *p);

/* Is name a built-in variable? */
bool kf_builtin_var(kf_str name);
/* Its value for platform p (written into buf when it is composed, such as
 * TARGETPLATFORM), or NULL when name is not a built-in variable. */
const char *kf_builtin_value(kf_str name, const kf_platform *p, char *buf, size_t len);
/* The built-in variables that a RUN's environment holds, NULL-terminated. */
extern const char *const kf_run_builtins[];

#endif
