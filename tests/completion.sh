#!/bin/sh
# The shell completions of kfc and kflint (kfc completion bash|zsh|fish,
# made from the option tables): bash's function run on prefixes, the exact
# replies; zsh's and fish's files loaded by their shells, fish's replies
# exact too; the files the build wrote (and make install installs) are the
# command's output.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

for sh in bash zsh fish; do
	if "$KFC" completion $sh >$sh.out 2>err && [ -s $sh.out ] && [ ! -s err ]; then
		ok "kfc completion $sh"
	else
		not_ok "kfc completion $sh: $(cat err)"
	fi
done
"$KFC" completion tcsh >out 2>err && not_ok "kfc completion tcsh succeeded" || ok "kfc completion tcsh: refused"
printf "kfc completion: unknown shell 'tcsh' (bash, zsh or fish)\nTry 'kfc completion --help'.\n" >want
compare want err "an unknown shell: the two lines"

# the build tree's files, which make install installs, are what the command prints
built=$(dirname "$KFC")/completions
if [ -d "$built" ]; then
	compare bash.out "$built/bash/kfc" "completions/bash/kfc is kfc completion bash"
	compare bash.out "$built/bash/kflint" "completions/bash/kflint is kfc completion bash"
	compare zsh.out "$built/zsh/_kfc" "completions/zsh/_kfc is kfc completion zsh"
	compare fish.out "$built/fish/kfc.fish" "completions/fish/kfc.fish is kfc completion fish"
	compare fish.out "$built/fish/kflint.fish" "completions/fish/kflint.fish is kfc completion fish"
else
	ok "the built completion files # SKIP no $built"
fi

# bash: the function on prefixes; words split as bash splits them (= is a
# word of its own, as COMP_WORDBREAKS has it) and not
if command -v bash >/dev/null 2>&1; then
	cat >run.bash <<'EOB'
source ./bash.out || exit 1
complete -p kfc kflint
reply() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_kfc
	printf '%s|' "$*"
	printf ' %s' "${COMPREPLY[@]}"
	printf '\n'
}
reply kfc bu
reply kfc ma
reply kfc build --pl
reply kfc build --progress ""
reply kfc build --progress=p
reply kfc build --compression = z
reply kflint --format = s
reply kflint --format=s
reply kflint -f j
reply kflint -t ""
reply kflint --no-c
reply kflint --trusted
reply kfc lint --fail
reply kfc manifest ""
reply kfc manifest add --a
reply kfc help ma
reply kfc help manifest ""
reply kfc completion ""
reply kfc images --format ""
reply kfc rmi -
reply kfc fmt dir/K
reply kfc build --file dir/
reply kfc build di
reply kfc -
EOB
	mkdir -p dir/sub && : >dir/Kubefile
	bash run.bash >out 2>err
	cat >want <<'EOW'
complete -F _kfc kfc
complete -F _kfc kflint
kfc bu| build
kfc ma| manifest
kfc build --pl| --platform
kfc build --progress | auto tty plain quiet
kfc build --progress=p| --progress=plain
kfc build --compression = z| zstd
kflint --format = s| sarif
kflint --format=s| --format=sarif
kflint -f j| json junit
kflint -t | error warning info style none
kflint --no-c| --no-color
kflint --trusted| --trusted-registry
kfc lint --fail| --failure-threshold
kfc manifest | create add remove inspect push rm
kfc manifest add --a| --arch --annotation
kfc help ma| manifest
kfc help manifest | create add remove inspect push rm
kfc completion | bash zsh fish
kfc images --format | text json
kfc rmi -| -f --force -h --help
kfc fmt dir/K| dir/Kubefile
kfc build --file dir/| dir/Kubefile dir/sub
kfc build di| dir
kfc -| -V --version -h --help
EOW
	compare want out "bash: _kfc's replies"
	[ -s err ] && { not_ok "bash wrote on stderr"; sed 's/^/# /' err; } || ok "bash: nothing on stderr"
else
	ok "bash # SKIP no bash"
fi

# zsh: the file loads, sourced (compdef) and from fpath (#compdef)
if command -v zsh >/dev/null 2>&1; then
	mkdir fpath && cp zsh.out fpath/_kfc
	zsh -n zsh.out 2>err && [ ! -s err ] && ok "zsh: the file parses (zsh -n)" || not_ok "zsh -n: $(cat err)"
	# a function for every command and subcommand, as kfc --help lists them
	cmds=$("$KFC" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	want_fns=$( { echo kfc kflint; for c in $cmds; do echo "kfc_$c"
		"$KFC" "$c" --help | sed -n "/^Commands:/,/^\$/s/^  \\([a-z]*\\) .*/kfc_${c}_\\1/p"; done; } |
		tr ' ' '\n' | sed 's/^/_kfc_cmd_/' | sort)
	zsh -fc 'autoload -U compinit; compinit -u -D; source ./zsh.out; print -rl -- ${(k)functions[(I)_kfc_cmd_*]}' 2>err | sort >fns
	echo "$want_fns" >want
	compare want fns "zsh: a completion function for every command and subcommand"
	if zsh -fc 'autoload -U compinit; compinit -u -D; source ./zsh.out; print -r -- ${_comps[kfc]} ${_comps[kflint]}; (( $+functions[_kfc_cmd_kfc_manifest_create] ))' >out 2>err && [ "$(cat out)" = "_kfc _kfc" ] && [ ! -s err ]; then
		ok "zsh: sourced, it registers _kfc for kfc and kflint"
	else
		not_ok "zsh: sourced: $(cat out err)"
	fi
	if zsh -fc 'fpath=(./fpath $fpath); autoload -U compinit; compinit -u -D; print -r -- ${_comps[kfc]} ${_comps[kflint]}' >out 2>err && [ "$(cat out)" = "_kfc _kfc" ] && [ ! -s err ]; then
		ok "zsh: from fpath, compinit finds it for kfc and kflint"
	else
		not_ok "zsh: from fpath: $(cat out err)"
	fi
else
	ok "zsh # SKIP no zsh"
fi

# fish: loads, and its replies (with the descriptions) are exact
if command -v fish >/dev/null 2>&1; then
	fish -N -c 'source ./fish.out; complete -C"kfc bu"; complete -C"kflint --format=s"; complete -C"kfc manifest cr"; complete -C"kfc build --pl"; complete -C"kfc help ma"' >out 2>err
	printf 'build\tbuild a ClusterImage\n--format=sarif\tthe report'"'"'s format (default: tty)\ncreate\tmake an index of images\n--platform\tthe platform (several: an image index)\nmanifest\n' >want
	compare want out "fish: the replies"
	[ -s err ] && { not_ok "fish wrote on stderr"; sed 's/^/# /' err; } || ok "fish: nothing on stderr"
else
	ok "fish # SKIP no fish"
fi
finish
