/* SPDX-License-Identifier: Apache-2.0 */
/* images.c - see images.h */
#include "images.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/files.h"
#include "base/imageref.h"
#include "base/vec.h"

char **kf_local_images(size_t *n)
{
	char *dir = kf_store_path();
	char *path;
	if (asprintf(&path, "%s/index.json", dir) < 0)
		abort();
	free(dir);
	json_t *idx = json_load_file(path, 0, NULL);
	free(path);
	KF_VEC(char *) names = {0};
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(idx, "manifests"), i, m) {
		const char *ref =
			json_string_value(json_object_get(json_object_get(m, "annotations"), "org.opencontainers.image.ref.name"));
		if (ref)
			kf_vec_push(&names, kf_imageref_familiar(ref));
	}
	json_decref(idx);
	*n = names.n;
	return names.v;
}

void kf_local_images_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
