#!/bin/sh
# test_faults.sh MLCC_FAULTS COMPILE_MODELS_FAULTS MKPKG -- allocation and
# I/O fault injection.
#
# The two programs are mlcc and compile_models linked with
# tests/support/faults.c: MLCC_FAIL_ALLOC=N fails the N-th allocation,
# MLCC_FAIL_WRITE=N[:ENOSPC|EIO] the N-th write or copy, MLCC_FAULT_COUNT=F
# reports how many there were.  For each case (a model and a command) a
# fault-free run gives the reference and the counts; then every N from 1 to
# the count is failed in turn (with a stride when a count exceeds
# $FAULT_MAX, default 400, so the suite stays short).  Allocations from an
# arena (MLCC_FAIL_ARENA=N; most never reach malloc) are many more: at most
# $FAULT_ARENA_MAX of them (default 30) are failed per case, evenly spaced.
# FAULT_MAX=0 / FAULT_ARENA_MAX=0: every one, however many.  Each run must be one
# of:
#   exit 0   and an output (files and stdout) identical to the reference;
#   exit 1   with exactly one line on stderr, "mlcc: error: /PATH...: ..."
#            naming the file (an absolute path: every path given is one),
#            ending in "out of memory" (allocation) or the injected errno's
#            text (I/O), no sanitizer report, and nothing left behind in
#            the output directory (no temporary, no partial bundle) and
#            nothing on stdout.
# compile_models reports a failed package on stdout (ANEMLL's format):
# there the message line is the one after "Compilation failed with error:".
# Corpus models are added when the corpus is there ($MLCC_CORPUS).
mlcc=$1
cm=$2
mkpkg=$3
. "$(dirname "$0")/lib.sh"
setup faults
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${MLCC_CORPUS:-$src/../shared/corpus}
max=${FAULT_MAX:-400}
amax=${FAULT_ARENA_MAX:-30}
runs=0
cases=0

# run_tool KIND: run "$@" (a command line, after the tool) with the output
# directory $out fresh and empty; stdout in $work/so, stderr in $work/se.
run_tool() {
	rm -rf "$out"
	mkdir -p "$out"
	if [ "$tool" = cm ]; then
		"$cm" "$@" >"$w/so" 2>"$w/se"
	else
		"$mlcc" "$@" >"$w/so" 2>"$w/se"
	fi
}

# check NAME ENV RC WANT: judge one faulty run against the reference.
check() {
	if [ "$3" = 0 ]; then
		if diff -r "$w/ref" "$out" >/dev/null && cmp -s "$w/ref.so" "$w/so"; then
			return 0
		fi
		bad "$1 $2: exit 0 with an output unlike the fault-free run"
		diff -r "$w/ref" "$out" | head -5
		return 1
	fi
	if [ "$tool" = cm ]; then
		msg=$(sed -n '/^Compilation failed with error:$/{n;p;q}' "$w/so")
		extra=
		if [ -s "$w/se" ]; then
			msg=$(head -1 "$w/se")
			msg=${msg#compile_models: error: }
			extra=$(sed 1d "$w/se")
		fi
	else
		msg=$(head -1 "$w/se")
		extra=$(sed 1d "$w/se")$(cat "$w/so")
		msg=${msg#mlcc: error: }
	fi
	left=$(ls -A "$out")
	case $msg in
	/*": $4") shape=ok ;;
	*) shape=bad ;;
	esac
	if [ "$3" != 1 ] || [ $shape = bad ] || [ -n "$extra" ] || [ -n "$left" ]; then
		bad "$1 $2: exit $3"
		echo "  message: $msg"
		[ -n "$extra" ] && echo "  more output: $(echo "$extra" | head -3)"
		[ -n "$left" ] && echo "  left behind: $left"
		return 1
	fi
	return 0
}

# case NAME TOOL(mlcc|cm) ARGS...: the reference run, then every
# allocation and every write failed in turn.  '@OUT' in ARGS is the output
# directory.
fcase() {
	name=$1
	tool=$2
	shift 2
	out=$w/out
	cases=$((cases + 1))
	args=$(printf '%s\n' "$@" | sed "s|@OUT|$out|")
	# shellcheck disable=SC2086
	set -f
	IFS='
'
	set -- $args
	unset IFS
	set +f
	MLCC_FAULT_COUNT=$w/count run_tool "$@"
	rc=$?
	if [ $rc != 0 ]; then
		bad "$name: fault-free run exit $rc: $(cat "$w/se")"
		return
	fi
	rm -rf "$w/ref"
	cp -a "$out" "$w/ref"
	cp "$w/so" "$w/ref.so"
	na=$(sed -n 's/^alloc //p' "$w/count")
	nw=$(sed -n 's/^write //p' "$w/count")
	nr=$(sed -n 's/^arena //p' "$w/count")
	nj=$(sed -n 's/^jansson //p' "$w/count")
	step=1
	[ "$max" -gt 0 ] && step=$(((na + max - 1) / max))
	astep=1
	[ "$amax" -gt 0 ] && astep=$(((nr + amax - 1) / amax))
	failed=0
	i=1
	while [ $i -le "$na" ]; do
		MLCC_FAIL_ALLOC=$i run_tool "$@"
		check "$name" "MLCC_FAIL_ALLOC=$i" $? "out of memory" || failed=$((failed + 1))
		runs=$((runs + 1))
		i=$((i + step))
	done
	i=1
	while [ $i -le "$nr" ]; do
		MLCC_FAIL_ARENA=$i run_tool "$@"
		check "$name" "MLCC_FAIL_ARENA=$i" $? "out of memory" || failed=$((failed + 1))
		runs=$((runs + 1))
		i=$((i + astep))
	done
	i=1
	while [ $i -le "$nw" ]; do
		if [ $((i % 2)) = 0 ]; then
			err=EIO text="Input/output error"
		else
			err=ENOSPC text="No space left on device"
		fi
		MLCC_FAIL_WRITE=$i:$err run_tool "$@"
		check "$name" "MLCC_FAIL_WRITE=$i:$err" $? "$text" || failed=$((failed + 1))
		runs=$((runs + 1))
		i=$((i + 1))
	done
	if [ "$step" = 1 ]; then
		how="each failed in turn"
	else
		how="every ${step}th failed"
	fi
	ahow="each failed"
	[ "$astep" != 1 ] && ahow="every ${astep}th failed"
	[ $failed = 0 ] &&
		ok "$name: $na allocations ($how; jansson's $nj not failed), $nr arena allocations ($ahow), $nw writes (each failed)"
}

"$mkpkg" "$work/p.mlpackage" || bad "mkpkg"
"$mkpkg" "$work/pipe.mlpackage" --pipeline || bad "mkpkg --pipeline"
mkdir -p "$work/bundles" "$work/anemll"
"$mlcc" compile "$work/p.mlpackage" "$work/bundles" >/dev/null || bad "compile p"
"$mlcc" compile "$work/pipe.mlpackage" "$work/bundles" >/dev/null || bad "compile pipe"
cp -r "$work/p.mlpackage" "$work/anemll/llama_embeddings.mlpackage"

# Two groups of cases run at once, each in its own directory $w.
group_own() {
	fcase "compile program" mlcc compile "$work/p.mlpackage" @OUT
	fcase "compile pipeline" mlcc compile "$work/pipe.mlpackage" @OUT
	fcase "decompile program" mlcc decompile "$work/bundles/p.mlmodelc" @OUT/p.mlpackage
	fcase "inspect package" mlcc inspect "$work/p.mlpackage"
	fcase "inspect bundle --json" mlcc inspect "$work/bundles/p.mlmodelc" --json
	fcase "compile_models 1" cm 1 --input "$work/anemll" --output @OUT -j1 --quiet
	fcase "decompile pipeline" mlcc decompile "$work/bundles/pipe.mlmodelc" @OUT/pipe.mlpackage
}

cov=$corpus/generated/coverage
group_corpus() {
	for m in multifunction_3fn_default_second classifier_string_labels metadata_all_fields; do
		fcase "compile $m" mlcc compile "$cov/$m.mlpackage" @OUT
	done
	"$mlcc" compile "$cov/multifunction_3fn_default_second.mlpackage" "$w" >/dev/null ||
		bad "compile multifunction"
	fcase "decompile multifunction" mlcc decompile \
		"$w/multifunction_3fn_default_second.mlmodelc" @OUT/m.mlpackage
	fcase "inspect classifier --json" mlcc inspect "$cov/classifier_string_labels.mlpackage" --json
	# A Create ML image classifier (.mlmodel pipeline) and an espresso bundle.
	fcase "compile .mlmodel pipeline classifier" mlcc compile \
		"$corpus/pairs/scary-cat-scre-67edd11c-ScaryCatScreeningML_OvR_mouth_open_v22/ScaryCatScreeningML_OvR_mouth_open_v22.mlmodel" @OUT
	fcase "inspect neural network bundle --json" mlcc inspect \
		"$corpus/compiled/talkie-test-83081395-ggml-tiny.en-encoder/ggml-tiny.en-encoder.mlmodelc" --json
}

# run_group NAME: one group in the background; its tallies in $work/NAME.res.
run_group() {
	(
		w=$work/$1
		mkdir -p "$w"
		"group_$1" >"$w.log" 2>&1
		echo "$fails $cases $runs" >"$work/$1.res"
	) &
}

groups=own
if [ -d "$cov" ]; then
	groups="own corpus"
else
	echo "SKIPPED corpus cases: no corpus at $corpus"
	[ "${CI:-}" = true ] && bad "CI=true needs the corpus"
fi
for g in $groups; do
	run_group $g
done
wait
for g in $groups; do
	cat "$work/$g.log"
	read -r f c r <"$work/$g.res" || f=1 c=0 r=0
	fails=$((fails + f))
	cases=$((cases + c))
	runs=$((runs + r))
done
echo "faults: $cases cases, $runs injections"
finish
