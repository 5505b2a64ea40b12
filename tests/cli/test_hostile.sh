#!/bin/sh
# test_hostile.sh MLCC MKPKG -- inputs written to hurt: paths that leave the
# package, lengths and offsets that overflow, nesting that would exhaust the
# stack, broken variable scoping, names and strings full of quotes and
# newlines, empty files.  Each case: exit status 1, the exact message naming
# the file (and function/op where it applies), nothing left behind.
#
# The packages are made by mkpkg (tests/support/mkpkg.c); no corpus needed.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup hostile
spec=Data/com.apple.CoreML/model.mlmodel
w="function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin'"

# mk NAME MKPKG-OPTIONS...: $p is a fresh package.
mk() {
	p=$work/$1.mlpackage
	shift
	"$mkpkg" "$p" "$@" || bad "mkpkg $*"
}

# --- paths leaving the package --------------------------------------------

mk dotdot --item-path ../../x/model.mlmodel
expect "manifest item path with .." \
	"mlcc: error: $p/Manifest.json: item 'ROOT-ID': path '../../x/model.mlmodel' leaves the package" "$p"

mk abs --item-path /etc/passwd
expect "manifest item path absolute" \
	"mlcc: error: $p/Manifest.json: item 'ROOT-ID': path '/etc/passwd' leaves the package" "$p"

mk speclink --spec-link "$work/outside.mlmodel"
expect "root model file is a symlink out of the package" \
	"mlcc: error: $p/$spec: root model file leaves the package (symlink)" "$p"

mk weightlink --weights-link "$work/outside.bin"
expect "weight file is a symlink out of the package" \
	"mlcc: error: $p/Data/com.apple.CoreML/weights/weight.bin: leaves the package (symlink)" "$p"

mk blobdotdot --blob-path '@model_path/../../../etc/passwd'
expect "BLOBFILE path with .." \
	"mlcc: error: $p/$spec: BLOBFILE path '@model_path/../../../etc/passwd' leaves the package" "$p"

mk blobabs --blob-path /etc/passwd
expect "BLOBFILE path outside @model_path" \
	"mlcc: error: $p/$spec: BLOBFILE path '/etc/passwd' is not under @model_path" "$p"

# --- offsets, sizes and types in the weight file --------------------------

mk off64 --blob-offset 0xFFFFFFFFFFFFFFF0
expect "BLOBFILE offset near 2^64" \
	"mlcc: error: $p/$spec: $w offset 18446744073709551600: blob record beyond the end of the file (144 bytes)" "$p"

mk data64 --blob-data 0xFFFFFFFFFFFFFFF0
expect "blob data offset near 2^64" \
	"mlcc: error: $p/$spec: $w offset 64: blob data (16 bytes at 18446744073709551600) beyond the end of the file (144 bytes)" "$p"

mk size64 --blob-size 0xFFFFFFFFFFFFFFF0
expect "blob size near 2^64" \
	"mlcc: error: $p/$spec: $w offset 64: blob data (18446744073709551600 bytes at 128) beyond the end of the file (144 bytes)" "$p"

mk sum64 --blob-data 0xFFFFFFFFFFFFFF00 --blob-size 0x200
expect "blob offset + size overflowing 64 bits" \
	"mlcc: error: $p/$spec: $w offset 64: blob data (512 bytes at 18446744073709551360) beyond the end of the file (144 bytes)" "$p"

mk sentinel --blob-offset 0
expect "blob record without its sentinel" \
	"mlcc: error: $p/$spec: $w offset 0: no blob record here (bad sentinel)" "$p"

mk dtype --blob-dtype 1
expect "blob data type differs from the tensor's" \
	"mlcc: error: $p/$spec: $w offset 64: blob holds fp16 data (type 1), the tensor is fp32" "$p"

mk dtype99 --blob-dtype 99
expect "unknown blob data type" \
	"mlcc: error: $p/$spec: $w offset 64: unknown blob data type 99" "$p"

mk cut --truncate-weights 136
expect "weight file cut in the middle of a blob" \
	"mlcc: error: $p/$spec: $w offset 64: blob data (16 bytes at 128) beyond the end of the file (136 bytes)" "$p"

# --- protobuf lengths and nesting ----------------------------------------

# Field 502 (mlProgram), length-delimited, declaring 4 GiB.
printf '\262\037\200\200\200\200\020' >"$work/huge.pb"
mk hugelen --spec-bytes "$work/huge.pb"
expect "protobuf declaring a 4 GiB message" \
	"mlcc: error: $p/$spec: not a Core ML model: field 502 at byte 0 declares 4294967296 bytes, 0 remain (truncated or corrupt file)" "$p"

mk deep --nest 5000
expect "5000 nested blocks" \
	"mlcc: error: $p/$spec: messages nested more than 200 levels deep" "$p"

mk nested --nest 30
out=$work/nested-out
"$mlcc" compile "$p" "$out" >/dev/null 2>&1 &&
	[ "$(grep -c 'cond(pred = ' "$out/nested.mlmodelc/model.mil")" = 30 ] &&
	ok "30 nested blocks compile" || bad "30 nested blocks compile"

# --- variables and functions ---------------------------------------------

mk undefined --undefined
expect "variable never defined" \
	"mlcc: error: $p/$spec: function 'main': op 'out' (relu): variable 'nope' is never defined" "$p"

mk early --use-before-def
expect "variable used before its definition" \
	"mlcc: error: $p/$spec: function 'main': op 'out' (relu): variable 'y' is used before its definition" "$p"

mk dupvar --dup-var
expect "variable defined twice" \
	"mlcc: error: $p/$spec: function 'main': op 'w' (add): variable 'w' is defined twice" "$p"

mk dupfunc --dup-function
expect "function defined twice" \
	"mlcc: error: $p/$spec: function 'main' is defined twice" "$p"

# --- names and strings ----------------------------------------------------

mk quote --var-name 'a"b'
expect "variable name with a quote" \
	"mlcc: error: $p/$spec: function 'main': op 'a\\\"b' (add): variable name 'a\\\"b' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

mk newline --var-name "$(printf 'a\nb')"
expect "variable name with a newline" \
	"mlcc: error: $p/$spec: function 'main': op 'a\\nb' (add): variable name 'a\\nb' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

mk backslash --var-name 'a\b'
expect "variable name with a backslash" \
	"mlcc: error: $p/$spec: function 'main': op 'a\\\\b' (add): variable name 'a\\\\b' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

mk utf8 --var-name 'poids_é'
expect "variable name with non-ASCII letters" \
	"mlcc: error: $p/$spec: function 'main': op 'poids_é' (add): variable name 'poids_é' is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)" "$p"

# Strings are escaped, not refused: model.mil C-style, metadata.json as
# NSJSONSerialization writes (\/ for a slash, \u00XX for other controls).
text=$(printf 'say "hi"\\ a/b\nnext\ttab é\001')
mk strings --text "$text"
out=$work/strings-out
if "$mlcc" compile "$p" "$out" >/dev/null 2>"$work/stderr"; then
	b=$out/strings.mlmodelc
	grep -qF 'relu(x = y)[name = tensor<string, []>("say \"hi\"\\ a/b\nnext\ttab é\x01")];' "$b/model.mil" &&
		ok "string escaped in model.mil" || bad "string escaped in model.mil"
	json='"say \"hi\"\\ a\/b\nnext\ttab é\u0001"'
	for key in author shortDescription; do
		grep -qF "\"$key\" : $json," "$b/metadata.json" &&
			ok "$key escaped in metadata.json" ||
			bad "$key escaped in metadata.json"
	done
	grep -qF "$json : $json" "$b/metadata.json" &&
		ok "user-defined key and value escaped in metadata.json" ||
		bad "user-defined key and value escaped in metadata.json"
else
	bad "package with hostile strings does not compile: $(cat "$work/stderr")"
fi

# --- empty files ----------------------------------------------------------

: >"$work/empty"
mk emptyspec --spec-bytes "$work/empty"
expect "zero-length model.mlmodel" \
	"mlcc: error: $p/$spec: empty file, not a Core ML model" "$p"

mk emptymanifest --manifest-bytes "$work/empty"
expect "zero-length Manifest.json" \
	"mlcc: error: $p/Manifest.json: invalid JSON: '[' or '{' expected near end of file (line 1, column 0)" "$p"

mk emptyweights --truncate-weights 0
expect "zero-length weight file" \
	"mlcc: error: $p/$spec: $w offset 64: blob record beyond the end of the file (0 bytes)" "$p"

p=$work/emptydir.mlpackage
mkdir -p "$p"
expect "empty package directory" \
	"mlcc: error: $p: not a Core ML package: Manifest.json is missing" "$p"

p=$work/empty.mlmodel
: >"$p"
expect "zero-length .mlmodel" \
	"mlcc: error: $p: empty file, not a Core ML model" "$p"

# --- MIL text (mlcc assemble) ---------------------------------------------

# assemble_expect NAME WANT FILE: fails with WANT, writes no package.
assemble_expect() {
	"$mlcc" assemble "$3" -o "$work/asm.mlpackage" >/dev/null 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	if [ "$rc" = 1 ] && [ "$got" = "$2" ] && [ ! -e "$work/asm.mlpackage" ]; then
		ok "$1"
	else
		bad "$1: exit $rc, stderr: $got"
		echo "  want: $2"
	fi
}

m=$work/deep.mil
{
	printf 'program(1.3)\n{\n    func main<ios18>(tensor<fp32, [1]> x) {\n'
	printf '        tensor<fp32, [1]> y = cond(pred = x)[name = string("y")] {\n'
	i=0
	while [ $i -lt 3000 ]; do printf 'block0() {\n'; i=$((i + 1)); done
} >"$m"
assemble_expect "model.mil with 3000 nested blocks" \
	"mlcc: error: $m:260:1: nesting deeper than 256 levels" "$m"

m=$work/undef.mil
printf 'program(1.3)\n{\n    func main<ios18>(tensor<fp32, [1]> x) {\n        tensor<fp32, [1]> y = relu(x = nope)[name = string("y")];\n    } -> (y);\n}' >"$m"
assemble_expect "model.mil using an undefined variable" \
	"mlcc: error: $m:4:9: function 'main': op 'y' (relu): variable 'nope' is never defined" "$m"

# Sibling blocks may reuse a name (t in both branches); using it after
# the cond is out of its scope.
m=$work/scope.mil
cat >"$m" <<'EOF'
program(1.3)
{
    func main<ios18>(tensor<fp32, [1]> x) {
        bool c = const()[name = string("c"), val = bool(true)];
        tensor<fp32, [1]> y = cond(pred = c)[name = string("y")] {
            block0() {
                tensor<fp32, [1]> t = relu(x = x)[name = string("t")];
            } -> (t);
            block1() {
                tensor<fp32, [1]> t = sigmoid(x = x)[name = string("t")];
            } -> (t);
        };
        tensor<fp32, [1]> z = add(x = y, y = t)[name = string("z")];
    } -> (z);
}
EOF
assemble_expect "model.mil using a name outside its block" \
	"mlcc: error: $m:13:9: function 'main': op 'z' (add): variable 't' is used outside the block that defines it" "$m"
sed 's/y = t)/y = y)/' "$m" >"$work/scope-ok.mil"
"$mlcc" assemble "$work/scope-ok.mil" -o "$work/scope-ok.mlpackage" >/dev/null 2>"$work/stderr" &&
	ok "sibling blocks reuse a name" || bad "sibling blocks reuse a name: $(cat "$work/stderr")"

m=$work/dupfunc.mil
printf 'program(1.3)\n{\n    func main<ios18>(tensor<fp32, [1]> x) {\n    } -> (x);\n    func main<ios18>(tensor<fp32, [1]> x) {\n    } -> (x);\n}' >"$m"
assemble_expect "model.mil defining a function twice" \
	"mlcc: error: $m:5:10: function 'main' defined twice" "$m"

finish
