/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_cachecfg.c - libFuzzer target: the config of a shared build cache
 * (build/rcache.c, docs/build.md "Sharing the cache") on any bytes: a clean
 * error or records, links and facts whose every key is a digest, every
 * layer a checked descriptor; checked against a manifest with no layers,
 * a config passes exactly when none of its records has a layer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "build/rcache.h"
#include "oci/digest.h"
#include "oci/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *records, *links, *facts;
	kf_err e;
	if (!kf_cache_config_parse((const char *)data, size, &records, &links, &facts, &e)) {
		if (!e.msg[0] || records || links || facts)
			__builtin_trap(); /* an error says why, and gives nothing */
		return 0;
	}
	bool layered = false;
	const char *k;
	json_t *v;
	json_object_foreach(records, k, v) {
		json_t *layer = json_object_get(v, "layer");
		if (!kf_digest_valid(k) || !layer)
			__builtin_trap();
		if (!json_is_null(layer)) {
			layered = true;
			if (!kf_oci_check_descriptor(layer, "layer", &e) ||
			    !kf_digest_valid(json_string_value(json_object_get(v, "diff_id"))))
				__builtin_trap();
		}
	}
	json_object_foreach(links, k, v) {
		if (!kf_digest_valid(k) || !kf_digest_valid(json_string_value(v)))
			__builtin_trap();
	}
	json_object_foreach(facts, k, v) {
		if (!kf_digest_valid(k) || !json_is_object(v))
			__builtin_trap();
	}
	/* the same config, against a manifest with no layers */
	json_t *cfg = json_pack("{s:i,s:O,s:O,s:O}", "version", 1, "records", records, "links", links, "facts", facts);
	json_t *none = json_array();
	json_t *r2, *l2, *f2;
	bool ok = kf_cache_config_check(cfg, none, &r2, &l2, &f2, &e);
	if (ok == layered)
		__builtin_trap();
	if (ok) {
		json_decref(r2);
		json_decref(l2);
		json_decref(f2);
	}
	json_decref(none);
	json_decref(cfg);
	json_decref(records);
	json_decref(links);
	json_decref(facts);
	return 0;
}
