/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_unpack.c - libFuzzer target: any bytes as an image layer and as an
 * ADD archive (kf_unpack, with and without whiteouts) and as a layer to
 * read a file from (kf_layers_read_file). Whatever the entries are (links
 * that climb out, whiteouts under links, hard links, devices), nothing
 * outside the extraction folder may be created, changed or removed: a
 * sentinel folder beside it is checked after every input.
 *
 * Works in /tmp/kf-fuzz-unpack (fixed, so that seeds can name it in
 * absolute link targets): in.tar, root/ (the extraction) and outside/.
 */
#include <dirent.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "oci/unpack.h"

#define BASE "/tmp/kf-fuzz-unpack"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

/* BASE holds exactly in.tar, root and outside; outside holds sentinel
 * ("s\n") and dir/keep ("k\n"), untouched */
static void check_outside(void)
{
	DIR *d = opendir(BASE);
	if (!d)
		__builtin_trap();
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strcmp(de->d_name, "in.tar") != 0 && strcmp(de->d_name, "root") != 0 &&
		    strcmp(de->d_name, "outside") != 0)
			__builtin_trap();
		n++;
	}
	closedir(d);
	char buf[8] = "";
	FILE *f = fopen(BASE "/outside/sentinel", "r");
	size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	if (n != 3 || k != 2 || strcmp(buf, "s\n") != 0)
		__builtin_trap();
	f = fopen(BASE "/outside/dir/keep", "r");
	k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[k] = '\0';
	if (k != 2 || strcmp(buf, "k\n") != 0)
		__builtin_trap();
	struct stat st;
	if (lstat(BASE "/outside", &st) != 0 || !S_ISDIR(st.st_mode) || lstat(BASE "/outside/dir", &st) != 0 ||
	    !S_ISDIR(st.st_mode))
		__builtin_trap();
}

static void setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	kf_remove_tree(BASE);
	if (!kf_mkdirs(BASE "/outside/dir", 0755) || !kf_mkdirs(BASE "/root", 0755))
		abort();
	write_file(BASE "/outside/sentinel", "s\n", 2);
	write_file(BASE "/outside/dir/keep", "k\n", 2);
	umask(022);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	write_file(BASE "/in.tar", data, size);
	kf_err err;
	for (int whiteouts = 0; whiteouts < 2; whiteouts++) {
		kf_remove_tree(BASE "/root");
		if (!kf_mkdirs(BASE "/root", 0755))
			abort();
		err.msg[0] = '\0';
		kf_unpack(BASE "/in.tar", BASE "/root", whiteouts, NULL, &err);
		check_outside();
	}
	/* a second layer over the first: links it left lead the second */
	err.msg[0] = '\0';
	kf_unpack(BASE "/in.tar", BASE "/root", 1, NULL, &err);
	check_outside();
	static const char *const tops[] = {"manifests", "charts", "application", NULL};
	kf_unpack_only(BASE "/in.tar", BASE "/root", tops, NULL, &err);
	check_outside();
	const char *layers[] = {BASE "/in.tar"};
	size_t len = 0;
	free(kf_layers_read_file(layers, 1, "manifests/imageList", &len));
	kf_remove_tree(BASE "/root");
	return 0;
}
