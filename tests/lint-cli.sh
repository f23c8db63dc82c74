#!/bin/sh
# kflint's command line: exit statuses and the failure threshold, the
# output formats (each read back by a parser of that format), settings
# from .kflint.yaml, the environment and the command line, inline pragmas.
. "$(dirname "$0")/lib.sh"

KFLINT=$(dirname "$KFC")/kflint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99
mkdir -p repo/.git && cd repo || exit 99

st() { rc=0; "$@" >out 2>err || rc=$?; echo "$rc"; }
is() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 (got '$1', wanted '$2')"; fi; }

printf 'FROM scratch\nAPP web local://web.yaml\nLAUNCH web\n' >Kubefile
printf 'apiVersion: v1\nkind: ConfigMap\n' >web.yaml
printf 'FROM scratch\nmaintainer me\nAPP web web.yaml\nLAUNCH web wbe\n' >bad.kubefile

is "$(st "$KFLINT" Kubefile)" 0 "a clean file: exit 0"
[ -s out ] && not_ok "a clean file prints nothing" || ok "a clean file prints nothing"
is "$(st "$KFLINT" bad.kubefile)" 1 "errors: exit 1"
cat >want <<'EOW'
bad.kubefile:2:1: warning: MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors [KF203]
bad.kubefile:2:1: style: write the keyword as MAINTAINER [KF212]
bad.kubefile:3:9: error: source 'web.yaml' has no scheme: write local://web.yaml for a file of the build context [KF111]
bad.kubefile:4:12: error: app 'wbe' is not declared (did you mean 'web'?) [KF107]
EOW
"$KFLINT" -f gnu bad.kubefile >out
compare want out "gnu format: in source order, then by rule"
is "$(st "$KFLINT" --failure-threshold=none bad.kubefile)" 0 "--failure-threshold=none: exit 0"
printf 'FROM scratch\nMAINTAINER me\n' >warn.kubefile
is "$(st "$KFLINT" warn.kubefile)" 1 "a warning reaches the default threshold"
is "$(st "$KFLINT" --failure-threshold=error warn.kubefile)" 0 "a warning under --failure-threshold=error"
is "$(st "$KFLINT" --bogus x)" 2 "an unknown option: exit 2"
is "$(st "$KFLINT" missing.kubefile)" 2 "a missing file: exit 2"
is "$(st "$KFLINT" -f yaml Kubefile)" 2 "an unknown format: exit 2"

# json: the fields code scanning needs
"$KFLINT" -f json bad.kubefile >out
if command -v python3 >/dev/null 2>&1; then
	python3 - out <<'EOP' && ok "json: an array of objects with the documented fields" || not_ok "json fields"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 4
for x in d:
    for k in ("file", "line", "column", "endLine", "endColumn", "level", "code", "message"):
        assert k in x, k
    assert x["level"] in ("error", "warning", "info", "style")
assert d[3] == {"file": "bad.kubefile", "line": 4, "column": 12, "endLine": 4, "endColumn": 15,
                "level": "error", "code": "KF107", "message": "app 'wbe' is not declared (did you mean 'web'?)",
                "fix": {"title": "use the declared app", "line": 4, "column": 12, "endLine": 4,
                        "endColumn": 15, "replacement": "web"}}, d[3]
EOP
	"$KFLINT" -f sarif bad.kubefile >out
	python3 - out <<'EOP' && ok "sarif: 2.1.0 with rules and located results" || not_ok "sarif"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert run["tool"]["driver"]["name"] == "kflint"
ids = [r["id"] for r in rules]
assert sorted(ids) == ["KF107", "KF111", "KF203", "KF212"], ids
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    assert r["level"] in ("error", "warning", "note")
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "bad.kubefile"
    assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
assert run["results"][3]["message"]["text"].startswith("app 'wbe'")
EOP
fi
if command -v xmllint >/dev/null 2>&1; then
	"$KFLINT" -f checkstyle bad.kubefile Kubefile >out
	if xmllint --noout out && [ "$(xmllint --xpath 'count(//file[@name="bad.kubefile"]/error)' out)" = 4 ] &&
		[ "$(xmllint --xpath 'string(//error[4]/@source)' out)" = kflint.KF107 ]; then
		ok "checkstyle: well-formed, four errors in bad.kubefile"
	else
		not_ok "checkstyle"; sed 's/^/# /' out
	fi
	"$KFLINT" -f junit bad.kubefile Kubefile >out
	if xmllint --noout out && [ "$(xmllint --xpath 'string(//testsuite/@tests)' out)" = 2 ] &&
		[ "$(xmllint --xpath 'string(//testsuite/@failures)' out)" = 1 ] &&
		[ "$(xmllint --xpath 'count(//testcase[@name="Kubefile"]/failure)' out)" = 0 ]; then
		ok "junit: well-formed, two test cases, one failing"
	else
		not_ok "junit"; sed 's/^/# /' out
	fi
fi
"$KFLINT" -f github bad.kubefile >out
printf '::error file=bad.kubefile,line=4,col=12,endLine=4,endColumn=15,title=KF107::app %s is not declared (did you mean %s?)\n' "'wbe'" "'web'" >want
tail -1 out >last
compare want last "github: workflow command"

# SARIF: paths relative to %SRCROOT% (the current directory, in the run's
# originalUriBaseIds), a file outside it as a file: URI; every rule with
# helpUri and help; valid against the SARIF 2.1.0 schema
mkdir -p "sp ace"
cp bad.kubefile "sp ace/x.kubefile"
printf 'FROM scratch\nRUN echo $HOME\n' >sc.kubefile
"$KFLINT" -f sarif bad.kubefile "sp ace/x.kubefile" ./sc.kubefile "$(pwd -P)/Kubefile" >sarif.out 2>err
docs=$(sed -n 's/^ *"informationUri": "\(.*\)kflint\.md",$/\1/p' sarif.out)
if command -v python3 >/dev/null 2>&1; then
	python3 - sarif.out "$(pwd -P)" "$docs" <<'EOP' && ok "sarif: relative URIs on %SRCROOT%, helpUri and help on every rule" || not_ok "sarif: uriBaseId, helpUri"
import json, sys
d = json.load(open(sys.argv[1])); cwd, docs = sys.argv[2], sys.argv[3]
run = d["runs"][0]
assert docs.startswith("https://") and docs.endswith("/"), docs
assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file://" + cwd + "/"}}, run["originalUriBaseIds"]
locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
seen = []
for l in locs:
    if l not in seen:
        seen.append(l)
assert seen == [{"uri": "bad.kubefile", "uriBaseId": "%SRCROOT%"},
                {"uri": "sp%20ace/x.kubefile", "uriBaseId": "%SRCROOT%"},
                {"uri": "sc.kubefile", "uriBaseId": "%SRCROOT%"}], seen
rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
for r in rules.values():
    assert r["helpUri"] and r["help"]["text"] and r["help"]["markdown"], r
assert rules["KF203"]["helpUri"] == docs + "rules/KF203.md"
assert rules["KF203"]["help"] == {"text": "MAINTAINER is deprecated. See " + docs + "rules/KF203.md",
    "markdown": "MAINTAINER is deprecated. See [KF203 maintainer-deprecated](" + docs + "rules/KF203.md)."}, rules["KF203"]["help"]
if "SC2086" in rules:
    assert rules["SC2086"]["helpUri"] == "https://www.shellcheck.net/wiki/SC2086"
EOP
	printf 'FROM scratch\nmaintainer me\n' >/tmp/kflint-abs.$$.kubefile
	"$KFLINT" -f sarif /tmp/kflint-abs.$$.kubefile >out
	rm -f /tmp/kflint-abs.$$.kubefile
	grep -q "^ *\"uri\": \"file:///tmp/kflint-abs.$$.kubefile\"$" out && ! grep -q '"uriBaseId"' out &&
		ok "sarif: a file outside the current directory is a file: URI" || not_ok "sarif: a file outside the current directory"
	# the schema comes from npm (@microsoft/jest-sarif ships SARIF 2.1.0's
	# JSON schema, rtm.5), the validator from Debian (python3-jsonschema)
	(
		. "$KF_TESTDATA/npm-cache.sh"
		npm_need @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null
		python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema not installed: skipped"; exit 77; }
		schema=$npm_dir/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json
		"$KFLINT" -f sarif --failure-threshold=none Kubefile >clean.sarif
		python3 - "$schema" sarif.out clean.sarif <<'EOP'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft4Validator(schema)
for f in sys.argv[2:]:
    errs = sorted(v.iter_errors(json.load(open(f))), key=str)
    for e in errs:
        print("# %s: %s at %s" % (f, e.message, list(e.absolute_path)))
    assert not errs
# the schema does catch a broken log
bad = json.load(open(sys.argv[2]))
bad["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = 42
assert list(v.iter_errors(bad))
EOP
	)
	case $? in
	0) ok "sarif: valid against the SARIF 2.1.0 JSON schema" ;;
	77) echo "# sarif schema check skipped (npm, node or python3-jsonschema missing)" ;;
	*) not_ok "sarif: valid against the SARIF 2.1.0 JSON schema" ;;
	esac
fi

# codeclimate: Code Climate issues, each followed by a NUL byte (exact bytes)
"$KFLINT" -f codeclimate bad.kubefile >out
is "$(st "$KFLINT" -f codeclimate bad.kubefile)" 1 "codeclimate: exit 1 on errors, as every format"
python3 - want "$docs" <<'EOP'
import sys
docs = sys.argv[2]
def issue(code, name, desc, cat, body, b, e, sev, fp):
    return ('{"type":"issue","check_name":"%s","description":"%s","categories":["%s"],"content":{"body":"%s. See [%s %s](%srules/%s.md)."},'
            '"location":{"path":"bad.kubefile","positions":{"begin":{"line":%d,"column":%d},"end":{"line":%d,"column":%d}}},'
            '"severity":"%s","fingerprint":"%s"}\0') % (code, desc, cat, body, code, name, docs, code, b[0], b[1], e[0], e[1], sev, fp)
out = issue("KF203", "maintainer-deprecated", "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors", "Bug Risk",
            "MAINTAINER is deprecated", (2, 1), (2, 11), "major", "9c19e4183dc1040181c860571e113c30")
out += issue("KF212", "keyword-case", "write the keyword as MAINTAINER", "Style", "An instruction keyword is not in upper case",
             (2, 1), (2, 11), "info", "4e032b36c9ea14f71089a0e2e4ae5a5a")
out += issue("KF111", "app-source-scheme", "source 'web.yaml' has no scheme: write local://web.yaml for a file of the build context",
             "Bug Risk", "An app source has no scheme, or one other than local://, http:// or https://", (3, 9), (3, 17), "critical",
             "9d2a1129fbe91f653864b0739e6d8676")
out += issue("KF107", "undeclared-app", "app 'wbe' is not declared (did you mean 'web'?)", "Bug Risk",
             "LAUNCH, APPCMDS or APPENV names an app that is not declared before it", (4, 12), (4, 15), "critical",
             "c945f2d9badc94b553e4be95cb0396ba")
open(sys.argv[1], "w").write(out)
EOP
compare want out "codeclimate: the issues, exactly"
"$KFLINT" -f codeclimate Kubefile >out
[ -s out ] && not_ok "codeclimate: nothing for a clean file" || ok "codeclimate: nothing for a clean file"

# gitlab_codeclimate: GitLab Code Quality's documented fields; fingerprints
# unique, and unchanged when lines are added above
"$KFLINT" -f gitlab_codeclimate bad.kubefile "sp ace/x.kubefile" >gl1.json
cp bad.kubefile moved.kubefile
"$KFLINT" -f gitlab_codeclimate moved.kubefile >gl2.json
{ printf '# a comment\n\n'; cat bad.kubefile; } >moved.kubefile
"$KFLINT" -f gitlab_codeclimate moved.kubefile >gl3.json
"$KFLINT" -f gitlab_codeclimate Kubefile >gl4.json
printf 'FROM scratch\nMAINTAINER me\nMAINTAINER me\n' >dup.kubefile
"$KFLINT" -f gitlab_codeclimate dup.kubefile >gl5.json
python3 - gl1.json gl2.json gl3.json gl4.json gl5.json <<'EOP' && ok "gitlab_codeclimate: GitLab's required fields, unique and stable fingerprints" || not_ok "gitlab_codeclimate"
import json, sys
d, before, after, clean, dup = (json.load(open(f)) for f in sys.argv[1:])
assert isinstance(d, list) and len(d) == 8, len(d)
for x in d:
    assert isinstance(x["description"], str) and x["description"]
    assert isinstance(x["check_name"], str) and x["check_name"]
    assert isinstance(x["fingerprint"], str) and len(x["fingerprint"]) == 32
    assert x["severity"] in ("info", "minor", "major", "critical", "blocker")
    assert isinstance(x["location"]["path"], str)
    assert isinstance(x["location"]["lines"]["begin"], int) and x["location"]["lines"]["begin"] >= 1
assert len({x["fingerprint"] for x in d}) == 8
assert d[3] == {"type": "issue", "check_name": "KF107", "description": "app 'wbe' is not declared (did you mean 'web'?)",
                "categories": ["Bug Risk"], "location": {"path": "bad.kubefile", "lines": {"begin": 4, "end": 4}},
                "severity": "critical", "fingerprint": "c945f2d9badc94b553e4be95cb0396ba"}, d[3]
assert [x["location"]["path"] for x in d] == ["bad.kubefile"] * 4 + ["sp ace/x.kubefile"] * 4
assert [x["severity"] for x in d[:4]] == ["major", "info", "critical", "critical"]
# two lines added above: the same fingerprints on other lines
assert [x["location"]["lines"]["begin"] for x in before] == [2, 2, 3, 4]
assert [x["location"]["lines"]["begin"] for x in after] == [4, 4, 5, 6]
assert [x["fingerprint"] for x in before] == [x["fingerprint"] for x in after]
assert clean == []
# the same finding on two lines of the same text: two fingerprints
assert [x["check_name"] for x in dup] == ["KF203", "KF203"] and dup[0]["fingerprint"] != dup[1]["fingerprint"]
EOP
printf 'format: gitlab_codeclimate\n' >.kflint.yaml
"$KFLINT" dup.kubefile >out 2>err
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 2' out && ok "format: gitlab_codeclimate in .kflint.yaml" ||
	{ not_ok "format: gitlab_codeclimate in .kflint.yaml"; sed 's/^/# /' err; }
rm .kflint.yaml

# settings: .kflint.yaml, then KFLINT_IGNORE, then the command line
printf 'ignored: [KF212, maintainer-deprecated]\nseverity:\n  KF107: warning\n' >.kflint.yaml
"$KFLINT" -f gnu bad.kubefile >out
cat >want <<'EOW'
bad.kubefile:3:9: error: source 'web.yaml' has no scheme: write local://web.yaml for a file of the build context [KF111]
bad.kubefile:4:12: warning: app 'wbe' is not declared (did you mean 'web'?) [KF107]
EOW
compare want out ".kflint.yaml ignored (by code and name) and severity"
KFLINT_IGNORE=KF111 "$KFLINT" -f gnu bad.kubefile >out
is "$(wc -l <out | tr -d ' ')" 1 "KFLINT_IGNORE adds to the ignored rules"
"$KFLINT" -f gnu --ignore=KF107 --severity=KF111=info bad.kubefile >out
printf 'bad.kubefile:3:9: info: source %s has no scheme: write local://web.yaml for a file of the build context [KF111]\n' "'web.yaml'" >want
compare want out "--ignore and --severity"
printf 'failure-threshold: none\n' >.kflint.yaml
is "$(st "$KFLINT" bad.kubefile)" 0 "failure-threshold from .kflint.yaml"
printf 'ignored: KF101\n' >.kflint.yaml
is "$(st "$KFLINT" Kubefile)" 2 "a bad config: exit 2"
printf 'kflint: %s/.kflint.yaml:1:10: ignored must be a list\n' "$(pwd -P)" >want
compare want err "a bad config names its place"
rm .kflint.yaml

printf '' >.kflint.yaml
is "$(st "$KFLINT" Kubefile)" 0 "an empty .kflint.yaml is no settings"
printf 'ignored: [KF999]\n' >.kflint.yaml
is "$(st "$KFLINT" Kubefile)" 2 "an unknown rule in ignored: exit 2"
grep -q "ignored: no rule is named 'KF999'" err && ok "the unknown rule is named" || not_ok "unknown rule: $(cat err)"
rm .kflint.yaml
is "$(st "$KFLINT" --ignore=KF999 Kubefile)" 2 "--ignore of an unknown rule: exit 2"
is "$(st "$KFLINT" --ignore=SC2086,KF003 --severity=launch-not-last=info Kubefile)" 0 "ShellCheck and syntax codes and names are known"
printf 'FROM scratch\n# kflint ignore=KF203, KF212\nmaintainer a\n' >p2.kubefile
is "$(st "$KFLINT" p2.kubefile)" 0 "a pragma list may have blanks after its commas"

# dialects: USER is a sealos idiom and a sealer error
printf 'FROM scratch\nUSER 65532:65532\nCOPY charts charts\nCMD ["helm install x charts/x"]\n' >sealos.kubefile
is "$(st "$KFLINT" sealos.kubefile)" 0 "sealos idioms are not errors (detected)"
is "$(st "$KFLINT" --dialect=sealer sealos.kubefile)" 1 "the same file in the sealer dialect"
grep -q 'USER has no meaning in a sealer Kubefile' out && ok "USER named in the sealer dialect" || not_ok "USER in sealer"

# IMAGES --file: the list is read from the build context
printf 'nginx:1.25\n# a comment\n\nBad/Name:1\n' >imageList
printf 'FROM scratch\nIMAGES --file=imageList\n' >img.kubefile
"$KFLINT" -f gnu img.kubefile >out
printf 'img.kubefile:2:8: error: imageList, line 4: %s is not an image reference: the name must be lower case [KF121]\n' "'Bad/Name:1'" >want
compare want out "IMAGES --file: each line of the list is checked"

# COPY of registry/ (KF123, KF124; not KF114's): which sources, which destinations
mkdir -p reg && cat >reg/Kubefile <<'EOK'
FROM labring/kubernetes:v1.25.6
COPY registry registry
COPY registry/ registry/
COPY ./registry /registry
COPY . .
COPY registry/docker registry/docker
COPY --from=stage registry elsewhere
COPY registry images/
COPY registry .
ADD registry registry
WORKDIR /opt
COPY registry ../registry
COPY registry registry
COPY registry $DEST
IMAGES nginx nginx:latest nginx:1.25 nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef localhost:5000/a Bad $IMG
CMD ["x"]
EOK
"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none --ignore=KF205 --ignore=KF208 --ignore=KF213 --ignore=KF105 --ignore=KF224 reg/Kubefile >out
k123="info: the build context has no registry/: the build fills it with the container images it finds in charts/, manifests/ and images/shim/, as sealos build does; with --save-image=false this COPY fails [KF123]"
k124="but sealer run and sealos run serve only the rootfs's registry/ folder: copy it to registry/ [KF124]"
k125="pin a version or a digest; :latest moves, so the build is not reproducible and an offline rebuild (--pull=never) may resolve it to another image [KF125]"
cat >want <<EOW
reg/Kubefile:2:6: $k123
reg/Kubefile:3:6: $k123
reg/Kubefile:4:6: $k123
reg/Kubefile:8:6: $k123
reg/Kubefile:8:15: warning: registry/ is copied to '/images', $k124
reg/Kubefile:9:6: $k123
reg/Kubefile:9:15: warning: registry/ is copied to '/', $k124
reg/Kubefile:12:6: $k123
reg/Kubefile:13:6: $k123
reg/Kubefile:13:15: warning: registry/ is copied to '/opt/registry', $k124
reg/Kubefile:14:6: $k123
reg/Kubefile:15:8: warning: image 'nginx' has no tag: $k125
reg/Kubefile:15:14: warning: image 'nginx:latest' uses :latest: $k125
reg/Kubefile:15:116: warning: image 'localhost:5000/a' has no tag: $k125
reg/Kubefile:15:133: error: 'Bad' is not an image reference: the name must be lower case [KF121]
EOW
compare want out "registry/ sources (KF123) and destinations (KF124), IMAGES tags (KF125)"
mkdir reg/registry
"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none --ignore=KF205 --ignore=KF208 --ignore=KF213 --ignore=KF105 --ignore=KF224 reg/Kubefile >out
grep -v KF123 want >want2
compare want2 out "a context with a registry/ of its own: no KF123"

# pragmas
printf 'FROM scratch\n# kflint ignore=KF203\nMAINTAINER a\nMAINTAINER b\n' >p.kubefile
"$KFLINT" -f gnu p.kubefile >out
printf 'p.kubefile:4:1: warning: MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors [KF203]\n' >want
compare want out "# kflint ignore= covers the next instruction only"
printf 'FROM scratch\nMAINTAINER a\n# kflint global ignore=maintainer-deprecated\nMAINTAINER b\n' >p.kubefile
is "$(st "$KFLINT" p.kubefile)" 0 "# kflint global ignore= covers the file"

# ShellCheck on the shell commands, when it is installed
if command -v shellcheck >/dev/null 2>&1; then
	printf 'FROM scratch\nENV D=/tmp\nRUN echo $x\nCMD ["cd $(D) && ls $y"]\n' >sc.kubefile
	"$KFLINT" -f gnu --failure-threshold=none sc.kubefile >out
	printf 'sc.kubefile:3:10: info: Double quote to prevent globbing and word splitting. [SC2086]\nsc.kubefile:4:21: info: Double quote to prevent globbing and word splitting. [SC2086]\n' >want
	compare want out "shellcheck: RUN and CMD checked, at their columns; sealos \$(VAR) is substituted first (tests/lint-sealos.sh)"
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none sc.kubefile >out
	[ -s out ] && not_ok "--no-shellcheck" || ok "--no-shellcheck"
	printf 'shellcheck: false\n' >.kflint.yaml
	"$KFLINT" -f gnu --failure-threshold=none sc.kubefile >out
	[ -s out ] && not_ok "shellcheck: false in .kflint.yaml" || ok "shellcheck: false in .kflint.yaml"
	rm .kflint.yaml
fi

# KF221 judges the images discovery finds in the build context (kfc imagelist
# CONTEXT), at the instruction that brings their file into the image (a
# build without kfc build has no discovery)
if "$KFC" imagelist --help >/dev/null 2>&1; then
	mkdir -p k221/manifests k221/charts/web/templates k221/apps/db k221/lists k221/docs k221/tmp k221/sub
	printf 'trusted-registries: [registry.k8s.io]\n' >k221/.kflint.yaml
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: quay.io/x/y:v1\n    - name: b\n      image: registry.k8s.io/pause:3.9\n' >k221/manifests/app.yaml
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n    - image: "ghcr.io/init/i:2"\n' >k221/manifests/init.yml
	printf 'apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: "1.2"\n' >k221/charts/web/Chart.yaml
	printf 'image:\n  repository: nginx\n' >k221/charts/web/values.yaml
	printf 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}"\n' >k221/charts/web/templates/deploy.yaml
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: docker.io/library/postgres:16\n' >k221/apps/db/db.yaml
	printf '# cached too\nregistry.k8s.io/coredns/coredns:v1.11.1\nquay.io/list/one:1\n' >k221/lists/extra.txt
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: example.com/doc/x:1\n' >k221/docs/example.yaml
	printf 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: example.com/ignored/x:1\n' >k221/tmp/scratch.yaml
	printf 'tmp\n' >k221/.dockerignore
	printf 'FROM scratch\nCOPY manifests /m\nCOPY manifests/*.yaml manifests/\nCOPY charts charts\nAPP db local://apps/db\nIMAGES --file=lists/extra.txt quay.io/own/word:1\nLAUNCH db\n' >k221/Kubefile
	# docs/ is brought by no instruction: at the first; manifests/app.yaml by
	# both COPYs, the closer counts
	cat >want <<'EOW'
k221/Kubefile:1:1: warning: image example.com/doc/x:1 (docs/example.yaml:5:14) is from example.com, not a trusted registry [KF221]
k221/Kubefile:2:6: warning: image ghcr.io/init/i:2 (manifests/init.yml:5:14) is from ghcr.io, not a trusted registry [KF221]
k221/Kubefile:3:6: warning: image quay.io/x/y:v1 (manifests/app.yaml:6:14) is from quay.io, not a trusted registry [KF221]
k221/Kubefile:4:6: warning: image nginx:1.2 (charts/web/templates/deploy.yaml:8:18) is from docker.io, not a trusted registry [KF221]
k221/Kubefile:5:8: warning: image docker.io/library/postgres:16 (apps/db/db.yaml:5:14) is from docker.io, not a trusted registry [KF221]
k221/Kubefile:6:8: warning: image quay.io/list/one:1 (lists/extra.txt:3:1) is from quay.io, not a trusted registry [KF221]
k221/Kubefile:6:31: warning: 'quay.io/own/word:1' comes from quay.io, which is not a trusted registry [KF221]
EOW
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none --ignore=KF123,KF118 k221/Kubefile >out
	compare want out "KF221: every image of the context, at the COPY, APP or IMAGES --file that brings its file in"
	(cd k221 && "$KFC" imagelist . | grep -v '^registry.k8s.io/' | sort) >out
	printf 'docker.io/library/nginx:1.2\ndocker.io/library/postgres:16\nexample.com/doc/x:1\nghcr.io/init/i:2\nquay.io/list/one:1\nquay.io/own/word:1\nquay.io/x/y:v1\n' >want
	compare want out "KF221: the images kfc imagelist lists (but the trusted ones)"
	printf 'FROM scratch\nCOPY . .\n' >k221/Kubefile.all
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none k221/Kubefile.all >out
	is "$(grep -c '^k221/Kubefile.all:2:6: warning: image ' out)" 6 "KF221: COPY . . brings every file (but the ignored one)"
	grep -q ignored out && not_ok "KF221: what .dockerignore leaves out is not judged" || ok "KF221: what .dockerignore leaves out is not judged"
	rm k221/Kubefile.all
	cp k221/Kubefile k221/sub/Kubefile
	"$KFLINT" -f gnu --no-shellcheck --failure-threshold=none --ignore=KF123,KF118 --context=k221 k221/sub/Kubefile >out
	grep -c "quay.io/own/word" out >count
	is "$(cat count)" 1 "KF221: the linted Kubefile's own IMAGES words once, also below the context's top"
	printf 'trusted-registries: [registry.k8s.io, quay.io, ghcr.io, docker.io, example.com]\n' >k221/.kflint.yaml
	is "$(st "$KFLINT" --no-shellcheck --ignore=KF123,KF118 k221/Kubefile)" 0 "KF221: every registry trusted, no finding"
	rm k221/.kflint.yaml
	is "$(st "$KFLINT" --no-shellcheck --ignore=KF123,KF118 k221/Kubefile)" 0 "KF221: no trusted-registries, no finding"
else
	ok "KF221 and image discovery # SKIP a build without kfc build"
fi

# standard input, directories, kfc lint
printf 'FROM scratch\nFROM scratch\n' | "$KFLINT" -f gnu --stdin-filename=x/Kubefile - >out
printf 'x/Kubefile:2:1: error: a Kubefile has one FROM: multi-stage builds are not supported [KF214]\n' >want
compare want out "stdin with --stdin-filename"
mkdir -p d/sub && cp bad.kubefile d/sub/Kubefile && cp Kubefile web.yaml d/
"$KFLINT" -f gnu d >out
is "$(cut -d: -f1 out | sort -u | tr '\n' ' ')" "d/sub/Kubefile " "a directory: its Kubefiles are linted"
printf 'FROM scratch\nAPP web local://web.yaml\nLAUNCH web\n' >d/sub/Kubefile
"$KFLINT" -f gnu d/sub/Kubefile >out
printf 'd/sub/Kubefile:2:9: error: %s does not exist in the build context (d/sub) [KF114]\n' "'web.yaml'" >want
compare want out "local:// sources are looked up beside the Kubefile"
is "$(st "$KFLINT" --context=d d/sub/Kubefile)" 0 "--context names the build context"
"$KFC" lint -f gnu bad.kubefile >out2
"$KFLINT" -f gnu bad.kubefile >out
compare out out2 "kfc lint is kflint"
"$KFLINT" --color=always bad.kubefile >out
grep -q "$(printf '\033')\\[" out && ok "--color=always" || not_ok "--color=always"
NO_COLOR=1 "$KFLINT" --color=auto bad.kubefile >out
grep -q "$(printf '\033')" out && not_ok "NO_COLOR" || ok "NO_COLOR"
finish
