/* SPDX-License-Identifier: Apache-2.0 */
/* KF213 dialect-instruction: An instruction has no meaning in the sealer dialect. See docs/rules/KF213.md. */
#include "rules.h"

static const char *alternative(kf_kind k)
{
	switch (k) {
	case KF_INSTR_ENTRYPOINT: return "start the cluster with LAUNCH or CMDS";
	case KF_INSTR_WORKDIR: return "paths are relative to the image's rootfs; RUN commands run there";
	case KF_INSTR_USER: return "cluster images run as root; remove it";
	case KF_INSTR_EXPOSE: return "ports belong in the apps' manifests (a Service)";
	case KF_INSTR_VOLUME: return "volumes belong in the apps' manifests";
	case KF_INSTR_ONBUILD: return "a ClusterImage has no build triggers; put the steps here";
	case KF_INSTR_SHELL: return "RUN uses /bin/sh -c; call another shell in the command";
	case KF_INSTR_STOPSIGNAL: return "remove it";
	case KF_INSTR_HEALTHCHECK: return "health checks belong in the apps' manifests (probes)";
	default: return NULL;
	}
}

static void check(kf_lint_ctx *c)
{
	/* sealos builds with buildah, where these are normal */
	if (c->model->dialect == KF_DIALECT_SEALOS)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		const char *alt = alternative((kf_kind)in->kind);
		if (alt)
			kf_lint_report(c, kf_instr_keyword_span(in), "%s has no meaning in a sealer Kubefile: %s",
				       kf_kind_name((kf_kind)in->kind), alt);
	}
}

const kf_rule kf_rule_kf213 = {"KF213", "dialect-instruction", KF_SEV_ERROR,
	"An instruction has no meaning in the sealer dialect", check};
