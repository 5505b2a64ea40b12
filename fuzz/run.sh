#!/bin/sh
# fuzz/run.sh BUILD_FUZZ SECONDS [TARGET...] -- run the libFuzzer targets.
#
# Seeds come from the shared corpus ($MLCC_CORPUS, default
# ../shared/corpus) and the demo models (examples/); each target keeps its
# growing corpus in BUILD_FUZZ/fuzz/corpus/<target> and its crashes in
# BUILD_FUZZ/fuzz/crashes/<target>/ (turn them into regression tests by
# copying them to fuzz/regressions/<target>/ once fixed).  Two targets run
# at a time (FUZZ_JOBS).  Prints the executions of each target and exits 1
# if any target found a crash, hang or sanitizer report.
set -u
build=$1
seconds=$2
shift 2
targets=${*:-spec manifest mil coremldata blob metadata}
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=${MLCC_CORPUS:-$src/../shared/corpus}
jobs=${FUZZ_JOBS:-2}
work=$build/fuzz

# seeds TARGET DIR: copy the seed files of one target into DIR.
seeds() {
	mkdir -p "$2"
	case $1 in
	spec) find "$corpus" "$build/demo" -name model.mlmodel -size -2M 2>/dev/null ;;
	manifest) find "$corpus" "$build/demo" -name Manifest.json 2>/dev/null ;;
	mil) { find "$corpus" -name model.mil -size -1024k; ls "$src"/examples/*/*.mil; } 2>/dev/null ;;
	coremldata) find "$corpus" -name coremldata.bin ! -path '*/analytics/*' 2>/dev/null ;;
	blob) find "$corpus" -name '*.bin' -path '*/weights/*' -size -256k 2>/dev/null ;;
	metadata) find "$corpus" -name metadata.json 2>/dev/null ;;
	esac | while read -r f; do
		cp "$f" "$2/$(echo "$f" | cksum | cut -d' ' -f1)"
	done
}

run_one() {
	t=$1
	mkdir -p "$work/corpus/$t" "$work/crashes/$t"
	seeds "$t" "$work/seeds/$t"
	"$work/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
		-artifact_prefix="$work/crashes/$t/" \
		"$work/corpus/$t" "$work/seeds/$t" >"$work/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
	echo "fuzz $t: ${execs:-?} executions in ${seconds} s, exit $rc"
	return $rc
}

status=0
set -- $targets
while [ $# -gt 0 ]; do
	pids=""
	i=0
	while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
		run_one "$1" &
		pids="$pids $!"
		shift
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || status=1
	done
done
for t in $targets; do
	n=$(ls "$work/crashes/$t" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && { echo "fuzz $t: $n crash files in $work/crashes/$t"; status=1; }
done
exit $status
