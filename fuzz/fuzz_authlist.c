/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_authlist.c - libFuzzer target: any bytes as sealer's
 * --image-list-with-auth file (registry/mirrors.c: kf_auth_images_load):
 * a located error or images, never a crash, a leak or a hang; every image
 * is a normalised name.
 *
 * Works in /tmp/kf-fuzz-authlist: the input as auth.yaml.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/imageref.h"
#include "registry/mirrors.h"

#define BASE "/tmp/kf-fuzz-authlist"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mkdir(BASE, 0700);
	FILE *f = fopen(BASE "/auth.yaml", "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	kf_registries r = {0};
	kf_auth_images a;
	kf_err e;
	if (kf_auth_images_load(BASE "/auth.yaml", &r, &a, &e)) {
		for (size_t i = 0; i < a.n; i++) {
			kf_imageref ref;
			if (kf_imageref_parse(kf_str_cstr(a.names[i]), &ref) || !ref.domain.len)
				__builtin_trap(); /* normalised */
		}
		kf_auth_images_release(&a);
	} else if (strncmp(e.msg, BASE "/auth.yaml", strlen(BASE "/auth.yaml")) != 0) {
		__builtin_trap(); /* every error names the file */
	}
	kf_registries_release(&r);
	return 0;
}
