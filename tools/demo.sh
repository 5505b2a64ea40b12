#!/bin/sh
# tools/demo.sh BUILD_DIR -- the demo: a tiny ANEMLL-shaped LLM, made here.
#
#   1. tools/demo-set.sh: MIL text (examples/tiny-llama/*.mil) + weights
#      generated deterministically (weightgen) -> ANEMLL-named packages;
#   2. compile_models parts 1, 2 and 3, as ANEMLL's convert_model.sh does;
#   3. mlcc inspect on every bundle, then the list of bundles;
#   4. mlcc chat: the compiled set generates tokens on the CPU runtime.
# Needs nothing outside the repository.
set -eu
build=$1
out=$build/demo
mlcc=$build/mlcc
cm=$build/compile_models
rm -rf "$out"
mkdir -p "$out"

echo "== assembling the tiny LLM (examples/tiny-llama) into $out"
tools/demo-set.sh "$mlcc" "$build/examples/tiny-llama/weightgen" "$out"

echo
echo "== compile_models 1 / 2 --lut 6 --chunk 2 / 3 --lut 6"
"$cm" 1 --input "$out"
"$cm" 2 --lut 6 --chunk 2 --input "$out"
"$cm" 3 --lut 6 --input "$out"

for b in "$out"/*.mlmodelc; do
	echo
	echo "== mlcc inspect $(basename "$b")"
	"$mlcc" inspect "$b"
done

echo
echo "== compiled bundles in $out:"
for b in "$out"/*.mlmodelc; do
	printf '  %-44s %9s bytes, %s files\n' "$(basename "$b")" \
		"$(du -sb "$b" | cut -f1)" "$(find "$b" -type f | wc -l)"
done

# The verification step of ANEMLL's workflow (its tests/chat.py), on the
# CPU: the compiled set generates tokens through the runtime.
echo
echo "== mlcc chat --meta $out/meta.yaml --tokens 1,2,3,4,5 --max-tokens 24"
"$mlcc" chat --meta "$out/meta.yaml" --tokens 1,2,3,4,5 --max-tokens 24
