#!/bin/sh
# test_names_sizes.sh MLCC MKPKG -- names that try to forge message lines,
# sizes that overflow, strings that are not UTF-8, and the exit class of
# bad input (docs/RELIABILITY.md).  Each failing case: exit status 1 (bad
# input, never 2 = usage), exactly the message given -- one line, names
# escaped by diag_quote -- and nothing left behind.  The packages are made
# by mkpkg (tests/support/mkpkg.c); no corpus needed.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup names
spec=Data/com.apple.CoreML/model.mlmodel
w="function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64"
forged=$(printf 'x\nmlcc: error: forged')

mk() {
	p=$work/$1.mlpackage
	shift
	"$mkpkg" "$p" "$@" || bad "mkpkg $*"
}

# --- escaping: a name can never start a second message line ---------------

# mkpkg writes the manifest's strings as given: \n is JSON's escape.
mk root --root 'x\nmlcc: error: forged'
expect "newline in rootModelIdentifier" \
	"mlcc: error: $p/Manifest.json: rootModelIdentifier 'x\\nmlcc: error: forged' names no item in itemInfoEntries" "$p"

mk item --item-path '../x\nmlcc: error: forged'
expect "newline in a manifest item path" \
	"mlcc: error: $p/Manifest.json: item 'ROOT-ID': path '../x\\nmlcc: error: forged' leaves the package" "$p"

mk blob --blob-path "@model_path/../$forged"
expect "newline in a BLOBFILE path" \
	"mlcc: error: $p/$spec: BLOBFILE path '@model_path/../x\\nmlcc: error: forged' leaves the package" "$p"

mk blobq --blob-path "it's/there"
expect "quote in a BLOBFILE path" \
	"mlcc: error: $p/$spec: BLOBFILE path 'it\\'s/there' is not under @model_path" "$p"

mk var --var-name "$forged"
expect "newline in an op's output name" \
	"mlcc: error: $p/$spec: function 'main': op 'x\\nmlcc: error: forged' (add): variable name 'x\\nmlcc: error: forged' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

mk opset --opset "$forged"
expect "newline in an opset" \
	"mlcc: error: $p/$spec: function 'main': unknown opset 'x\\nmlcc: error: forged'" "$p"

mk input --input-name "$forged"
expect "newline in an input name" \
	"mlcc: error: $p/$spec: function 'main': input: variable name 'x\\nmlcc: error: forged' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

# A path given on the command line goes through the same rule.
p=$work/$forged.mlpackage
mkdir -p "$p"
expect "newline in the input path" \
	"mlcc: error: $work/x\\nmlcc: error: forged.mlpackage: not a Core ML package: Manifest.json is missing" "$p"

p=$work/$(printf 'bad\377name').mlpackage
mkdir -p "$p"
expect "invalid UTF-8 in the input path" \
	"mlcc: error: $work/bad\\xffname.mlpackage: not a Core ML package: Manifest.json is missing" "$p"

# Reports: inspect's text and diff print names escaped, one line each.
mk text --text "$forged"
mk plain --text plain
"$mlcc" inspect "$work/text.mlpackage" >"$work/inspect" 2>&1
if [ $? = 0 ] && ! grep -q '^mlcc: error: forged' "$work/inspect" &&
	grep -qxF '  author: x\nmlcc: error: forged' "$work/inspect" &&
	grep -qxF '  userDefined x\nmlcc: error: forged: x\nmlcc: error: forged' "$work/inspect"; then
	ok "inspect escapes metadata strings"
else
	bad "inspect escapes metadata strings"
	cat "$work/inspect"
fi
"$mlcc" diff "$work/text.mlpackage" "$work/plain.mlpackage" >"$work/diff" 2>&1
rc=$?
if [ $rc = 1 ] && ! grep -q '^mlcc: error: forged' "$work/diff" &&
	grep -qxF "  metadata: userDefined 'x\\nmlcc: error: forged' differs" "$work/diff"; then
	ok "diff escapes names"
else
	bad "diff escapes names (exit $rc)"
	cat "$work/diff"
fi

# JSON must stay valid UTF-8 and keep every member: a path that is not
# UTF-8 is escaped, not dropped.
cp -r "$work/plain.mlpackage/." "$work/bad$(printf '\377').mlpackage"
"$mlcc" inspect "$work/bad$(printf '\377').mlpackage" --json >"$work/json" 2>&1
if grep -qxF "  \"path\": \"$work/bad\\\\xff.mlpackage\"," "$work/json"; then
	ok "inspect --json escapes a path that is not UTF-8"
else
	bad "inspect --json escapes a path that is not UTF-8"
	head -4 "$work/json"
fi

# --- sizes: element counts and byte sizes that overflow -----------------

mk over64 --w-dims 0x100000000,0x100000000
expect "fp32[2^32, 2^32] backed by 16 bytes (count overflows 64 bits)" \
	"mlcc: error: $p/$spec: $w: the tensor's shape has more than 2^63 elements" "$p"

mk overbytes --w-dims 0x100000000,0x10000000
expect "fp32[2^32, 2^28] backed by 16 bytes (byte size overflows 64 bits)" \
	"mlcc: error: $p/$spec: $w: blob holds 16 bytes, the tensor needs more than 2^64" "$p"

mk small --w-dims 3,5
expect "fp32[3, 5] backed by 16 bytes" \
	"mlcc: error: $p/$spec: $w: blob holds 16 bytes, the tensor needs 60" "$p"

# --- UTF-8: Core ML strings must be UTF-8 ----------------------------------

mk meta8 --text "$(printf 'caf\351')"
expect "Latin-1 byte in a metadata string" \
	"mlcc: error: $p/$spec: field 'description.metadata.shortDescription' is not valid UTF-8 (Core ML strings must be)" "$p"

mk name8 --var-name "$(printf 'a\377b')"
expect "invalid UTF-8 in an op's output name" \
	"mlcc: error: $p/$spec: field 'mlProgram.functions[0].value.block_specializations[0].value.operations[1].outputs[0].name' is not valid UTF-8 (Core ML strings must be)" "$p"

mk over8 --text "$(printf '\355\240\200')"
expect "UTF-16 surrogate encoded in UTF-8" \
	"mlcc: error: $p/$spec: field 'description.metadata.shortDescription' is not valid UTF-8 (Core ML strings must be)" "$p"

m=$work/str8.mil
printf 'program(1.3)\n{\n    func main<ios18>(tensor<fp32, [1]> x) {\n        tensor<fp32, [1]> y = relu(x = x)[name = string("y\\xff")];\n    } -> (y);\n}\n' >"$m"
"$mlcc" assemble "$m" -o "$work/str8.mlpackage" >/dev/null 2>"$work/stderr"
rc=$?
want="mlcc: error: $m:4:57: string is not valid UTF-8"
if [ $rc = 1 ] && [ "$(cat "$work/stderr")" = "$want" ] && [ ! -e "$work/str8.mlpackage" ]; then
	ok "model.mil string with an invalid UTF-8 escape"
else
	bad "model.mil string with an invalid UTF-8 escape: exit $rc, stderr: $(cat "$work/stderr")"
	echo "  want: $want"
fi

# --- exit class: bad input is 1, never 2 (usage) ---------------------------

mk good
mkdir -p "$work/bundle"
"$mlcc" compile "$work/good.mlpackage" "$work/bundle" >/dev/null || bad "compile good"
m=$work/bundle/good.mlmodelc/model.mil
"$mlcc" assemble "$m" -o "$work/asm.mlpackage" >/dev/null 2>"$work/stderr"
rc=$?
want="mlcc: error: $m:5:13: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' is not among the weight files of the package"
if [ $rc = 1 ] && [ "$(cat "$work/stderr")" = "$want" ] && [ ! -e "$work/asm.mlpackage" ]; then
	ok "assemble: BLOBFILE outside the weights is bad input (exit 1)"
else
	bad "assemble: BLOBFILE outside the weights: exit $rc, stderr: $(cat "$work/stderr")"
	echo "  want: $want"
fi

finish
