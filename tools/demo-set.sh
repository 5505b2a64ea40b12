#!/bin/sh
# tools/demo-set.sh MLCC WEIGHTGEN OUT_DIR -- build the demo model set.
#
# Every examples/tiny-llama/*.mil becomes OUT_DIR/<name>.mlpackage: weightgen
# makes its weights (deterministic, the same bytes everywhere), then
# `mlcc assemble` writes the package (spec 9, description from the function
# signatures).  meta.yaml is copied beside the packages.  One line per
# package on stdout; exit status 1 on the first failure (its message on
# stderr), 2 on a usage error.
set -eu
if [ $# -ne 3 ]; then
	echo "usage: tools/demo-set.sh MLCC WEIGHTGEN OUT_DIR" >&2
	exit 2
fi
mlcc=$1
weightgen=$2
out=$3
src=$(cd "$(dirname "$0")/../examples/tiny-llama" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlcc-demo-set-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "demo-set: $1" >&2
	exit 1
}

mkdir -p "$out" || fail "cannot create $out"
n=0
for mil in "$src"/*.mil; do
	name=$(basename "$mil" .mil)
	pkg=$out/$name.mlpackage
	summary=$("$weightgen" "$mil" "$tmp/$name") || fail "$name: weightgen failed"
	"$mlcc" assemble "$mil" --weights "$tmp/$name" --spec-version 9 \
		-o "$pkg" >/dev/null || fail "$name: mlcc assemble failed"
	echo "demo-set: $pkg (${summary#*: })"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no .mil files in $src"
cp "$src/meta.yaml" "$out/meta.yaml" || fail "cannot copy meta.yaml"
echo "demo-set: $out/meta.yaml"
