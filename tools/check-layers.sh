#!/bin/sh
# tools/check-layers.sh SRCDIR -- the module structure of src/ holds:
#   1. a module (a folder of src/) includes only the modules below it in
#      the table (so no include cycle between modules can exist);
#   2. only cli/ has programs: no file of src/ defines main() or reads argv;
#   3. the repository cites its own specification (docs/spec/), never
#      documents outside the repository (the shared corpus docs).
# Modules and what each may use (besides itself, base/diag.h's mlccint.h
# and the public include/mlcc.h):
set -eu
src=${1:?usage: check-layers.sh SRCDIR}
cd "$src/src"

allowed() {
	case $1 in
	base) echo "" ;;
	kernels) echo "base" ;;
	chat) echo "base" ;;
	model) echo "base" ;;
	spec) echo "base model" ;;
	mil) echo "base model" ;;
	package) echo "base model spec" ;;
	bundle) echo "base model spec mil package" ;;
	load) echo "base model spec mil package bundle" ;;
	ops) echo "base model" ;;
	runtime) echo "base kernels model spec mil package bundle load" ;;
	api) echo "base kernels model spec mil package bundle load ops runtime" ;;
	*) echo "UNKNOWN" ;;
	esac
}

fails=0
for dir in */; do
	mod=${dir%/}
	ok=$(allowed "$mod")
	if [ "$ok" = UNKNOWN ]; then
		echo "FAIL: src/$mod is not in the module table of tools/check-layers.sh"
		fails=$((fails + 1))
		continue
	fi
	for f in $(find "$mod" -name '*.[ch]' | sort); do
		for used in $(sed -n 's/^#include "\([a-z_]*\)\/.*"/\1/p' "$f" | sort -u); do
			[ "$used" = "$mod" ] && continue
			case " $ok " in
			*" $used "*) ;;
			*)
				echo "FAIL: src/$f includes $used/, which $mod/ may not use (allowed: ${ok:-none})"
				fails=$((fails + 1))
				;;
			esac
		done
	done
done
# Programs live in cli/ only.
if grep -rlE '^(int|static int) main\(|\bargv\b' --include='*.c' . >/tmp/layers.$$ 2>/dev/null; then
	while read -r f; do
		echo "FAIL: src/${f#./} defines main() or reads argv: programs belong in cli/"
		fails=$((fails + 1))
	done </tmp/layers.$$
fi
rm -f /tmp/layers.$$
cd ..
pat="shared""/docs" # spelled in two parts, so that this file does not match
for f in $(grep -rl "$pat" --exclude-dir=.git --exclude-dir='build*' . 2>/dev/null); do
	echo "FAIL: ${f#./} cites ../$pat: cite docs/spec/ instead"
	fails=$((fails + 1))
done
cd src
n=$(ls -d */ | wc -l)
if [ "$fails" = 0 ]; then
	echo "layers: $n modules, every include goes down the table, no program in src/, no citation outside docs/spec"
	exit 0
fi
echo "layers: $fails problem(s)"
exit 1
