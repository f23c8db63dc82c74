/* SPDX-License-Identifier: Apache-2.0 */
/* platform.c - see platform.h */
#include "sema/platform.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

bool kf_platform_parse(const char *s, kf_platform *p)
{
	memset(p, 0, sizeof *p);
	if (!s) {
		struct utsname u;
		const char *arch = "amd64";
		if (uname(&u) == 0) {
			if (strcmp(u.machine, "aarch64") == 0)
				arch = "arm64";
			else if (strcmp(u.machine, "x86_64") != 0)
				arch = u.machine;
		}
		snprintf(p->os, sizeof p->os, "linux");
		snprintf(p->arch, sizeof p->arch, "%.31s", arch);
		if (strcmp(arch, "arm64") == 0)
			snprintf(p->variant, sizeof p->variant, "v8");
		return true;
	}
	char os[64], arch[64], variant[64] = "";
	int n = sscanf(s, "%63[a-z0-9]/%63[a-z0-9_]/%63[a-z0-9]", os, arch, variant);
	if (n < 2)
		return false;
	size_t len = strlen(os) + 1 + strlen(arch) + (n == 3 ? 1 + strlen(variant) : 0);
	if (len != strlen(s) || strlen(os) >= sizeof p->os || strlen(arch) >= sizeof p->arch ||
	    strlen(variant) >= sizeof p->variant)
		return false;
	snprintf(p->os, sizeof p->os, "%.31s", os);
	snprintf(p->arch, sizeof p->arch, "%.31s", arch);
	snprintf(p->variant, sizeof p->variant, "%.31s", variant);
	return true;
}

/* The build's own platform (BUILD*) is the target's: kfc does not cross-build. */
enum field { F_OS, F_ARCH, F_VARIANT, F_PLATFORM };

static const struct builtin {
	const char *name;
	enum field field;
} builtins[] = {
	{"ARCH", F_ARCH},
	{"TARGETARCH", F_ARCH},
	{"TARGETOS", F_OS},
	{"TARGETPLATFORM", F_PLATFORM},
	{"TARGETVARIANT", F_VARIANT},
	{"BUILDARCH", F_ARCH},
	{"BUILDOS", F_OS},
	{"BUILDPLATFORM", F_PLATFORM},
	{"BUILDVARIANT", F_VARIANT},
};

const char *const kf_run_builtins[] = {"ARCH", "TARGETARCH", "TARGETOS", "TARGETPLATFORM", NULL};

static const struct builtin *find(kf_str name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
		if (kf_str_eq_cstr(name, builtins[i].name))
			return &builtins[i];
	return NULL;
}

bool kf_builtin_var(kf_str name)
{
	return find(name) != NULL;
}

const char *kf_builtin_value(kf_str name, const kf_platform *p, char *buf, size_t len)
{
	const struct builtin *b = find(name);
	if (!b)
		return NULL;
	switch (b->field) {
	case F_OS:
		return p->os;
	case F_ARCH:
		return p->arch;
	case F_VARIANT:
		return p->variant;
	case F_PLATFORM:
		snprintf(buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
		return buf;
	}
	return NULL;
}
