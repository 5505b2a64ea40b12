#!/bin/sh
# test_tools.sh MLCC MKPKG -- decompile, assemble, inspect and diff on a
# package made by mkpkg (no corpus needed): round trips give the same
# bundle, inspect reports what the model holds, diff finds a one-op change.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup tools

# Same bundle files, analytics excepted (its modelHash hashes the spec file).
same_bundle() {
	for f in coremldata.bin metadata.json model.mil weights/weight.bin; do
		cmp -s "$1/$f" "$2/$f" || { echo "  $f differs"; return 1; }
	done
}

"$mkpkg" "$work/tiny.mlpackage"
"$mlcc" compile "$work/tiny.mlpackage" "$work/c1" >/dev/null || bad "compile"
b=$work/c1/tiny.mlmodelc

# decompile -> compile -> same bundle
if "$mlcc" decompile "$b" "$work/d/tiny.mlpackage" >/dev/null &&
	"$mlcc" compile "$work/d/tiny.mlpackage" "$work/c2" >/dev/null &&
	same_bundle "$b" "$work/c2/tiny.mlmodelc"; then
	ok "decompile then compile gives the same bundle"
else
	bad "decompile round trip"
fi

# assemble model.mil (+ its weights) -> compile -> same bundle
if "$mlcc" assemble "$b/model.mil" --weights "$b/weights" -o "$work/a/tiny.mlpackage" >/dev/null &&
	"$mlcc" compile "$work/a/tiny.mlpackage" "$work/c3" >/dev/null &&
	same_bundle "$b" "$work/c3/tiny.mlmodelc"; then
	ok "assemble then compile gives the same bundle"
else
	bad "assemble round trip"
fi

# inspect, text and JSON
out=$("$mlcc" inspect "$b")
if echo "$out" | grep -q '^  function main <ios16> (default): 3 ops$' &&
	echo "$out" | grep -q '^    input  x  *MultiArray Float32 \[1, 4\]$' &&
	echo "$out" | grep -q '^    weights/weight.bin @64 fp32 4 elements 16 bytes (main: w)$'; then
	ok "inspect (text)"
else
	bad "inspect (text): $out"
fi
json=$("$mlcc" inspect --json "$work/tiny.mlpackage")
if echo "$json" | grep -q '"format": "mlpackage"' &&
	echo "$json" | grep -q '"specificationVersion": 7' &&
	echo "$json" | grep -q '"dataType": "fp32"'; then
	ok "inspect --json"
else
	bad "inspect --json: $json"
fi

# diff: a bundle with itself, a package with its bundle, a one-op change
"$mlcc" diff "$b" "$b" >"$work/out" 2>&1
[ $? = 0 ] && grep -q '^equivalent' "$work/out" && ok "diff of a bundle with itself: exit 0" ||
	bad "diff self: $(cat "$work/out")"
"$mlcc" diff "$work/tiny.mlpackage" "$b" >"$work/out" 2>&1
[ $? = 0 ] && ok "diff of a package with its bundle: exit 0" || bad "diff package/bundle: $(cat "$work/out")"
cp -r "$b" "$work/changed.mlmodelc"
sed 's/= relu(/= sigmoid(/' "$b/model.mil" >"$work/changed.mlmodelc/model.mil"
"$mlcc" diff "$b" "$work/changed.mlmodelc" >"$work/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "function 'main': op 'out' (relu)" "$work/out" &&
	grep -q '^  differs    model.mil$' "$work/out"; then
	ok "diff of a one-op change: exit 1, names the op"
else
	bad "diff one-op change (exit $rc): $(cat "$work/out")"
fi

# errors
"$mlcc" decompile "$work/tiny.mlpackage" "$work/x.mlpackage" 2>"$work/err" >/dev/null
[ $? = 1 ] && [ "$(cat "$work/err")" = "mlcc: error: $work/tiny.mlpackage: not a compiled model (no coremldata.bin)" ] &&
	[ ! -e "$work/x.mlpackage" ] && ok "decompile of a non-bundle" || bad "decompile non-bundle: $(cat "$work/err")"
printf 'program(1.0)\n{\n    func main<ios16>(tensor<fp32, [1]> x) {\n            tensor<fp32, [1]> y = relu(x = x\n' >"$work/bad.mil"
"$mlcc" assemble "$work/bad.mil" -o "$work/bad.mlpackage" 2>"$work/err" >/dev/null
rc=$?
if [ $rc = 1 ] && grep -q "^mlcc: error: $work/bad.mil:[0-9]*:[0-9]*: " "$work/err" && [ ! -e "$work/bad.mlpackage" ]; then
	ok "assemble of malformed text names line and column"
else
	bad "assemble malformed (exit $rc): $(cat "$work/err")"
fi
"$mlcc" diff "$b" "$work/nothing" >/dev/null 2>&1
[ $? = 2 ] && ok "diff with a missing input: exit 2" || bad "diff missing input"

finish
