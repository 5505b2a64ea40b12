#!/bin/sh
# test_coremlcompiler.sh MLCC MKPKG -- mlcc under Apple's names: the
# coremlcompiler/coremlc argv forms and the xcrun shim (build-tree shims/
# beside MLCC).  The bundle must be byte-identical to `mlcc compile`'s.
mlcc=$1
mkpkg=$2
shims=$(cd "$(dirname "$mlcc")/shims" && pwd)
. "$(dirname "$0")/lib.sh"
setup coremlc

"$mkpkg" "$work/X.mlpackage"
"$mlcc" compile "$work/X.mlpackage" "$work/ref" >/dev/null || bad "reference compile"

# coremlcompiler compile with every Xcode option, through the symlink
out=$("$shims/coremlcompiler" compile "$work/X.mlpackage" "$work/c1" \
	--add-mlprogram-if-eligible force --platform ios --deployment-target 18.0 \
	--sdkroot /nonexistent --container bundle-resources \
	--output-partial-info-plist "$work/partial.plist")
if [ $? = 0 ] && [ "$out" = "$work/c1/X.mlmodelc" ] &&
	diff -r "$work/ref/X.mlmodelc" "$work/c1/X.mlmodelc" >/dev/null; then
	ok "coremlcompiler compile: same bytes as mlcc compile"
else
	bad "coremlcompiler compile"
fi
if grep -q '^<plist version="1.0">$' "$work/partial.plist" && grep -q '^<dict/>$' "$work/partial.plist"; then
	ok "--output-partial-info-plist writes an empty-dict plist"
else
	bad "partial plist"
fi
"$shims/coremlc" compile "$work/X.mlpackage" "$work/c2" --add-mlprogram-if-eligible disable >/dev/null &&
	diff -r "$work/ref/X.mlmodelc" "$work/c2/X.mlmodelc" >/dev/null &&
	ok "coremlc compile" || bad "coremlc compile"
# One N.N.N only (ANEMLL's check_dependencies.sh greps every one of them).
v=$("$shims/coremlcompiler" version)
[ "$v" = "coremlc version $("$mlcc" version --list | tail -1 | cut -d' ' -f1)" ] &&
	[ "$(printf '%s\n' "$v" | grep -o '[0-9]\+\.[0-9]\+\.[0-9]\+' | wc -l)" -eq 1 ] &&
	ok "version: one compiler version, the newest stamp" || bad "version: '$v'"
MLCC_COREMLC_VERSION=3500.32.1 "$shims/coremlcompiler" compile "$work/X.mlpackage" "$work/c3" >/dev/null &&
	grep -q '"coremlc-version", "3500.32.1"' "$work/c3/X.mlmodelc/model.mil" &&
	ok "MLCC_COREMLC_VERSION selects the stamp" || bad "stamp from the environment"

expect2() {
	name=$1
	want=$2
	shift 2
	"$@" >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc = 2 ] && [ "$(head -1 "$work/err")" = "$want" ]; then
		ok "$name"
	else
		bad "$name (exit $rc): $(head -1 "$work/err")"
	fi
}
expect2 "unknown option" "coremlcompiler: error: unknown option '--frob'" \
	"$shims/coremlcompiler" compile "$work/X.mlpackage" "$work/u" --frob
expect2 "bad --add-mlprogram-if-eligible" \
	"coremlcompiler: error: --add-mlprogram-if-eligible takes force, disable or auto, not 'always'" \
	"$shims/coremlcompiler" compile "$work/X.mlpackage" "$work/u" --add-mlprogram-if-eligible always
expect2 "generate is refused" \
	"coremlcompiler: error: 'generate' (Swift/Objective-C model classes) is not supported by mlcc" \
	"$shims/coremlcompiler" generate "$work/X.mlpackage" "$work/u"
[ ! -e "$work/u" ] && ok "errors write nothing" || bad "errors wrote output"
"$shims/coremlcompiler" compile "$work/none.mlpackage" "$work/u" >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "^coremlcompiler: error: $work/none.mlpackage: cannot open model" "$work/err" &&
	ok "a failed compile exits 1" || bad "failed compile: $(cat "$work/err")"

# the xcrun shim, first in PATH
out=$(PATH="$shims:$PATH" xcrun coremlcompiler compile "$work/X.mlpackage" "$work/x1")
if [ $? = 0 ] && diff -r "$work/ref/X.mlmodelc" "$work/x1/X.mlmodelc" >/dev/null; then
	ok "xcrun coremlcompiler compile: same bytes as mlcc compile"
else
	bad "xcrun coremlcompiler compile"
fi
PATH="$shims:$PATH" xcrun -sdk macosx coremlc compile "$work/X.mlpackage" "$work/x2" >/dev/null &&
	diff -r "$work/ref/X.mlmodelc" "$work/x2/X.mlmodelc" >/dev/null && ok "xcrun -sdk macosx coremlc" ||
	bad "xcrun -sdk macosx coremlc"
[ "$(PATH="$shims:$PATH" xcrun --find coremlcompiler)" = "$shims/coremlcompiler" ] &&
	ok "xcrun --find coremlcompiler" || bad "xcrun --find"
PATH="$shims:$PATH" xcrun coremlcompiler version | grep -q '^coremlc version' && ok "xcrun coremlcompiler version" ||
	bad "xcrun coremlcompiler version"
PATH="$shims:$PATH" xcrun clang --version >/dev/null 2>"$work/err"
rc=$?
if [ $rc = 72 ] && [ "$(head -1 "$work/err")" = 'xcrun: error: unable to find utility "clang", not a developer tool or in PATH' ]; then
	ok "xcrun refuses other tools (exit 72)"
else
	bad "xcrun other tool (exit $rc): $(cat "$work/err")"
fi
PATH="$shims:$PATH" xcrun --find swift >/dev/null 2>&1
[ $? = 72 ] && ok "xcrun --find of another tool" || bad "xcrun --find other"

finish
