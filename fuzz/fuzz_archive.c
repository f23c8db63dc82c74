/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_archive.c - libFuzzer target: any bytes as an archive for kfc load
 * (kf_oci_archive_extract, then kf_docker_archive_to_layout when it holds
 * a manifest.json): an error or files, never a crash, a leak, or anything
 * written outside the extraction folder (a sentinel beside it, and the
 * work folder's listing, are checked after every input).
 *
 * Works in /tmp/kf-fuzz-archive: in.tar, out/ (the extraction), sentinel.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "oci/archive.h"

#define BASE "/tmp/kf-fuzz-archive"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

/* BASE holds in.tar, sentinel ("s\n") and at most out/ */
static void check_outside(void)
{
	DIR *d = opendir(BASE);
	if (!d)
		__builtin_trap();
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && strcmp(de->d_name, "in.tar") != 0 &&
		    strcmp(de->d_name, "out") != 0 && strcmp(de->d_name, "sentinel") != 0)
			__builtin_trap();
	closedir(d);
	char buf[8] = "";
	FILE *f = fopen(BASE "/sentinel", "r");
	size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	if (k != 2 || strcmp(buf, "s\n") != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		kf_remove_tree(BASE);
		if (!kf_mkdirs(BASE, 0755))
			abort();
		write_file(BASE "/sentinel", "s\n", 2);
		ready = 1;
	}
	write_file(BASE "/in.tar", data, size);
	kf_remove_tree(BASE "/out");
	kf_err e;
	if (kf_oci_archive_extract(BASE "/in.tar", BASE "/out", &e) && access(BASE "/out/index.json", F_OK) != 0 &&
	    access(BASE "/out/manifest.json", F_OK) == 0)
		(void)kf_docker_archive_to_layout(BASE "/out", &e);
	check_outside();
	return 0;
}
