#!/bin/sh
# test_demo_set.sh MLCC MKPKG -- the demo model set (examples/tiny-llama):
# tools/demo-set.sh builds it, twice with the same bytes; every package
# compiles to a complete bundle equivalent to its package; the interface
# of every bundle equals the coremltools-written reference set of the
# shared corpus; weightgen refuses a bad blob layout.
#
# WEIGHTGEN is $WEIGHTGEN, else <dir of MLCC>/examples/tiny-llama/weightgen
# (examples/CMakeLists.txt); without it the test is skipped (exit 77),
# a failure when CI=true.  The reference set is read from
# ${MLCC_CORPUS:-<source dir>/../shared/corpus}/generated/tiny-llama;
# without it the other checks still run, then the test is skipped (77),
# a failure when CI=true.
set -u
mlcc=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
weightgen=${WEIGHTGEN:-$(dirname "$mlcc")/examples/tiny-llama/weightgen}
ref=${MLCC_CORPUS:-$src/../shared/corpus}/generated/tiny-llama
work=$(mktemp -d "${TMPDIR:-/tmp}/mlcc-demo-set-XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
names="llama_embeddings llama_FFN_PF_lut6_chunk_01of02 llama_FFN_PF_lut6_chunk_02of02 llama_lm_head_lut6"

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
skip() {
	echo "SKIPPED $1"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}

[ -x "$weightgen" ] || skip "weightgen not found at $weightgen"

# Build the set twice: five lines each, the same bytes both times.
for s in 1 2; do
	if "$src/tools/demo-set.sh" "$mlcc" "$weightgen" "$work/set$s" >"$work/out$s" 2>&1 &&
		[ "$(wc -l <"$work/out$s")" -eq 5 ] && [ -f "$work/set$s/meta.yaml" ]; then
		ok "demo-set.sh run $s: 4 packages + meta.yaml"
	else
		bad "demo-set.sh run $s: $(cat "$work/out$s")"
	fi
done
same=true
for n in $names; do
	for f in Manifest.json Data/com.apple.CoreML/model.mlmodel Data/com.apple.CoreML/weights/weight.bin; do
		cmp -s "$work/set1/$n.mlpackage/$f" "$work/set2/$n.mlpackage/$f" ||
			{ same=false; echo "  $n.mlpackage/$f differs between runs"; }
	done
done
$same && ok "deterministic: weight.bin, model.mlmodel, Manifest.json identical" || bad "not deterministic"

# Compile every package; check the bundle.
for n in $names; do
	pkg=$work/set1/$n.mlpackage
	b=$work/c/$n.mlmodelc
	if ! "$mlcc" compile "$pkg" "$work/c" >/dev/null 2>"$work/err"; then
		bad "compile $n: $(cat "$work/err")"
		continue
	fi
	missing=
	for f in model.mil coremldata.bin metadata.json analytics/coremldata.bin weights/weight.bin; do
		[ -f "$b/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ] &&
		cmp -s "$pkg/Data/com.apple.CoreML/weights/weight.bin" "$b/weights/weight.bin" &&
		"$mlcc" diff "$pkg" "$b" >"$work/out" 2>&1; then
		ok "compile $n: complete bundle, equivalent to its package"
	else
		bad "bundle $n:$missing $(cat "$work/out" 2>/dev/null)"
	fi
done

# What the bundles say about themselves.
c=$work/c
"$mlcc" inspect "$c/llama_embeddings.mlmodelc" 2>&1 |
	grep -q '^    input  input_ids  *MultiArray Int32 \[1, 1\] enumerated \[1, 1\] \[1, 8\]$' &&
	ok "embeddings: input_ids enumerated [1, 1] (default), [1, 8]" || bad "embeddings input_ids"
for k in 01 02; do
	out=$("$mlcc" inspect "$c/llama_FFN_PF_lut6_chunk_${k}of02.mlmodelc" 2>&1)
	if echo "$out" | grep -q '^  function infer <ios18> (default): ' &&
		echo "$out" | grep -q '^  function prefill <ios18>: ' &&
		[ "$(echo "$out" | grep -c '^    state  model_model_kv_cache_0  *State Float16 \[4, 2, 64, 16\]$')" -eq 2 ] &&
		[ "$(echo "$out" | grep -c 'constexpr_lut_to_dense 7,')" -eq 2 ]; then
		ok "chunk $k: infer (default) + prefill, shared state, 7 LUT weights each"
	else
		bad "chunk $k: $out"
	fi
done

# weightgen refuses blobs that overlap.
cat >"$work/overlap.mil" <<'EOF'
program(1.3)
{
    func main<ios18>(tensor<fp16, [4]> x) {
            tensor<fp16, [16]> a = const()[name = string("a"), val = tensor<fp16, [16]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(64)))];
            tensor<fp16, [16]> b = const()[name = string("b"), val = tensor<fp16, [16]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(128)))];
        } -> (x);
}
EOF
"$weightgen" "$work/overlap.mil" "$work/ov" >/dev/null 2>"$work/err"
rc=$?
if [ $rc = 1 ] && grep -q "op 'b' (val): blob at offset 128 overlaps the blob at offset 64" "$work/err" &&
	[ -z "$(ls -A "$work/ov" 2>/dev/null)" ]; then
	ok "weightgen: overlapping blobs refused, nothing written"
else
	bad "weightgen overlap (exit $rc): $(cat "$work/err")"
fi

# The demo's last step: mlcc chat generates on the compiled set and on the
# packages in place, the same 24 tokens from both, with the speed line.
cp "$work/set1/meta.yaml" "$c/meta.yaml"
"$mlcc" chat --meta "$c/meta.yaml" --tokens 1,2,3,4,5 --max-tokens 24 >"$work/chat_b" 2>&1
rb=$?
"$mlcc" chat --meta "$work/set1/meta.yaml" --tokens 1,2,3,4,5 --max-tokens 24 >"$work/chat_p" 2>&1
rp=$?
tb=$(head -n 1 "$work/chat_b")
if [ $rb = 0 ] && [ $rp = 0 ] && [ "$tb" = "$(head -n 1 "$work/chat_p")" ] &&
	[ "$(echo "$tb" | tr ',' '\n' | grep -c '^[0-9][0-9]*$')" = 24 ] &&
	grep -q '^prefill: 5 tokens, .* tok/s; decode: 23 tokens, .* tok/s$' "$work/chat_b"; then
	ok "chat on the demo set: bundles and packages give the same 24 tokens"
else
	bad "demo chat (exit $rb/$rp): $(head -n 3 "$work/chat_b") | $(head -n 3 "$work/chat_p")"
fi

# The interface of every bundle equals the reference set's.
if [ -d "$ref" ]; then
	for n in $names; do
		if "$mlcc" diff --interface "$c/$n.mlmodelc" "$ref/$n.mlpackage" >"$work/out" 2>&1; then
			ok "interface of $n equals the reference"
		else
			bad "interface $n: $(cat "$work/out")"
		fi
	done
fi

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
[ -d "$ref" ] || skip "reference set not found at $ref (set MLCC_CORPUS)"
exit 0
