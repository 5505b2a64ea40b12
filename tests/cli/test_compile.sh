#!/bin/sh
# test_compile.sh MLCC MKPKG -- the compile command's behaviour on good
# input: output layout, printed path, replacing a bundle, bare .mlmodel
# input, determinism, usage errors and their exit status.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup compile

"$mkpkg" "$work/tiny.mlpackage"

# 1. A package compiles into OUTDIR/<stem>.mlmodelc, path on stdout.
out=$(cd "$work" && "$mlcc" compile tiny.mlpackage out 2>&1)
rc=$?
files=$(cd "$work/out/tiny.mlmodelc" 2>/dev/null && find . -type f | sort | tr '\n' ' ')
want="./analytics/coremldata.bin ./coremldata.bin ./metadata.json ./model.mil ./weights/weight.bin "
if [ $rc = 0 ] && [ "$out" = "out/tiny.mlmodelc" ] && [ "$files" = "$want" ]; then
	ok "package -> bundle layout"
else
	bad "package -> bundle layout (exit $rc, stdout '$out', files '$files')"
fi
if cmp -s "$work/tiny.mlpackage/Data/com.apple.CoreML/weights/weight.bin" \
	"$work/out/tiny.mlmodelc/weights/weight.bin"; then
	ok "weights copied byte-identical"
else
	bad "weights copied byte-identical"
fi
if [ "$(tail -c 1 "$work/out/tiny.mlmodelc/model.mil")" = "}" ] &&
	head -1 "$work/out/tiny.mlmodelc/model.mil" | grep -qx 'program(1.0)'; then
	ok "model.mil: program(1.0) for spec 7, no trailing newline"
else
	bad "model.mil header/trailer"
fi

# 2. Compiling again replaces the bundle; nothing else appears.
echo stale >"$work/out/tiny.mlmodelc/stale-file"
"$mlcc" compile "$work/tiny.mlpackage" "$work/out" >/dev/null 2>&1
if [ $? = 0 ] && [ ! -e "$work/out/tiny.mlmodelc/stale-file" ] &&
	[ "$(ls -A "$work/out")" = "tiny.mlmodelc" ]; then
	ok "recompile replaces the bundle atomically, no temporaries left"
else
	bad "recompile replaces the bundle ($(ls -A "$work/out"))"
fi

# 3. Same input, same bytes (deterministic output).
"$mlcc" compile "$work/tiny.mlpackage" "$work/again" >/dev/null 2>&1
if diff -r "$work/out/tiny.mlmodelc" "$work/again/tiny.mlmodelc" >/dev/null; then
	ok "deterministic output"
else
	bad "deterministic output"
fi

# 4. A bare .mlmodel: @model_path is its directory, modelName its stem.
mkdir -p "$work/bare"
cp "$work/tiny.mlpackage/Data/com.apple.CoreML/model.mlmodel" "$work/bare/Tiny.mlmodel"
cp -r "$work/tiny.mlpackage/Data/com.apple.CoreML/weights" "$work/bare/weights"
"$mlcc" compile "$work/bare/Tiny.mlmodel" "$work/bout" >/dev/null 2>&1
if [ $? = 0 ] && [ -f "$work/bout/Tiny.mlmodelc/weights/weight.bin" ] &&
	grep -q 'Tiny' "$work/bout/Tiny.mlmodelc/analytics/coremldata.bin" &&
	grep -q '"generatedClassName" : "Tiny"' "$work/bout/Tiny.mlmodelc/metadata.json"; then
	ok "bare .mlmodel input"
else
	bad "bare .mlmodel input"
fi

# 5. Compiler stamps.
"$mlcc" compile "$work/tiny.mlpackage" "$work/s" --coremlc-version 3500.32.1 >/dev/null 2>&1
if grep -q '{"coremlc-component-MIL", "3500.14.1"}, {"coremlc-version", "3500.32.1"}' \
	"$work/s/tiny.mlmodelc/model.mil"; then
	ok "--coremlc-version selects the stamp and its usual MIL version"
else
	bad "--coremlc-version"
fi
"$mlcc" compile "$work/tiny.mlpackage" "$work/s" --coremlc-version=3500.32.1 --mil-version 3510.2.1 >/dev/null 2>&1
if grep -q '{"coremlc-component-MIL", "3510.2.1"}, {"coremlc-version", "3500.32.1"}' \
	"$work/s/tiny.mlmodelc/model.mil"; then
	ok "--mil-version overrides the MIL component"
else
	bad "--mil-version"
fi
# Eras (model/stamp.c): 3304.6.2 writes no stateSchema; pre-buildinfo names
# no compiler and lists no visionOS; pre-metadata writes neither
# metadata.json nor analytics/.
rm -rf "$work/e"
"$mlcc" compile "$work/tiny.mlpackage" "$work/e/a" --coremlc-version 3304.6.2 >/dev/null 2>&1 &&
	grep -q '"visionOS"' "$work/e/a/tiny.mlmodelc/metadata.json" &&
	! grep -q '"stateSchema"' "$work/e/a/tiny.mlmodelc/metadata.json" &&
	ok "3304.6.2: no stateSchema" || bad "3304.6.2 era"
"$mlcc" compile "$work/tiny.mlpackage" "$work/e/b" --coremlc-version pre-buildinfo >/dev/null 2>&1 &&
	! grep -q 'coremlc-version' "$work/e/b/tiny.mlmodelc/model.mil" &&
	! grep -q '"visionOS"' "$work/e/b/tiny.mlmodelc/metadata.json" &&
	[ -f "$work/e/b/tiny.mlmodelc/analytics/coremldata.bin" ] &&
	ok "pre-buildinfo: no compiler in buildInfo, no visionOS" || bad "pre-buildinfo era"
"$mlcc" compile "$work/tiny.mlpackage" "$work/e/c" --coremlc-version pre-metadata >/dev/null 2>&1 &&
	[ ! -e "$work/e/c/tiny.mlmodelc/metadata.json" ] && [ ! -e "$work/e/c/tiny.mlmodelc/analytics" ] &&
	ok "pre-metadata: no metadata.json, no analytics" || bad "pre-metadata era"
n=$("$mlcc" version --list | grep -c 'corpus\|pairs/\|compiled/\|mil-text/')
[ "$n" -eq "$("$mlcc" version --list | tail -n +2 | wc -l)" ] && [ "$n" -eq 13 ] &&
	ok "version --list: 13 stamps, each with its corpus evidence" || bad "version --list ($n)"

# 6. Usage errors: exit 2 and a clear line.
expect_usage() {
	name=$1
	want=$2
	shift 2
	"$mlcc" "$@" >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(head -1 "$work/err")" = "$want" ]; then
		ok "$name"
	else
		bad "$name (exit $rc: $(head -1 "$work/err"))"
	fi
}
expect_usage "unknown compiler version" \
	"mlcc: error: unknown --coremlc-version '9.9.9' (known: pre-metadata, pre-buildinfo, 1436.100.10, 1877.40.3, 1877.50.1, 3304.6.2, 3401.4.1, 3402.4.1, 3404.23.1, 3500.32.1, 3520.5.1, 3600.22.1, 3600.25.1)" \
	compile "$work/tiny.mlpackage" "$work/u" --coremlc-version 9.9.9
expect_usage "MIL version without a compiler" \
	"mlcc: error: --mil-version '1.2.3' needs a compiler version: 'pre-buildinfo' output names no compiler" \
	compile "$work/tiny.mlpackage" "$work/u" --coremlc-version pre-buildinfo --mil-version 1.2.3
expect_usage "version takes only --list" "mlcc: version takes only --list, not 'x'" version x
expect_usage "missing arguments" "mlcc: compile needs IN and OUTDIR" compile "$work/tiny.mlpackage"
expect_usage "unknown option" "mlcc: unknown option or missing value: --frobnicate" \
	compile "$work/tiny.mlpackage" "$work/u" --frobnicate
expect_usage "unknown command" "mlcc: unknown command: frobnicate" frobnicate
expect_usage "no command" "mlcc: missing command"
[ ! -e "$work/u" ] && ok "usage errors write nothing" || bad "usage errors write nothing"

if "$mlcc" --help | grep -q '^usage: mlcc compile IN OUTDIR' && "$mlcc" version | grep -q '^mlcc '; then
	ok "--help and version"
else
	bad "--help and version"
fi

finish
