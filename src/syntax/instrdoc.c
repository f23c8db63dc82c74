/* SPDX-License-Identifier: Apache-2.0 */
/* instrdoc.c - the instruction and flag reference (see instrdoc.h). */
#include "syntax/instrdoc.h"

static const kf_flag_doc no_flags[] = {{NULL, NULL, NULL}};
static const kf_flag_doc from_flags[] = {
	{"platform", "os/arch[/variant]", "The platform of the base image, e.g. `linux/amd64`."},
	{NULL, NULL, NULL}};
static const kf_flag_doc copy_flags[] = {
	{"from", "name", "Copy from a build stage or image instead of the build context (multi-stage: not supported by the builder)."},
	{"chown", "user:group", "Owner of the copied files."},
	{"chmod", "mode", "Permission bits of the copied files, e.g. `0755`."},
	{"link", NULL, "Copy into a layer of its own, independent of the layers below."},
	{"parents", NULL, "Keep the parent directories of the sources below the destination."},
	{"exclude", "pattern", "Leave out the files that match the pattern."},
	{NULL, NULL, NULL}};
static const kf_flag_doc add_flags[] = {
	{"chown", "user:group", "Owner of the added files."},
	{"chmod", "mode", "Permission bits of the added files, e.g. `0755`."},
	{"checksum", "sha256:hex", "The digest a remote source must have."},
	{"keep-git-dir", NULL, "Keep the `.git` directory of a git source."},
	{"link", NULL, "Add into a layer of its own, independent of the layers below."},
	{"exclude", "pattern", "Leave out the files that match the pattern."},
	{NULL, NULL, NULL}};
static const kf_flag_doc run_flags[] = {
	{"mount", "type=...", "A mount for the command (cache, secret, bind, tmpfs, ssh)."},
	{"network", "default|none|host", "The network the command runs in."},
	{"security", "sandbox|insecure", "Run with or without the sandbox."},
	{NULL, NULL, NULL}};
static const kf_flag_doc health_flags[] = {
	{"interval", "duration", "Time between checks."},
	{"timeout", "duration", "Time a check may take."},
	{"start-period", "duration", "Start-up time during which failures do not count."},
	{"start-interval", "duration", "Time between checks during the start period."},
	{"retries", "n", "Failures in a row that make the container unhealthy."},
	{NULL, NULL, NULL}};
static const kf_flag_doc images_flags[] = {
	{"file", "path", "A file in the build context that lists image references, one per line."},
	{NULL, NULL, NULL}};

#define DOCKER_ONLY(alt) \
	"Dockerfile instruction: in the sealer dialect it is an error (" alt "); the sealos dialect accepts it."

static const kf_instr_doc docs[KF_INSTR__COUNT] = {
	[KF_INSTR_FROM] = {"FROM [--platform=P] image[:tag|@digest] [AS name]",
		"The base ClusterImage, or `scratch`. It must be the first instruction (only ARG may precede it), "
		"and a Kubefile has one.",
		"FROM ${1:image}:${2:tag}", from_flags},
	[KF_INSTR_ARG] = {"ARG name[=default] ...",
		"A build argument, set with `--build-arg`; usable as `$name` in the instructions that expand variables.",
		"ARG ${1:name}=${2:default}", no_flags},
	[KF_INSTR_ENV] = {"ENV key=value ...",
		"The cluster's global environment: stored in the image and used to render `*.tmpl` files at run time. "
		"Quotes are removed as a shell would.",
		"ENV ${1:key}=${2:value}", no_flags},
	[KF_INSTR_LABEL] = {"LABEL key=value ...",
		"A label of the image config. Keys under `*.sealer.io/` are reserved.",
		"LABEL ${1:key}=${2:value}", no_flags},
	[KF_INSTR_MAINTAINER] = {"MAINTAINER text",
		"Deprecated: becomes the label `org.opencontainers.image.authors`; write that LABEL instead.",
		"MAINTAINER ${1:name}", no_flags},
	[KF_INSTR_COPY] = {"COPY [--chown=u:g] [--chmod=mode] src... dest | COPY [\"src\", ..., \"dest\"]",
		"Copies files from the build context into the image's root filesystem. Sources may not escape the "
		"build context.",
		"COPY ${1:src} ${2:dest}", copy_flags},
	[KF_INSTR_ADD] = {"ADD [--chown=u:g] [--chmod=mode] src... dest | ADD [\"src\", ..., \"dest\"]",
		"As COPY, and also unpacks local tar archives and fetches `http(s)://` URLs.",
		"ADD ${1:src} ${2:dest}", add_flags},
	[KF_INSTR_RUN] = {"RUN command | RUN [\"argv0\", \"arg1\", ...] | RUN <<EOF",
		"A command run at build time with the image root filesystem as working directory; its file-system "
		"changes become a layer. Variables are left to the shell.",
		"RUN ${1:command}", run_flags},
	[KF_INSTR_CMD] = {"CMD command | CMD [\"command line\", ...]",
		"Deprecated cluster start command (sealer 0.8 and sealos style). Every CMD counts; in JSON form each "
		"string is one whole command line. Cannot be used with LAUNCH.",
		"CMD [\"${1:command}\"]", no_flags},
	[KF_INSTR_ENTRYPOINT] = {"ENTRYPOINT command | ENTRYPOINT [\"argv0\", ...]", DOCKER_ONLY("use LAUNCH or CMDS"),
		"ENTRYPOINT [\"${1:command}\"]", no_flags},
	[KF_INSTR_SHELL] = {"SHELL [\"executable\", \"parameters\"]", DOCKER_ONLY("RUN uses /bin/sh"),
		"SHELL [\"${1:/bin/bash}\", \"${2:-c}\"]", no_flags},
	[KF_INSTR_WORKDIR] = {"WORKDIR path", DOCKER_ONLY("RUN runs in the root filesystem"), "WORKDIR ${1:path}", no_flags},
	[KF_INSTR_USER] = {"USER user[:group]", DOCKER_ONLY("a ClusterImage has no user"), "USER ${1:user}", no_flags},
	[KF_INSTR_EXPOSE] = {"EXPOSE port[/proto] ...", DOCKER_ONLY("a ClusterImage exposes no port"),
		"EXPOSE ${1:port}", no_flags},
	[KF_INSTR_VOLUME] = {"VOLUME path ... | VOLUME [\"path\", ...]", DOCKER_ONLY("a ClusterImage has no volume"),
		"VOLUME ${1:path}", no_flags},
	[KF_INSTR_ONBUILD] = {"ONBUILD instruction", DOCKER_ONLY("no trigger runs in a ClusterImage"),
		"ONBUILD ${1:instruction}", no_flags},
	[KF_INSTR_STOPSIGNAL] = {"STOPSIGNAL signal", DOCKER_ONLY("a ClusterImage is not stopped by a signal"),
		"STOPSIGNAL ${1:SIGTERM}", no_flags},
	[KF_INSTR_HEALTHCHECK] = {"HEALTHCHECK [options] CMD command | HEALTHCHECK NONE",
		DOCKER_ONLY("a ClusterImage has no health check"), "HEALTHCHECK CMD ${1:command}", health_flags},
	[KF_INSTR_APP] = {"APP name src... | APP [\"name\", \"src\", ...]",
		"Declares the application `name`; its sources (`local://path` in the build context, `http(s)://` "
		"URLs) go to `application/apps/<name>/`. Its type (helm, kube, shell) is detected from the sources; "
		"an untyped app needs an APPCMDS. A later APP with the same name replaces the declaration.",
		"APP ${1:name} local://${2:path}", no_flags},
	[KF_INSTR_CNI] = {"CNI name src... | CNI [\"name\", \"src\", ...]",
		"An APP that is also the cluster's network plugin (label `cluster.alpha.sealer.io/kube-cni-<name>`). "
		"At most one CNI.",
		"CNI ${1:name} local://${2:path}", no_flags},
	[KF_INSTR_CSI] = {"CSI name src... | CSI [\"name\", \"src\", ...]",
		"An APP that is also the cluster's storage plugin (label `cluster.alpha.sealer.io/kube-csi-<name>`).",
		"CSI ${1:name} local://${2:path}", no_flags},
	[KF_INSTR_APPCMDS] = {"APPCMDS name [\"argv0\", \"arg1\", ...]",
		"The command that installs the app `name`, run inside its app folder; its words are joined with "
		"spaces. The app must be declared before. The last one wins.",
		"APPCMDS ${1:name} [\"${2:bash}\", \"${3:install.sh}\"]", no_flags},
	[KF_INSTR_APPENV] = {"APPENV name key=value ...",
		"The environment of one app, over the global ENV. The app must be declared before; repeated APPENV "
		"merge, later keys win.",
		"APPENV ${1:name} ${2:key}=${3:value}", no_flags},
	[KF_INSTR_LAUNCH] = {"LAUNCH app ... | LAUNCH [\"app\", ...]",
		"The apps to install, in this order, when the cluster starts. Each must be declared. It must be the "
		"last instruction; at most one; not with CMDS or CMD.",
		"LAUNCH [\"${1:app}\"]", no_flags},
	[KF_INSTR_CMDS] = {"CMDS [\"command\", ...]",
		"Shell commands run when the cluster starts, one per string (JSON form only). It must be the last "
		"instruction; at most one; not with LAUNCH.",
		"CMDS [\"${1:command}\"]", no_flags},
	[KF_INSTR_KUBEVERSION] = {"KUBEVERSION range",
		"The Kubernetes versions the image supports, as a semver range (`>=1.20.0 <1.27`, `1.22.x`, "
		"`1.20 - 1.24`, `^1.22`, `||` for or); label `app.alpha.sealer.io/supported-kube-version`.",
		"KUBEVERSION ${1:>=1.22.0}", no_flags},
	[KF_INSTR_PLUGINS] = {"PLUGINS src...",
		"Run-time plugin definitions (YAML), copied into `plugins/`.", "PLUGINS ${1:plugins.yaml}", no_flags},
	[KF_INSTR_IMAGES] = {"IMAGES ref... | IMAGES [\"ref\", ...] | IMAGES --file=path",
		"Container images to cache inside the ClusterImage; appended to `manifests/imageList`.",
		"IMAGES ${1:image}", images_flags},
};

const kf_instr_doc *kf_instr_doc_get(kf_kind kind)
{
	return kind > KF_INSTR_ERROR && kind < KF_INSTR__COUNT ? &docs[kind] : NULL;
}

const kf_flag_doc *kf_instr_doc_flag(kf_kind kind, kf_str name)
{
	const kf_instr_doc *d = kf_instr_doc_get(kind);
	for (const kf_flag_doc *f = d ? d->flags : no_flags; f->name; f++)
		if (kf_str_eq_cstr(name, f->name))
			return f;
	return NULL;
}

void kf_instr_doc_hover(kf_kind kind, kf_buf *out)
{
	const kf_instr_doc *d = kf_instr_doc_get(kind);
	if (!d)
		return;
	kf_buf_printf(out, "```kubefile\n%s\n```\n\n%s\n", d->synopsis, d->summary);
	if (d->flags[0].name) {
		kf_buf_adds(out, "\nFlags:\n\n");
		for (const kf_flag_doc *f = d->flags; f->name; f++)
			kf_buf_printf(out, "- `--%s%s%s`: %s\n", f->name, f->value ? "=" : "", f->value ? f->value : "",
				      f->summary);
	}
}

void kf_instr_docs_markdown(kf_buf *out)
{
	kf_buf_adds(out, "# Instructions\n\n"
			 "<!-- Generated from src/syntax/instrdoc.c by `kfls --print-instruction-docs`; "
			 "tests/lsp.sh checks it. Edit the table, not this file. -->\n\n"
			 "What each instruction and flag does, as the language server shows it on hover. "
			 "The language itself is described in [language.md](language.md).\n");
	for (int k = KF_INSTR_ERROR + 1; k < KF_INSTR__COUNT; k++) {
		kf_buf_printf(out, "\n## %s\n\n", kf_kind_name((kf_kind)k));
		kf_instr_doc_hover((kf_kind)k, out);
	}
}

/* ---- what kfc build refuses --------------------------------------------------------------- */

static const kf_flag_refusal refusals[] = {
	{KF_INSTR_COPY, "from", "KF509", "needs a multi-stage build, which kfc build does not support"},
	{KF_INSTR_COPY, "parents", "KF505", "is not supported by kfc build: copy each folder to its destination"},
	{KF_INSTR_COPY, "exclude", "KF505",
	 "is not supported by kfc build: leave the files out with an ignore file (.kubefileignore, .dockerignore)"},
	{KF_INSTR_ADD, "exclude", "KF505",
	 "is not supported by kfc build: leave the files out with an ignore file (.kubefileignore, .dockerignore)"},
	{KF_INSTR_ADD, "keep-git-dir", "KF505", "is not supported by kfc build, which does not add git sources"},
	{KF_INSTR_RUN, "mount", "KF505",
	 "is not supported by kfc build (BuildKit's mounts): COPY what the command needs, or download it in the command"},
	{KF_INSTR_RUN, "security", "KF505", "is not supported by kfc build: RUN always runs in its sandbox"},
};

const kf_flag_refusal *kf_flag_refused(kf_kind kind, kf_str name)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
		if (refusals[i].kind == kind && kf_str_eq_cstr(name, refusals[i].name))
			return &refusals[i];
	return NULL;
}

const kf_flag_refusal *kf_flag_refusals(size_t *n)
{
	*n = sizeof refusals / sizeof refusals[0];
	return refusals;
}
