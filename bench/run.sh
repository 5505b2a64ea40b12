#!/usr/bin/env bash
# bench/run.sh BUILD_DIR [--sizes 256,1024] [--runs N] [--quick] [--keep]
#              [--doc | --no-doc] [--only compile|e2e]
#
# The mlcc benchmark at ANEMLL scale (`make bench`), with the project's own
# tools only: bench_gen writes MIL text and weights, `mlcc assemble` makes
# the packages, bench_time runs each command and records its wall time and
# peak RSS (wait4), bench_emit times model.mil emission.
#
# The set, in a scratch directory ($BENCH_DIR, default BUILD_DIR/bench-scratch):
#   llama_FFN_PF_lut6_chunk_01of01  infer + prefill, ~2,000 ops each, one
#                                   6-bit-LUT weight.bin of each --sizes MiB
#   llama_embeddings                300 MiB fp16 table
#   llama_lm_head_lut6              16 split outputs (vocab 128256, LUT6)
#   bench_ops                       100,000 ops, inline fp32 constants
# Measured, each the median of --runs runs (default 7; min-max shown):
#   `mlcc compile` of the FFN chunk vs `cp -r` of the same package into the
#   same file system, page cache warm, then cold (when writing
#   /proc/sys/vm/drop_caches works; else "warm only"); `--link hard` and
#   `--link reflink` when mlcc has --link and the file system can; peak RSS
#   of every compile; model.mil emission MB/s on bench_ops; compile_models
#   -j1 vs -jN (N = cores) on the four-part set (FFN of the largest size).
# Runtime kernels: bench_kernels (memory bandwidth of a heap buffer and of
# an mmap'd file in the scratch directory, a Llama-3.2-1B-scale LUT6 decode
# pass at M=1 and prefill at M=64, fp32 GEMM GFLOP/s), 1 thread and N.
# Runtime end to end (bench_run --chunk): a Llama-3.2-1B-shaped FFN chunk
# (bench_gen ffn --layers 16 --inter 8192 --lut-group 16, 0.73 GB of 6-bit
# weights; --quick: 2 small layers) run by the library: decode tok/s
# (`infer`), prefill tok/s (`prefill`, batch 64), the streaming read
# bandwidth of its weight.bin in the same run, decode's fraction of the
# bandwidth bound, peak RSS vs mapped weights + KV state; 1 thread and N.
# --only e2e runs just that part, --only compile everything else.
# Results replace the block between the bench markers of
# docs/PERFORMANCE.md (--no-doc: leave it; --quick implies --no-doc unless
# --doc); the last line printed is the one-line summary.  Scratch packages
# are deleted at the end unless --keep.
set -euo pipefail

usage() {
	echo "usage: bench/run.sh BUILD_DIR [--sizes 256,1024] [--runs N] [--quick] [--keep] [--doc|--no-doc] [--only compile|e2e]" >&2
	exit 2
}
fail() {
	echo "bench: $*" >&2
	exit 1
}
note() { echo "bench: $*" >&2; }

[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd) || usage
shift
sizes=256,1024
runs=7
runs_given=0
quick=0
keep=0
doc=auto
only=all
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) [ $# -ge 2 ] || usage; sizes=$2; shift 2 ;;
	--sizes=*) sizes=${1#--sizes=}; shift ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; runs_given=1; shift 2 ;;
	--runs=*) runs=${1#--runs=}; runs_given=1; shift ;;
	--quick) quick=1; shift ;;
	--keep) keep=1; shift ;;
	--doc) doc=1; shift ;;
	--no-doc) doc=0; shift ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
	--only=*) only=${1#--only=}; shift ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $only =~ ^(all|compile|e2e)$ ]] || usage
[[ $sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || usage
if [ "$doc" = auto ]; then
	doc=$((1 - quick))
fi
IFS=, read -r -a size_list <<<"$sizes"

root=$(cd "$(dirname "$0")/.." && pwd)
mlcc=$build/mlcc
cmodels=$build/compile_models
gen=$build/bench/bench_gen
btime=$build/bench/bench_time
bemit=$build/bench/bench_emit
bkern=$build/bench/bench_kernels
brun=$build/bench/bench_run
for t in "$mlcc" "$cmodels" "$gen" "$btime" "$bemit" "$bkern" "$brun"; do
	[ -x "$t" ] || fail "$t is missing: build first (cmake --build $build)"
done
jobs=$(nproc 2>/dev/null || echo 2)

# ---- scale -------------------------------------------------------------------
# Full scale: the ANEMLL shapes of a Llama-3.2-1B-like model.  --quick: the
# same structure at toy scale, one run, to check the script itself.
ffn_args=(--ops 2000)
emb_mib=300
emb_args=()
lm_args=(--splits 16 --vocab 128256)
ops_args=(--ops 100000 --inline 256 --every 10)
if [ $quick = 1 ]; then
	ffn_args=(--ops 400 --hidden 256 --heads 4 --kv-heads 2)
	emb_mib=16
	emb_args=(--hidden 256)
	lm_args=(--splits 16 --vocab 16384 --hidden 256)
	ops_args=(--ops 10000 --inline 64 --every 10)
	if [ "$sizes" = 256,1024 ]; then
		size_list=(16 32)
	fi
	if [ $runs_given = 0 ]; then
		runs=1
	fi
fi
# The end-to-end chunk: Llama 3.2 1B's decoder shapes (16 layers, hidden
# 2048, 32 heads, 8 KV heads of 64, MLP 8192, context 512, prefill batch
# 64), 6-bit LUT with a palette per 16 rows; decode steps, prefill calls.
e2e_args=(--layers 16 --inter 8192 --lut-group 16)
e2e_decode=64
e2e_prefill=4
e2e_mib=1500
if [ $quick = 1 ]; then
	e2e_args=(--layers 2 --inter 512 --hidden 256 --heads 4 --kv-heads 2 --lut-group 16)
	e2e_decode=16
	e2e_prefill=1
	e2e_mib=16
fi
largest=0
for s in "${size_list[@]}"; do
	if [ "$s" -gt "$largest" ]; then
		largest=$s
	fi
done

# ---- scratch and disk space --------------------------------------------------
scratch=${BENCH_DIR:-$build/bench-scratch}
mkdir -p "$scratch" || fail "cannot create $scratch"
scratch=$(cd "$scratch" && pwd)
# Peak use, with margin: the largest FFN as generated + packaged, or as
# packaged + compiled + copied by cp; the other three parts twice (package +
# bundle, during compile_models).
# bench_kernels' mmap test file (1 GiB; 128 MiB --quick) comes after.
need_mib=$((3 * largest + 2 * (emb_mib + 200 + 100) + 256))
kern_mib=$([ $quick = 1 ] && echo 128 || echo 1024)
[ "$need_mib" -ge "$kern_mib" ] || need_mib=$kern_mib
[ "$only" != e2e ] || need_mib=$e2e_mib
[ "$need_mib" -ge "$e2e_mib" ] || need_mib=$e2e_mib
free_mib=$(($(df -Pk "$scratch" | awk 'NR == 2 { print $4 }') / 1024))
note "scratch $scratch: needs about $need_mib MiB, $free_mib MiB free"
[ "$free_mib" -ge "$need_mib" ] || fail "not enough free space in $scratch (set BENCH_DIR elsewhere)"
rm -rf "${scratch:?}"/{gen,set,out,cp,tmp}
mkdir -p "$scratch"/{gen,set,out,cp,tmp}
cleanup() {
	if [ $keep = 0 ]; then
		rm -rf "${scratch:?}"/{gen,set,out,cp,tmp}
		rmdir "$scratch" 2>/dev/null || true
	fi
}
trap cleanup EXIT

# ---- helpers -----------------------------------------------------------------
tf=$scratch/tmp/time.txt
log=$scratch/tmp/log.txt

# timed CMD...: run through bench_time; sets T_WALL (s) and T_RSS (kB).
timed() {
	if ! "$btime" "$tf" "$@" >"$log" 2>&1; then
		cat "$log" >&2
		fail "failed: $*"
	fi
	read -r T_WALL T_RSS _ <"$tf"
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# "min–max" of the values, in seconds with 3 decimals.
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f–%.3f", lo, hi }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
kb_mb() { calc %.1f "$1 * 1024 / 1e6"; }

drop_ok=0
if sync && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
	drop_ok=1
fi
# prepare warm|cold: untimed, before each timed run.
prepare() {
	sync
	if [ "$1" = cold ]; then
		echo 3 >/proc/sys/vm/drop_caches
	fi
}
warm_up() { find "$1" -type f -exec cat {} + >/dev/null; }

has_link=0
help_text=$({ "$mlcc" --help; "$mlcc" compile --help; } 2>&1 || true)
if grep -q -- '--link' <<<"$help_text"; then
	has_link=1
fi
reflink_ok=0
head -c 65536 /dev/zero >"$scratch/tmp/rl.a"
if cp --reflink=always "$scratch/tmp/rl.a" "$scratch/tmp/rl.b" 2>/dev/null; then
	reflink_ok=1
fi
fstype=$(stat -f -c %T "$scratch")
if command -v findmnt >/dev/null 2>&1; then
	fstype=$(findmnt -n -o FSTYPE -T "$scratch" 2>/dev/null || echo "$fstype")
fi

# assemble NAME KIND GEN_ARGS...: generate, assemble into set/NAME.mlpackage,
# drop the generated text and weights.
assemble() {
	local name=$1 kind=$2 dir=$scratch/gen/$1 w=()
	shift 2
	"$gen" "$kind" "$dir" "$@" >"$scratch/tmp/$name.gen" || fail "bench_gen $kind failed"
	[ -d "$dir/weights" ] && w=(--weights "$dir/weights")
	"$mlcc" assemble "$dir/model.mil" "${w[@]}" --spec-version 9 \
		-o "$scratch/set/$name.mlpackage" >/dev/null || fail "mlcc assemble $name failed"
	rm -rf "$dir"
	note "$(cat "$scratch/tmp/$name.gen")"
}

# compile_series MODE PKG [mlcc args]: runs of `mlcc compile`, each after
# prepare MODE; sets S_WALL (median s), S_RNG (min–max) and S_RSS (max kB).
compile_series() {
	local mode=$1 pkg=$2 walls=() rss=()
	shift 2
	for ((r = 0; r < runs; r++)); do
		rm -rf "$scratch/out"
		prepare "$mode"
		timed "$mlcc" compile "$pkg" "$scratch/out" "$@"
		walls+=("$T_WALL")
		rss+=("$T_RSS")
	done
	S_WALL=$(median "${walls[@]}")
	S_RNG=$(range "${walls[@]}")
	S_RSS=$(maxof "${rss[@]}")
}

# copy_vs_cp MODE PKG: interleaved runs of `mlcc compile` and `cp -r`;
# sets C_WALL, C_RNG, C_RSS (compile) and P_WALL, P_RNG (cp): medians,
# min–max, max.
copy_vs_cp() {
	local mode=$1 pkg=$2 cw=() cr=() pw=()
	[ "$mode" = warm ] && warm_up "$pkg"
	for ((r = 0; r < runs; r++)); do
		rm -rf "$scratch/out" "$scratch/cp"
		mkdir -p "$scratch/cp"
		prepare "$mode"
		timed "$mlcc" compile "$pkg" "$scratch/out"
		cw+=("$T_WALL")
		cr+=("$T_RSS")
		rm -rf "$scratch/out"
		prepare "$mode"
		timed cp -r "$pkg" "$scratch/cp/"
		pw+=("$T_WALL")
	done
	rm -rf "$scratch/cp"
	C_WALL=$(median "${cw[@]}")
	C_RNG=$(range "${cw[@]}")
	C_RSS=$(maxof "${cr[@]}")
	P_WALL=$(median "${pw[@]}")
	P_RNG=$(range "${pw[@]}")
}

# Other work on the machine skews every number: record the load, and the
# time runnable tasks waited for a CPU during the run (PSI, where the
# kernel has it).
psi_cpu() { sed -n 's/^some .*total=\([0-9]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null || true; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
psi_start=$(psi_cpu)
run_start=$(date +%s)
if awk -v l="${load_start%% *}" 'BEGIN { exit !(l > 0.5) }' 2>/dev/null; then
	note "warning: load average $load_start at start: other work will skew the numbers"
fi

machine() {
	local cpu mem
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
	local extra=""
	if grep -qs '^on$' /sys/kernel/mm/damon/admin/kdamonds/*/state; then
		extra=", DAMON on (kdamond pages out cold memory: kernel time varies run to run)"
	fi
	echo "${cpu:-unknown CPU}, $jobs cores, $mem RAM, $fstype ($(df -P "$scratch" | awk 'NR == 2 { print $1 }')), Linux $(uname -r)$extra"
}
commit() {
	local c
	c=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
	if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		c+=" + uncommitted changes"
	fi
	echo "$c"
}
# ---- runtime end to end ------------------------------------------------------
# e2e: generate and assemble the chunk, run bench_run --chunk at 1 thread
# and $jobs (page cache warm), delete the package; sets E2E[threads] to
# bench_run's key=value line and E2E_GEN to the generator's summary.
declare -A E2E
e2e() {
	local pkg=$scratch/set/e2e_ffn.mlpackage t
	note "runtime end to end: generating the chunk (${e2e_args[*]})"
	rm -rf "$pkg"
	assemble e2e_ffn ffn "${e2e_args[@]}"
	E2E_GEN=$(sed 's/, model.mil + .*//' "$scratch/tmp/e2e_ffn.gen")
	E2E_BYTES=$(stat -c %s "$pkg/Data/com.apple.CoreML/weights/weight.bin")
	warm_up "$pkg"
	for t in 1 "$jobs"; do
		note "runtime end to end: $t thread(s), $e2e_decode decode steps, $e2e_prefill prefill calls"
		"$brun" --chunk "$pkg" --threads "$t" --decode "$e2e_decode" \
			--prefill "$e2e_prefill" >"$scratch/tmp/e2e.$t" || fail "bench_run --chunk failed"
		E2E[$t]=$(grep '^bench_run: chunk' "$scratch/tmp/e2e.$t")
	done
	rm -rf "$pkg"
}
# ekv THREADS KEY: a value of bench_run's line.
ekv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${E2E[$1]}"; }

e2e_results() {
	echo "### Runtime end to end, run of $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(commit)"
	echo
	echo "Machine: $(machine). Chunk: ${E2E_GEN#ffn: }; weight.bin $(calc %.1f "$E2E_BYTES / 1e6") MB, page cache warm. Other work: $contention."
	echo
	echo "| \`bench_run --chunk\` | 1 thread | $jobs threads |"
	echo "| --- | --- | --- |"
	row() { echo "| $1 | $2 | $3 |"; }
	# m THREADS FORMAT KEY [ARITHMETIC]: a value, maybe scaled.
	m() { calc "$2" "$(ekv "$1" "$3") ${4:-}"; }
	row "decode (\`infer\`, 1 token, $e2e_decode steps), tok/s" "$(m 1 %.2f decode_tps)" "$(m "$jobs" %.2f decode_tps)"
	row "decode per CPU second, tok/s" "$(m 1 %.2f decode_cpu_tps)" "$(m "$jobs" %.2f decode_cpu_tps)"
	row "prefill (\`prefill\`, batch $(ekv 1 batch), $e2e_prefill calls), tok/s" "$(m 1 %.1f prefill_tps)" "$(m "$jobs" %.1f prefill_tps)"
	row "prefill per CPU second, tok/s" "$(m 1 %.1f prefill_cpu_tps)" "$(m "$jobs" %.1f prefill_cpu_tps)"
	row "weight bytes read per decode token (weight.bin), MB" "$(m 1 %.1f weight_bytes '/ 1e6')" "$(m "$jobs" %.1f weight_bytes '/ 1e6')"
	row "streaming read of weight.bin (mmap'd, warm, same run), GB/s" "$(m 1 %.2f bw)" "$(m "$jobs" %.2f bw)"
	row "bandwidth bound (bandwidth / weight bytes), tok/s" "$(m 1 %.2f bound_tps)" "$(m "$jobs" %.2f bound_tps)"
	row "**decode ÷ bound** (target ≥ 50 %)" "**$(m 1 %.0f frac '* 100') %**" "**$(m "$jobs" %.0f frac '* 100') %**"
	row "decode per CPU second ÷ bound" "$(calc %.0f "$(ekv 1 decode_cpu_tps) / $(ekv 1 bound_tps) * 100") %" "$(calc %.0f "$(ekv "$jobs" decode_cpu_tps) / $(ekv "$jobs" bound_tps) * 100") %"
	row "peak RSS (VmHWM), MB" "$(m 1 %.1f hwm_kb '* 1024 / 1e6')" "$(m "$jobs" %.1f hwm_kb '* 1024 / 1e6')"
	row "mapped weights + KV state, MB" "$(m 1 %.1f weight_bytes '/ 1e6') + $(m 1 %.1f kv_bytes '/ 1e6')" "$(m "$jobs" %.1f weight_bytes '/ 1e6') + $(m "$jobs" %.1f kv_bytes '/ 1e6')"
	row "constant = peak RSS − weights − KV, MB" "$(m 1 %.1f const_kb '* 1024 / 1e6')" "$(m "$jobs" %.1f const_kb '* 1024 / 1e6')"
	echo
	echo "Summary: \`$(e2e_summary)\`"
}
e2e_summary() {
	echo "e2e decode $(calc %.2f "$(ekv 1 decode_tps)")/$(calc %.2f "$(ekv "$jobs" decode_tps)") tok/s at 1/$jobs threads ($(calc %.0f "$(ekv 1 frac) * 100")/$(calc %.0f "$(ekv "$jobs" frac) * 100") % of bound), prefill $(calc %.1f "$(ekv 1 prefill_tps)")/$(calc %.1f "$(ekv "$jobs" prefill_tps)") tok/s, RSS constant $(calc %.1f "$(ekv 1 const_kb) * 1024 / 1e6") MB"
}

# put_block BEGIN END FILE: replace the lines between the markers of
# docs/PERFORMANCE.md with FILE (appending the markers when absent).
put_block() {
	local perf=$root/docs/PERFORMANCE.md
	if [ -f "$perf" ] && grep -qF "$1" "$perf" && grep -qF "$2" "$perf"; then
		awk -v b="$1" -v e="$2" -v f="$3" '
			$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0 }
			!skip' "$perf" >"$perf.tmp" && mv "$perf.tmp" "$perf"
	else
		{ [ -f "$perf" ] || echo "# Performance"; echo; echo "$1"; cat "$3"; echo "$2"; } >>"$perf"
	fi
}

# contention_now: the load and PSI since the start, into $contention.
contention_now() {
	load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
	psi_end=$(psi_cpu)
	run_secs=$(($(date +%s) - run_start))
	contention="load average at start $load_start, at end $load_end"
	if [ -n "$psi_start" ] && [ -n "$psi_end" ]; then
		contention+="; tasks waited $(calc %.1f "($psi_end - $psi_start) / 1e6") s for a CPU during the ${run_secs} s run (PSI)"
	fi
}

# write_e2e: the end-to-end block into the doc (or stderr).
write_e2e() {
	local blk=$scratch/tmp/e2e.md
	e2e_results >"$blk"
	if [ "$doc" = 1 ]; then
		put_block '<!-- bench:e2e:begin -->' '<!-- bench:e2e:end -->' "$blk"
		note "runtime end-to-end results written to docs/PERFORMANCE.md"
	else
		cat "$blk" >&2
	fi
}

if [ "$only" = e2e ]; then
	e2e
	contention_now
	write_e2e
	echo "bench: $(e2e_summary)"
	exit 0
fi

# ---- the shared parts ----------------------------------------------------------
note "generating the set (runs: $runs, sizes: ${size_list[*]} MiB)"
assemble llama_embeddings embeddings --mib "$emb_mib" "${emb_args[@]}"
assemble llama_lm_head_lut6 lmhead "${lm_args[@]}"
assemble bench_ops ops "${ops_args[@]}"

declare -A R RNG # results (medians) and their min–max, keyed "what:size"
ffn=$scratch/set/llama_FFN_PF_lut6_chunk_01of01.mlpackage
for s in "${size_list[@]}"; do
	rm -rf "$ffn"
	assemble llama_FFN_PF_lut6_chunk_01of01 ffn --weights-mib "$s" "${ffn_args[@]}"
	R[ffn_gen:$s]=$(sed 's/, model.mil + .*//' "$scratch/tmp/llama_FFN_PF_lut6_chunk_01of01.gen")
	R[bytes:$s]=$(stat -c %s "$ffn/Data/com.apple.CoreML/weights/weight.bin")
	# The bundle's weights must be the package's, byte for byte.
	rm -rf "$scratch/out"
	"$mlcc" compile "$ffn" "$scratch/out" >/dev/null || fail "mlcc compile failed"
	cmp -s "$ffn/Data/com.apple.CoreML/weights/weight.bin" \
		"$scratch/out/llama_FFN_PF_lut6_chunk_01of01.mlmodelc/weights/weight.bin" ||
		fail "compiled weight.bin differs from the package's"
	note "$s MiB: copy vs cp -r, warm"
	copy_vs_cp warm "$ffn"
	R[copy_warm:$s]=$C_WALL R[cp_warm:$s]=$P_WALL R[rss_copy:$s]=$C_RSS
	RNG[copy_warm:$s]=$C_RNG RNG[cp_warm:$s]=$P_RNG
	if [ $drop_ok = 1 ]; then
		note "$s MiB: copy vs cp -r, cold"
		copy_vs_cp cold "$ffn"
		R[copy_cold:$s]=$C_WALL R[cp_cold:$s]=$P_WALL
		RNG[copy_cold:$s]=$C_RNG RNG[cp_cold:$s]=$P_RNG
		R[rss_copy:$s]=$(maxof "${R[rss_copy:$s]}" "$C_RSS")
	fi
	if [ $has_link = 1 ]; then
		note "$s MiB: --link hard"
		warm_up "$ffn"
		compile_series warm "$ffn" --link hard
		R[hard:$s]=$S_WALL R[rss_hard:$s]=$S_RSS RNG[hard:$s]=$S_RNG
		if [ $drop_ok = 1 ]; then
			compile_series cold "$ffn" --link hard
			R[hard_cold:$s]=$S_WALL RNG[hard_cold:$s]=$S_RNG
		fi
		if [ $reflink_ok = 1 ]; then
			note "$s MiB: --link reflink"
			compile_series warm "$ffn" --link reflink
			R[reflink:$s]=$S_WALL RNG[reflink:$s]=$S_RNG
		fi
	fi
	rm -rf "$scratch/out"
done

# ---- the other parts, emission, compile_models --------------------------------
for p in llama_embeddings llama_lm_head_lut6 bench_ops; do
	warm_up "$scratch/set/$p.mlpackage"
	compile_series warm "$scratch/set/$p.mlpackage"
	R[part:$p]=$S_WALL R[part_rss:$p]=$S_RSS RNG[part:$p]=$S_RNG
	R[part_gen:$p]=$(sed 's/, model.mil + .*//' "$scratch/tmp/$p.gen")
done
rm -rf "$scratch/out"

note "model.mil emission (bench_ops)"
emit_runs=$((runs < 5 ? 5 : runs))
"$bemit" "$scratch/set/bench_ops.mlpackage" --runs "$emit_runs" >"$log" || fail "bench_emit failed"
emit_line=$(grep '^bench_emit:' "$log")
ekey() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$emit_line"; }

note "compile_models all -j1 / -j$jobs (FFN $largest MiB)"
declare -A CM CM_RNG
for j in 1 "$jobs"; do
	w=()
	warm_up "$scratch/set"
	for ((r = 0; r < runs; r++)); do
		rm -rf "$scratch/out"
		prepare warm
		timed "$cmodels" all --input "$scratch/set" --output "$scratch/out" -j "$j" --quiet
		w+=("$T_WALL")
	done
	CM[$j]=$(median "${w[@]}")
	CM_RNG[$j]=$(range "${w[@]}")
done
rm -rf "$scratch/out"

note "runtime kernels (bench_kernels)"
kern_block=$scratch/tmp/kernels.md
kern_args=(--dir "$scratch/tmp")
[ $quick = 1 ] && kern_args+=(--quick)
"$bkern" "${kern_args[@]}" >"$kern_block" || fail "bench_kernels failed"
kern_line=$(grep '^bench_kernels:' "$kern_block")
kkey() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$kern_line"; }

if [ "$only" = all ]; then
	e2e
fi
contention_now

# ---- report ------------------------------------------------------------------
label() { if [ $(($1 % 1024)) = 0 ]; then echo "$(($1 / 1024))GiB"; else echo "${1}MiB"; fi; }
first=${size_list[0]}
last=${size_list[${#size_list[@]} - 1]}
ratio() { calc %.2f "$1 / $2"; }
yes_no() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }

s=$largest
ratio_warm=$(ratio "${R[copy_warm:$s]}" "${R[cp_warm:$s]}")
summary="bench: copy $(label "$s") ${ratio_warm}x cp (warm"
if [ $drop_ok = 1 ]; then
	summary+=", cold $(ratio "${R[copy_cold:$s]}" "${R[cp_cold:$s]}")x)"
else
	summary+=" only)"
fi
if [ $has_link = 1 ]; then
	summary+=", hard $(calc %.2f "${R[hard:$s]}") s"
else
	summary+=", hard n/a (no --link yet)"
fi
summary+=", RSS $(kb_mb "${R[rss_copy:$first]}")/$(kb_mb "${R[rss_copy:$last]}") MB"
summary+=", emission $(calc %.0f "$(ekey null_median)") MB/s"
summary+=", compile_models -j1 $(calc %.2f "${CM[1]}") s / -j$jobs $(calc %.2f "${CM[$jobs]}") s"
summary+=", decode $(kkey decode_tpsT) tok/s ($(kkey boundT) of bound)"
if [ "$only" = all ]; then
	summary+=", $(e2e_summary)"
fi

# Targets (docs/PERFORMANCE.md): copy <= 1.10x cp -r at the largest size;
# hard/reflink < 0.2 s there; RSS < 64 MB at every size, spread <= 5 MB;
# emission >= 200 MB/s.
t_copy="${ratio_warm} warm"
cond="$ratio_warm <= 1.10"
if [ $drop_ok = 1 ]; then
	rc=$(ratio "${R[copy_cold:$s]}" "${R[cp_cold:$s]}")
	t_copy+=", $rc cold"
	cond+=" && $rc <= 1.10"
fi
rss_all=()
for z in "${size_list[@]}"; do rss_all+=("${R[rss_copy:$z]}"); done
rss_max=$(maxof "${rss_all[@]}")
rss_min=$(printf '%s\n' "${rss_all[@]}" | sort -g | head -n 1)
rss_spread=$(calc %.1f "($rss_max - $rss_min) * 1024 / 1e6")

cell() { if [ -n "${1:-}" ]; then calc "${2:-%.3f}" "$1"; else echo "${3:-n/a}"; fi; }
# The median of 'what:size' with its min–max, or 'missing'.
tcell() {
	if [ -n "${R[$1]:-}" ]; then
		echo "$(calc %.3f "${R[$1]}") ($([ "$runs" -gt 1 ] && echo "${RNG[$1]}" || echo "1 run"))"
	else
		echo "$2"
	fi
}

results() {
	local z hdr="| |" sep="| --- |" row
	for z in "${size_list[@]}"; do
		hdr+=" FFN $(label "$z") |"
		sep+=" --- |"
	done
	echo "### Run of $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(commit)"
	echo
	echo "Machine: $(machine). Cache: $([ $drop_ok = 1 ] && echo "warm, then cold (drop_caches before every timed run)" || echo "warm only (drop_caches not writable)"). Runs: $runs per measurement: median (min–max) in seconds; RSS is the maximum over the runs. Other work: $contention."
	echo
	echo "$hdr"
	echo "$sep"
	row="| FFN chunk |"
	for z in "${size_list[@]}"; do row+=" ${R[ffn_gen:$z]#ffn: }; weight.bin $(calc %.0f "${R[bytes:$z]} / 1048576") MiB |"; done
	echo "$row"
	for key in copy_warm cp_warm copy_cold cp_cold; do
		case $key in
		copy_warm) row="| \`mlcc compile\` (copy), warm, s |" ;;
		cp_warm) row="| \`cp -r\` of the package, warm, s |" ;;
		copy_cold) row="| \`mlcc compile\` (copy), cold, s |" ;;
		cp_cold) row="| \`cp -r\` of the package, cold, s |" ;;
		esac
		for z in "${size_list[@]}"; do row+=" $(tcell "$key:$z" "warm only") |"; done
		echo "$row"
	done
	row="| compile ÷ cp -r, warm |"
	for z in "${size_list[@]}"; do row+=" $(ratio "${R[copy_warm:$z]}" "${R[cp_warm:$z]}")× |"; done
	echo "$row"
	row="| compile ÷ cp -r, cold |"
	for z in "${size_list[@]}"; do
		if [ $drop_ok = 1 ]; then row+=" $(ratio "${R[copy_cold:$z]}" "${R[cp_cold:$z]}")× |"; else row+=" warm only |"; fi
	done
	echo "$row"
	row="| \`mlcc compile --link hard\`, warm, s |"
	for z in "${size_list[@]}"; do row+=" $(tcell "hard:$z" "skipped: this mlcc has no --link") |"; done
	echo "$row"
	row="| \`mlcc compile --link hard\`, cold, s |"
	for z in "${size_list[@]}"; do row+=" $(tcell "hard_cold:$z" "$([ $has_link = 1 ] && echo "warm only" || echo "skipped: this mlcc has no --link")") |"; done
	echo "$row"
	row="| \`mlcc compile --link reflink\`, warm, s |"
	for z in "${size_list[@]}"; do
		if [ $reflink_ok = 0 ]; then row+=" not supported by $fstype |"
		else row+=" $(tcell "reflink:$z" "skipped: this mlcc has no --link") |"; fi
	done
	echo "$row"
	row="| peak RSS, copy, MB |"
	for z in "${size_list[@]}"; do row+=" $(kb_mb "${R[rss_copy:$z]}") |"; done
	echo "$row"
	row="| peak RSS, --link hard, MB |"
	for z in "${size_list[@]}"; do row+=" $(if [ -n "${R[rss_hard:$z]:-}" ]; then kb_mb "${R[rss_hard:$z]}"; else echo n/a; fi) |"; done
	echo "$row"
	echo
	echo "| other parts (warm) | ops, shape | \`mlcc compile\`, s | peak RSS, MB |"
	echo "| --- | --- | --- | --- |"
	for p in llama_embeddings llama_lm_head_lut6 bench_ops; do
		echo "| $p | ${R[part_gen:$p]#*: } | $(tcell "part:$p" n/a) | $(kb_mb "${R[part_rss:$p]}") |"
	done
	echo
	echo "| model.mil emission (bench_ops, emit_mil only) | |"
	echo "| --- | --- |"
	echo "| text | $(calc %.1f "$(ekey bytes) / 1e6") MB, $(ekey ops) ops; reading the package: $(ekey read_s) s |"
	echo "| streamed to /dev/null (1 MiB buffer, as compile) | median $(ekey null_median) MB/s, best $(ekey null_best) MB/s |"
	echo "| into one growing memory buffer | median $(ekey mem_median) MB/s, best $(ekey mem_best) MB/s |"
	echo
	echo "| \`compile_models all\` on the four parts (FFN $(label "$largest")), warm | s |"
	echo "| --- | --- |"
	echo "| -j1 | $(calc %.3f "${CM[1]}") (${CM_RNG[1]}) |"
	echo "| -j$jobs | $(calc %.3f "${CM[$jobs]}") (${CM_RNG[$jobs]}) |"
	echo
	echo "| target | measured | |"
	echo "| --- | --- | --- |"
	echo "| copy ≤ 1.10× \`cp -r\` at $(label "$s") | $t_copy | $(yes_no "$cond") |"
	if [ $has_link = 1 ]; then
		local lk="${R[hard:$s]}" lc="${R[hard:$s]} < 0.2"
		[ -n "${R[reflink:$s]:-}" ] && lk+=" (reflink ${R[reflink:$s]})" && lc+=" && ${R[reflink:$s]} < 0.2"
		echo "| hard/reflink < 0.2 s at $(label "$s") | $(calc %.3f "${R[hard:$s]}") s hard$([ $reflink_ok = 0 ] && echo "; reflink: $fstype cannot") | $(yes_no "$lc") |"
	else
		echo "| hard/reflink < 0.2 s at $(label "$s") | not measured: this mlcc has no --link | not measured |"
	fi
	echo "| peak RSS < 64 MB at every size | $(kb_mb "$rss_max") MB max | $(yes_no "$rss_max * 1024 / 1e6 < 64") |"
	echo "| RSS spread ≤ 5 MB across sizes | $rss_spread MB | $(yes_no "$rss_spread <= 5") |"
	echo "| emission ≥ 200 MB/s | $(ekey null_median) MB/s streamed, $(ekey mem_median) MB/s into memory | $(yes_no "$(ekey null_median) >= 200") |"
	echo
	echo "Runtime kernels (\`bench_kernels\`, best of several runs each; 1 thread and $jobs; same machine load):"
	echo
	grep '^|' "$kern_block"
	echo
	echo "Summary: \`$summary\`"
}

block=$scratch/tmp/results.md
results >"$block"
if [ "$doc" = 1 ]; then
	put_block '<!-- bench:results:begin -->' '<!-- bench:results:end -->' "$block"
	note "results written to docs/PERFORMANCE.md"
else
	cat "$block" >&2
fi
if [ "$only" = all ]; then
	write_e2e
fi
echo "$summary"
