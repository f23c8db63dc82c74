/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_mirrors.c - libFuzzer target: registries.yaml (registry/mirrors.c)
 * on any bytes: a clean error or a configuration, no crash, leak or hang
 * (aliases are walked within a budget); every mirror has its endpoints'
 * scheme and host.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "registry/mirrors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kf_registries r;
	kf_err e;
	if (kf_registries_load_text(&r, "registries.yaml", (const char *)data, size, &e)) {
		for (size_t i = 0; i < r.nmirrors; i++)
			for (size_t k = 0; k < r.mirrors[i].n; k++)
				if (!r.mirrors[i].endpoints[k].host || !*r.mirrors[i].endpoints[k].host ||
				    (strcmp(r.mirrors[i].endpoints[k].scheme, "http") != 0 &&
				     strcmp(r.mirrors[i].endpoints[k].scheme, "https") != 0))
					__builtin_trap();
		(void)kf_registries_mirror(&r, "docker.io");
		(void)kf_registries_config(&r, "docker.io");
		kf_registries_release(&r);
	} else if (strncmp(e.msg, "registries.yaml:", 16) != 0) {
		__builtin_trap(); /* every error is located */
	}
	return 0;
}
