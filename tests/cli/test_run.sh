#!/bin/sh
# test_run.sh MLCC MKPKG -- `mlcc run` on packages (and a bundle) this test
# assembles from MIL text: outputs checked byte for byte against .npy files
# written here with printf, states carried across two runs through
# --state-out/--state-in, and the errors: missing input, wrong type or
# shape, bad .npy header, unknown function, unknown op, extra input --
# exact messages and exit statuses.  No corpus needed.
mlcc=$1
. "$(dirname "$0")/lib.sh"
setup run

# npy FILE DESCR SHAPE DATA: a .npy 1.0 file; SHAPE as Python writes it
# ("(2, 3)", "(3,)"), DATA a printf format of the element bytes.
npy() {
	h="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
	pad=$(((64 - (10 + ${#h} + 1) % 64) % 64))
	hl=$((${#h} + pad + 1))
	{
		printf '\223NUMPY\001\000'
		printf "$(printf '\\%03o\\%03o' $((hl % 256)) $((hl / 256)))"
		printf '%s' "$h"
		printf "%${pad}s" ''
		printf '\n'
		printf "$4"
	} >"$1"
}

# check NAME WANT_STATUS WANT_STDERR CMD...: exit status and stderr exactly.
check() {
	name=$1
	want_rc=$2
	want_err=$3
	shift 3
	"$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want_err" ]; then
		bad "$name"
		echo "  exit:   $rc (want $want_rc)"
		echo "  stderr: $got"
		echo "  want:   $want_err"
	else
		ok "$name"
	fi
}

cat >"$work/m.mil" <<'EOF'
program(1.3)
{
    func main<ios18>(tensor<fp32, [2, 3]> x, tensor<fp32, [3]> y) {
            fp32 two = const()[name = string("two"), val = fp32(0x1p+1)];
            tensor<fp32, [2, 3]> s = add(x = x, y = y)[name = string("s")];
            tensor<fp32, [2, 3]> z = mul(x = s, y = two)[name = string("z")];
            tensor<int32, [1]> ax = const()[name = string("ax"), val = tensor<int32, [1]>([1])];
            tensor<fp32, [2]> m = reduce_max(axes = ax, x = z)[name = string("m")];
        } -> (z, m);
}
EOF
pkg=$work/m.mlpackage
"$mlcc" assemble "$work/m.mil" -o "$pkg" >/dev/null || bad "assemble m.mil"

# x = [[1, 2, 3], [4, 5, 6]], y = [1, 2, 3] (fp32 little-endian bytes)
npy "$work/x.npy" '<f4' '(2, 3)' \
	'\0\0\200\077\0\0\0\100\0\0\100\100\0\0\200\100\0\0\240\100\0\0\300\100'
npy "$work/y.npy" '<f4' '(3,)' '\0\0\200\077\0\0\0\100\0\0\100\100'
# z = (x + y) * 2 = [[4, 8, 12], [10, 14, 18]]; m = [12, 18]
npy "$work/z.want" '<f4' '(2, 3)' \
	'\0\0\200\100\0\0\0\101\0\0\100\101\0\0\040\101\0\0\140\101\0\0\220\101'
npy "$work/m.want" '<f4' '(2,)' '\0\0\100\101\0\0\220\101'

check "run a package" 0 "" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/y.npy" --output-dir "$work/out"
if [ "$(cat "$work/stdout")" = "z fp32 [2, 3]
m fp32 [2]" ]; then ok "one line per output"; else bad "one line per output: $(cat "$work/stdout")"; fi
if cmp -s "$work/out/z.npy" "$work/z.want" && cmp -s "$work/out/m.npy" "$work/m.want"; then
	ok "outputs byte-exact"
else
	bad "outputs byte-exact"
fi
ls -A "$work/out" | grep -q tmp && bad "temporary left in the output directory"

"$mlcc" compile "$pkg" "$work/b" >/dev/null || bad "compile m.mlpackage"
rm -rf "$work/out"
check "run the compiled bundle" 0 "" \
	"$mlcc" run "$work/b/m.mlmodelc" --input "x=$work/x.npy" --input "y=$work/y.npy" \
	--output-dir "$work/out" --threads 2
if cmp -s "$work/out/z.npy" "$work/z.want"; then ok "bundle output byte-exact"; else bad "bundle output byte-exact"; fi

# ---- errors --------------------------------------------------------------------
check "missing input" 2 \
	"mlcc: error: $pkg: function 'main': input 'y' (fp32 [3]) is missing" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --output-dir "$work/out"

npy "$work/yi.npy" '<i4' '(3,)' '\1\0\0\0\2\0\0\0\3\0\0\0'
check "wrong dtype" 2 \
	"mlcc: error: $pkg: function 'main': input 'y' is int32 [3], expected fp32 [3]" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/yi.npy"

check "wrong shape" 2 \
	"mlcc: error: $pkg: function 'main': input 'y' is fp32 [2, 3], expected fp32 [3]" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/x.npy"

check "extra input" 2 \
	"mlcc: error: $pkg: function 'main' has no input 'w'" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/y.npy" --input "w=$work/y.npy"

printf 'NUMPY\001\000\000\000' >"$work/bad.npy"
check "bad .npy magic" 1 \
	"mlcc: error: $work/bad.npy: not a valid .npy file: no \\x93NUMPY magic" \
	"$mlcc" run "$pkg" --input "x=$work/bad.npy" --input "y=$work/y.npy"

npy "$work/be.npy" '>f4' '(3,)' '\077\200\0\0\100\0\0\0\100\100\0\0'
check "big-endian .npy" 1 \
	"mlcc: error: $work/be.npy: big-endian .npy data is not supported" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/be.npy"

npy "$work/short.npy" '<f4' '(3,)' '\0\0\200\077'
check "truncated .npy data" 1 \
	"mlcc: error: $work/short.npy: not a valid .npy file: 4 data bytes for the shape's 12" \
	"$mlcc" run "$pkg" --input "x=$work/x.npy" --input "y=$work/short.npy"

check "unknown function" 2 \
	"mlcc: error: $pkg: no function 'nope' (functions: main)" \
	"$mlcc" run "$pkg" --function nope --input "x=$work/x.npy" --input "y=$work/y.npy"

check "no model" 2 "mlcc: run needs a BUNDLE or PACKAGE
usage: mlcc run BUNDLE|PACKAGE [--function F] [--input name=FILE.npy ...]
                [--state-in name=FILE.npy ...] [--state-out name=FILE.npy ...]
                [--output-dir DIR] [--threads N]" "$mlcc" run

sed 's/= mul(x = s, y = two)/= foo(x = s, y = two)/' "$work/m.mil" >"$work/foo.mil"
"$mlcc" assemble "$work/foo.mil" -o "$work/foo.mlpackage" >/dev/null || bad "assemble foo.mil"
check "unknown op (package)" 1 \
	"mlcc: error: $work/foo.mlpackage/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'z' (foo): not supported by the runtime" \
	"$mlcc" run "$work/foo.mlpackage"
"$mlcc" compile "$work/foo.mlpackage" "$work/fb" >/dev/null || bad "compile foo.mlpackage"
check "unknown op (bundle, with its line)" 1 \
	"mlcc: error: $work/fb/foo.mlmodelc/model.mil:7:13: function 'main': op 'z' (foo): not supported by the runtime" \
	"$mlcc" run "$work/fb/foo.mlmodelc"

# ---- states: s += x, carried from one run to the next ------------------------------
cat >"$work/s.mil" <<'EOF'
program(1.3)
{
    func main<ios18>(tensor<fp16, [2]> x, state<tensor<fp16, [2]>> s) {
            tensor<fp16, [2]> r = read_state(input = s)[name = string("r")];
            tensor<fp16, [2]> n = add(x = r, y = x)[name = string("n")];
            write_state(data = n, input = s)[name = string("w")];
        } -> (n);
}
EOF
"$mlcc" assemble "$work/s.mil" -o "$work/s.mlpackage" >/dev/null || bad "assemble s.mil"
# x = [1.5, -2] as fp16 (0x3e00, 0xc000); after two runs s = [3, -4] (0x4200, 0xc400)
npy "$work/x16.npy" '<f2' '(2,)' '\0\076\0\300'
npy "$work/s1.want" '<f2' '(2,)' '\0\076\0\300'
npy "$work/s2.want" '<f2' '(2,)' '\0\102\0\304'
check "state out" 0 "" "$mlcc" run "$work/s.mlpackage" --input "x=$work/x16.npy" \
	--state-out "s=$work/s1.npy" --output-dir "$work/sout"
check "state in and out" 0 "" "$mlcc" run "$work/s.mlpackage" --input "x=$work/x16.npy" \
	--state-in "s=$work/s1.npy" --state-out "s=$work/s2.npy" --output-dir "$work/sout"
if cmp -s "$work/s1.npy" "$work/s1.want" && cmp -s "$work/s2.npy" "$work/s2.want" &&
	cmp -s "$work/sout/n.npy" "$work/s2.want"; then
	ok "state persists across runs"
else
	bad "state persists across runs"
fi
check "state of the wrong shape" 2 \
	"mlcc: error: state 's' is fp16 [2], not fp32 [3]" \
	"$mlcc" run "$work/s.mlpackage" --input "x=$work/x16.npy" --state-in "s=$work/y.npy"

finish
