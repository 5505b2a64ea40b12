#!/bin/sh
# test_completion.sh MLCC MKPKG -- completion/mlcc.bash in bash: the
# completion function called with COMP_WORDS as bash splits them (at
# blanks and at '='), COMPREPLY checked exactly (sorted), in a directory
# of every file kind.  When zsh (with zsh/zpty) is present: zsh's
# completion with completion/_mlcc, and a real interactive bash, each
# driven in a pseudo-terminal (zsh_complete.zsh, bash_complete.zsh).
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null 2>&1 || { echo "SKIPPED: no bash"; exit 77; }
	exec bash "$0" "$@"
fi
mlcc=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
setup completion
PATH=$(dirname "$mlcc"):$PATH
# shellcheck source=/dev/null
. "$src/completion/mlcc.bash"

# compgen -f needs no bash-completion, but `compopt` works only inside a
# real completion: silence it here.
compopt() { :; }

# check NAME "LINE" WANT...: complete LINE (cursor at its end).
check() {
	local name=$1 line=$2 t rest
	shift 2
	COMP_WORDS=()
	for t in $line; do
		# bash splits words at '=' too, keeping '=' as a word of its own
		while [[ $t == *=* ]]; do
			[[ -n ${t%%=*} ]] && COMP_WORDS+=("${t%%=*}")
			COMP_WORDS+=("=")
			t=${t#*=}
		done
		[[ -n $t ]] && COMP_WORDS+=("$t")
	done
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMPREPLY=()
	_mlcc
	local got want
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[[ ${#COMPREPLY[@]} == 0 ]] && got=""
	[[ $# == 0 ]] && want=""
	if [[ $got == "$want" ]]; then ok "$name"; else bad "$name: got [$got] want [$want]"; fi
}

for c in mlcc compile_models coremlcompiler coremlc; do
	[ "$(complete -p "$c")" = "complete -F _mlcc $c" ] && ok "complete -F _mlcc $c" ||
		bad "complete -p $c: $(complete -p "$c" 2>&1)"
done

cd "$work" || exit 1
mkdir a.mlpackage b.mlmodelc sub
touch c.mlmodel d.npy e.mil meta.yaml other.txt tokenizer.json sub/x.mlmodel

check "commands" "mlcc " compile decompile assemble inspect diff check run chat version help \
	--help --version
check "command prefix" "mlcc d" decompile diff
check "compile options" "mlcc compile --" --coremlc-version --mil-version --link --quiet --json
check "compile: a package or .mlmodel, or a directory to walk" "mlcc compile " a.mlpackage c.mlmodel sub
check "compile: second operand is a directory" "mlcc compile a.mlpackage " a.mlpackage b.mlmodelc sub
check "compile: operands counted past option values" "mlcc compile --link hard a.mlpackage " \
	a.mlpackage b.mlmodelc sub
check "--link values" "mlcc compile --link " copy reflink hard auto
check "--link=h" "mlcc compile --link=h" hard
check "--link= (after the =)" "mlcc compile --link=" copy reflink hard auto
stamps=$("$mlcc" version --list | awk 'NR > 1 { print $1 }')
# shellcheck disable=SC2086
check "--coremlc-version: the stamps of mlcc version --list" "mlcc compile --coremlc-version " $stamps
check "--coremlc-version 35" "mlcc compile --coremlc-version 35" $(echo "$stamps" | grep '^35')
check "decompile: a bundle" "mlcc decompile " b.mlmodelc sub
check "decompile: then a package or .mlmodel" "mlcc decompile b.mlmodelc " a.mlpackage c.mlmodel sub
check "inspect: every model kind" "mlcc inspect " a.mlpackage b.mlmodelc c.mlmodel sub
check "inspect in a subdirectory" "mlcc inspect sub/" sub/x.mlmodel
check "check: models and .mil" "mlcc check " a.mlpackage b.mlmodelc c.mlmodel e.mil sub
check "assemble: .mil" "mlcc assemble " e.mil sub
check "assemble -o: a package" "mlcc assemble e.mil -o " a.mlpackage sub
check "assemble --spec-version" "mlcc assemble --spec-version " 6 7 8 9 10
check "run: a bundle or package" "mlcc run " a.mlpackage b.mlmodelc sub
check "run --input NAME=: .npy files" "mlcc run b.mlmodelc --input x=" d.npy sub
check "run --input NAME= prefix" "mlcc run b.mlmodelc --input x=d" d.npy
check "run --input NAME: nothing to offer" "mlcc run b.mlmodelc --input "
check "run --state-out NAME=" "mlcc run b.mlmodelc --state-out s=" d.npy sub
check "chat --meta: yaml" "mlcc chat --meta " meta.yaml sub
check "chat --tokenizer: json" "mlcc chat --tokenizer " tokenizer.json sub
check "help: commands" "mlcc help c" compile check chat
check "version --list" "mlcc version -" --list
check "compile_models parts" "compile_models " 1 2 3 monolithic all
check "compile_models --input: directories" "compile_models 2 --input " a.mlpackage b.mlmodelc sub
check "compile_models --link" "compile_models all --link=re" reflink
check "compile_models --j" "compile_models all --j" --jobs --json
check "coremlcompiler: its commands" "coremlcompiler " compile version
check "coremlcompiler compile: a package" "coremlcompiler compile " a.mlpackage c.mlmodel sub
check "coremlcompiler options" "coremlcompiler compile a.mlpackage out --p" --platform

if command -v zsh >/dev/null 2>&1; then
	zsh -n "$src/completion/_mlcc" && ok "zsh: _mlcc parses" || bad "zsh: _mlcc syntax"
	out=$(zsh -f -c "fpath=($src/completion \$fpath); autoload -Uz compinit; compinit -u -D;
		autoload -Uz _mlcc; print -r -- \${_comps[mlcc]}-\${_comps[compile_models]}" 2>&1)
	[ "$out" = "_mlcc-_mlcc" ] && ok "zsh: compinit binds _mlcc to mlcc and compile_models" ||
		bad "zsh compinit: $out"
	# zcheck NAME "LINE" WANT...: what zsh offers (tests/cli/zsh_complete.zsh), exactly.
	zcheck() {
		local name=$1 line=$2 got want
		shift 2
		got=$($to zsh -f "$src/tests/cli/zsh_complete.zsh" "$src/completion" "$line" 2>&1 | tr '\n' ' ')
		want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
		[[ $got == "$want" ]] && ok "zsh: $name" || bad "zsh: $name: got [$got] want [$want]"
	}
	to=
	command -v timeout >/dev/null 2>&1 && to="timeout 30"
	if zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
		zcheck "commands" "mlcc " compile decompile assemble inspect diff check run chat version help
		zcheck "compile options" "mlcc compile --" --coremlc-version --mil-version --link --quiet --json
		zcheck "--link=" "mlcc compile --link=" copy reflink hard auto
		# shellcheck disable=SC2046
		zcheck "--coremlc-version 35" "mlcc compile --coremlc-version 35" $(echo "$stamps" | grep '^35')
		zcheck "compile: .mlmodel files and directories" "mlcc compile " a.mlpackage b.mlmodelc c.mlmodel sub
		zcheck "run --input=NAME=: .npy" "mlcc run b.mlmodelc --input=x=" a.mlpackage b.mlmodelc d.npy sub
		zcheck "check: .mil too" "mlcc check " a.mlpackage b.mlmodelc c.mlmodel e.mil sub
		zcheck "compile_models parts" "compile_models " 1 2 3 monolithic all
		zcheck "coremlcompiler commands" "coremlcompiler " compile version
		# bcheck NAME "LINE" "WANT": an interactive bash's line after LINE + Tab.
		bcheck() {
			local got
			got=$($to zsh -f "$src/tests/cli/bash_complete.zsh" "$src/completion/mlcc.bash" "$2" 2>&1)
			[[ $got == "LINE:$3" ]] && ok "real bash: $1" || bad "real bash: $1: got [$got] want [LINE:$3]"
		}
		bcheck "--link=h" "mlcc compile --link=h" "mlcc compile --link=hard "
		bcheck "--input NAME=d" "mlcc run b.mlmodelc --input x=d" "mlcc run b.mlmodelc --input x=d.npy "
		bcheck "a directory gets its /" "mlcc inspect su" "mlcc inspect sub/"
		bcheck "a stamp" "mlcc compile --coremlc-version 3520" "mlcc compile --coremlc-version 3520.5.1 "
		bcheck "compile_models part" "compile_models mono" "compile_models monolithic "
	else
		echo "SKIPPED: zsh without zsh/zpty: no zsh completion runs"
	fi
fi
finish
