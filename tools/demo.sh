#!/bin/sh
# tools/demo.sh MLCC OUTDIR -- compile the sample model and show the bundle.
#
# Until the ANEMLL front end brings its own demo model set, the sample is
# one golden pair of the shared corpus ($MLCC_CORPUS, default
# ../shared/corpus); the compiled bundle is compared with Apple's.
set -eu
mlcc=$1
out=$2
corpus=${MLCC_CORPUS:-../shared/corpus}
pair=$corpus/pairs/mobius-head-unified_int8
src=$pair/unified_int8.mlpackage
if [ ! -d "$src" ]; then
	echo "demo: sample model not found at $src (set MLCC_CORPUS)" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
echo "demo: $mlcc compile $src $out"
bundle=$("$mlcc" compile "$src" "$out" --coremlc-version 3500.32.1)
echo "demo: wrote $bundle"
(cd "$bundle" && find . -type f | sort | while read -r f; do
	printf '  %-28s %10s bytes\n' "${f#./}" "$(wc -c < "$f")"
done)
cmp=$(dirname "$mlcc")/tests/bundlecmp
if why=$("$cmp" "$pair/expected/unified_int8.mlmodelc" "$bundle"); then
	echo "demo: identical to Apple's coremlcompiler output (user-metadata order normalised)"
else
	echo "demo: DIFFERS from Apple's output: $why"
	exit 1
fi
