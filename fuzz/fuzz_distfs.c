/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_distfs.c - libFuzzer target: any bytes as a layer holding a
 * container image cache (registry/distfs.c: kf_distfs_list, kf_distfs_has,
 * which kfc build and kfc inspect run on a base image's layers): an
 * error or a listing, never a crash, a leak or a hang; every tag listed
 * names a sha256 digest, and what the scan found of it is what
 * kf_distfs_has answers.
 *
 * Works in /tmp/kf-fuzz-distfs: the input as in.tar.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "registry/distfs.h"

#define BASE "/tmp/kf-fuzz-distfs"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mkdir(BASE, 0700);
	FILE *f = fopen(BASE "/in.tar", "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	const char *layers[] = {BASE "/in.tar", BASE "/in.tar"};
	kf_err e;
	json_t *scan = NULL;
	json_t *list = kf_distfs_list(layers, 1 + (size & 1), "registry", &scan, &e);
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t) {
		const char *d = json_string_value(json_object_get(t, "digest"));
		if (!d || strlen(d) < 7 || strncmp(d, "sha256:", 7) != 0)
			__builtin_trap();
		kf_buf name = KF_BUF_INIT;
		kf_buf_printf(&name, "example.com/%s:%s", json_string_value(json_object_get(t, "repository")),
			      json_string_value(json_object_get(t, "tag")));
		(void)kf_distfs_has(scan, name.ptr);
		kf_buf_release(&name);
	}
	json_decref(list);
	json_decref(scan);
	return 0;
}
