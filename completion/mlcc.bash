# mlcc.bash -- bash completion for mlcc, compile_models, and mlcc's
# coremlcompiler/coremlc names.  Installed as
# share/bash-completion/completions/{mlcc,compile_models,coremlcompiler,coremlc};
# or source it from ~/.bashrc.  Self-contained: bash-completion's helpers
# are not needed.
#
# Completes commands, each command's options, option values (link modes,
# the compiler stamps of `mlcc version --list`, spec versions, parts), and
# file kinds: .mlpackage and .mlmodelc directories, .mlmodel, .mil, .npy
# (after --input NAME=), meta.yaml and tokenizer.json files; other
# directories are offered too, to walk into.

_mlcc_commands="compile decompile assemble inspect diff check run chat version help"

# Options of each command; those of _mlcc_valued take a value.
_mlcc_opts_compile="--coremlc-version --mil-version --link --quiet --json"
_mlcc_opts_decompile=""
_mlcc_opts_assemble="-o --weights --spec-version --description-from"
_mlcc_opts_inspect="--json"
_mlcc_opts_diff="--interface"
_mlcc_opts_check=""
_mlcc_opts_run="--function --input --state-in --state-out --output-dir --threads"
_mlcc_opts_chat="--meta --embed --ffn --pf --lmhead --tokenizer --context-length --prompt --tokens \
--max-tokens --temperature --top-k --top-p --seed --threads --monolithic --batch-size --vocab-size \
--eos --print-logits --template --no-template --encode-only"
_mlcc_opts_version="--list"
_mlcc_opts_help=""
_mlcc_opts_compile_models="--lut --chunk --prefix --input --output --recursive --force-mlprogram \
--split-rotate --jobs --quiet --coremlc-version --mil-version --link --json --help"
_mlcc_opts_coremlc="--add-mlprogram-if-eligible --platform --deployment-target --sdkroot \
--output-partial-info-plist --container"
_mlcc_valued=" --coremlc-version --mil-version --link -o --weights --spec-version --description-from \
--function --input --state-in --state-out --output-dir --threads --meta --embed --ffn --pf --lmhead \
--tokenizer --context-length --prompt --tokens --max-tokens --temperature --top-k --top-p --seed \
--lut --chunk --prefix --input-dir --output --output-dir --jobs -j --add-mlprogram-if-eligible \
--platform --deployment-target --sdkroot --output-partial-info-plist --container "

# _mlcc_join: COMP_WORDS with the pieces bash split at '=' joined again
# ("--input" "x" "=" "a.npy" -> "--input" "x=a.npy").  Sets _mlcc_w (the
# words) and _mlcc_cw (the index of the word being completed).
_mlcc_join() {
	local i t
	_mlcc_w=()
	_mlcc_cw=0
	for ((i = 0; i <= COMP_CWORD; i++)); do
		t=${COMP_WORDS[i]}
		if ((i > 1)) && [[ $t == "=" || ${COMP_WORDS[i - 1]} == "=" ]]; then
			_mlcc_w[${#_mlcc_w[@]} - 1]+=$t
		else
			_mlcc_w+=("$t")
		fi
	done
	_mlcc_cw=$((${#_mlcc_w[@]} - 1))
}

# _mlcc_files DIR_EXTS FILE_EXTS PREFIX: what starts with PREFIX and is a
# directory named *.DIR_EXT, a file named *.FILE_EXT or FILE_EXT (lists
# separated by spaces; "*" = any file), or a directory to walk into (any
# other directory that is not itself a model bundle or package).
_mlcc_files() {
	local dexts=$1 fexts=$2 prefix=$3 f e
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		if [[ -d $f ]]; then
			case $f in
			*.mlpackage | *.mlmodelc)
				for e in $dexts; do
					[[ $f == *."$e" ]] && COMPREPLY+=("$f") && break
				done
				;;
			*) COMPREPLY+=("$f") ;;
			esac
		elif [[ -n $f ]]; then
			for e in $fexts; do
				if [[ $e == "*" || $f == *."$e" || ${f##*/} == "$e" ]]; then
					COMPREPLY+=("$f")
					break
				fi
			done
		fi
	done < <(compgen -f -- "$prefix")
}

_mlcc_dirs() {
	compopt -o filenames 2>/dev/null
	COMPREPLY+=($(compgen -d -- "$1"))
}

_mlcc_words() {
	COMPREPLY+=($(compgen -W "$1" -- "$2"))
}

# The compiler stamps, from `mlcc version --list` (the mlcc beside the
# command being completed, else the one on PATH).
_mlcc_stamps() {
	local prog=${COMP_WORDS[0]} dir
	case ${prog##*/} in
	mlcc) ;;
	*)
		dir=$(dirname -- "$(command -v -- "$prog" 2>/dev/null || echo "$prog")")
		if [[ -x $dir/mlcc ]]; then prog=$dir/mlcc; else prog=mlcc; fi
		;;
	esac
	"$prog" version --list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# _mlcc_value OPT VALUE: complete the value of option OPT.
_mlcc_value() {
	local opt=$1 v=$2
	case $opt in
	--link) _mlcc_words "copy reflink hard auto" "$v" ;;
	--coremlc-version) _mlcc_words "$(_mlcc_stamps)" "$v" ;;
	--spec-version) _mlcc_words "6 7 8 9 10" "$v" ;;
	--add-mlprogram-if-eligible) _mlcc_words "force disable auto" "$v" ;;
	--lut) _mlcc_words "none 4 6 8" "$v" ;;
	-o) _mlcc_files "mlpackage" "" "$v" ;;
	--weights | --output-dir | --input-dir | --output | --sdkroot) _mlcc_dirs "$v" ;;
	--input)
		# mlcc run: NAME=FILE.npy; compile_models: a directory.
		if [[ $_mlcc_cmd == compile_models ]]; then
			_mlcc_dirs "$v"
		elif [[ $v == *=* ]]; then
			_mlcc_files "" "npy" "${v#*=}"
		fi
		;;
	--state-in | --state-out) [[ $v == *=* ]] && _mlcc_files "" "npy" "${v#*=}" ;;
	--description-from) _mlcc_files "mlpackage mlmodelc" "mlmodel" "$v" ;;
	--embed | --ffn | --pf | --lmhead) _mlcc_files "mlmodelc mlpackage" "" "$v" ;;
	--meta) _mlcc_files "" "yaml yml" "$v" ;;
	--tokenizer) _mlcc_files "" "json" "$v" ;;
	--output-partial-info-plist) _mlcc_files "" "*" "$v" ;;
	esac
}

# _mlcc_positional CMD N PREFIX: the N-th (from 1) operand of CMD.
_mlcc_positional() {
	local cmd=$1 n=$2 p=$3
	case $cmd:$n in
	compile:1 | coremlc:1) _mlcc_files "mlpackage" "mlmodel" "$p" ;;
	compile:2 | coremlc:2) _mlcc_dirs "$p" ;;
	decompile:1) _mlcc_files "mlmodelc" "" "$p" ;;
	decompile:2) _mlcc_files "mlpackage" "mlmodel" "$p" ;;
	assemble:1) _mlcc_files "" "mil" "$p" ;;
	inspect:1 | diff:[12]) _mlcc_files "mlpackage mlmodelc" "mlmodel" "$p" ;;
	check:1) _mlcc_files "mlpackage mlmodelc" "mlmodel mil" "$p" ;;
	run:1) _mlcc_files "mlmodelc mlpackage" "" "$p" ;;
	help:1) _mlcc_words "$_mlcc_commands" "$p" ;;
	compile_models:1) _mlcc_words "1 2 3 monolithic all" "$p" ;;
	coremlc_top:1) _mlcc_words "compile version" "$p" ;;
	esac
}

_mlcc() {
	local cur prev first i n opts w
	COMPREPLY=()
	_mlcc_join
	cur=${_mlcc_w[_mlcc_cw]}
	prev=${_mlcc_w[_mlcc_cw - 1]}
	case ${COMP_WORDS[0]##*/} in
	compile_models)
		_mlcc_cmd=compile_models
		first=1
		;;
	coremlcompiler | coremlc)
		_mlcc_cmd=coremlc_top
		first=1
		if ((_mlcc_cw > 1)); then
			_mlcc_cmd=coremlc
			first=2
		fi
		;;
	*)
		if ((_mlcc_cw == 1)); then
			_mlcc_words "$_mlcc_commands --help --version" "$cur"
			return 0
		fi
		_mlcc_cmd=${_mlcc_w[1]}
		first=2
		;;
	esac
	# --opt=VALUE in the word being completed; bash completes only the
	# part after the last '=' (it splits words there).
	if [[ $cur == -*=* ]]; then
		_mlcc_value "${cur%%=*}" "${cur#*=}"
		return 0
	fi
	if ((_mlcc_cw > first)) && [[ $_mlcc_valued == *" $prev "* ]]; then
		_mlcc_value "$prev" "$cur"
		return 0
	fi
	if [[ $cur == -* ]]; then
		opts=_mlcc_opts_${_mlcc_cmd}
		[[ $_mlcc_cmd == coremlc ]] && opts=_mlcc_opts_coremlc
		_mlcc_words "${!opts}" "$cur"
		return 0
	fi
	# Which operand is this: count the words that are neither options nor
	# option values.
	n=0
	for ((i = first; i < _mlcc_cw; i++)); do
		w=${_mlcc_w[i]}
		if [[ $w == -* ]]; then
			[[ $w != *=* && $_mlcc_valued == *" $w "* ]] && ((i++))
			continue
		fi
		((n++))
	done
	[[ $_mlcc_cmd == coremlc ]] && [[ ${_mlcc_w[1]} != compile ]] && return 0
	_mlcc_positional "$_mlcc_cmd" $((n + 1)) "$cur"
	return 0
}

complete -F _mlcc mlcc compile_models coremlcompiler coremlc
