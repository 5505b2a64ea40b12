#!/bin/sh
# test_help.sh MLCC MKPKG -- `mlcc help COMMAND` is man/mlcc.1: for every
# command of the page's COMMANDS section, the options `mlcc help` shows
# are exactly those of the page's source, and every option the program's
# own usage lists for a command is in the page.  The man pages pass
# `mandoc -T lint` (when mandoc is present) and render with `man -l`.
mlcc=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
setup help
page=$src/man/mlcc.1

# Options of subsection CMD in the mdoc source: every "Fl -x" of its .It lines.
man_opts() {
	awk -v c="$1" '/^\.S[sh] / { on = ($0 == ".Ss " c) ; next } on && /^\.It / { print }' "$page" |
		grep -o 'Fl -*[a-z][a-z-]*' | sed 's/^Fl /-/' | sort -u
}
# Options `mlcc help CMD` shows: its option lines (a list item: after a
# blank line, starting with '-'), at their start or after ", ".
help_opts() {
	"$mlcc" help "$1" | awk '/^  -/ && prev == "" { print } { prev = $0 }' |
		grep -oE -- '(^  |, )-{1,2}[a-z][a-z-]*' | sed 's/^[ ,]*//' | sort -u
}
# Options of CMD in the program's usage (mlcc --help), continuation lines included.
usage_opts() {
	"$mlcc" --help | awk -v c="$1" '
		/^(usage:)? *mlcc / { on = ($0 ~ ("mlcc " c "( |$)")) }
		/^$/ { on = 0 }
		on { print }' | grep -o -- ' \[*-\{1,2\}[a-z][a-z-]*' | tr -d ' [' | sort -u
}

cmds=$(sed -n 's/^\.Ss //p' "$page")
[ -n "$cmds" ] || bad "no subsections in $page"
for c in $cmds; do
	"$mlcc" help "$c" >"$work/out" 2>&1
	rc=$?
	first=$(head -1 "$work/out")
	[ $rc = 0 ] && [ "$first" = "$c" ] && grep -q "^  mlcc $c" "$work/out" &&
		ok "mlcc help $c" || bad "mlcc help $c (exit $rc): $(head -3 "$work/out")"
	want=$(man_opts "$c")
	got=$(help_opts "$c")
	[ "$want" = "$got" ] && ok "help $c: options as in the man page ($(echo $want))" ||
		bad "help $c options: man [$(echo $want)] help [$(echo $got)]"
done
# The compile page really lists the compile options.
[ "$(man_opts compile | tr '\n' ' ')" = "--coremlc-version --json --link --mil-version --quiet " ] &&
	ok "compile: the five options" || bad "compile options: $(man_opts compile | tr '\n' ' ')"

# Every option the program takes (its usage) is documented.
for c in $("$mlcc" --help | sed -n 's/^\(usage:\)\{0,1\} *mlcc \([a-z]*\).*/\2/p' | sort -u); do
	missing=$(usage_opts "$c" | while read -r o; do man_opts "$c" | grep -qx -- "$o" || echo "$o"; done)
	if ! grep -q "^\.Ss $c\$" "$page"; then
		bad "command $c (in mlcc --help) has no subsection in man/mlcc.1"
	elif [ -z "$missing" ]; then
		ok "usage of $c: every option in the man page"
	else
		bad "usage of $c: not in the man page: $(echo $missing)"
	fi
done

"$mlcc" help compile >"$work/a"
"$mlcc" compile --help >"$work/b"
[ $? = 0 ] && cmp -s "$work/a" "$work/b" && ok "mlcc compile --help = mlcc help compile" ||
	bad "compile --help: $(head -3 "$work/b")"

"$mlcc" help nosuch >"$work/out" 2>"$work/err"
[ $? = 2 ] && [ "$(head -1 "$work/err")" = "mlcc: no help for 'nosuch' (mlcc help: every command)" ] &&
	ok "help of an unknown command: exit 2" || bad "help nosuch: $(cat "$work/err")"

# mlcc.3 has a synopsis line for every function of the public header.
api=$(grep -o 'MLCC_API[^(]*mlcc_[a-z0-9_]*(' "$src/include/mlcc.h" | grep -o 'mlcc_[a-z0-9_]*($' |
	tr -d '(' | sort -u)
undocumented=$(for f in $api; do grep -q "^\.Fn $f " "$src/man/mlcc.3" || echo "$f"; done)
[ -n "$api" ] && [ -z "$undocumented" ] && ok "mlcc.3: all $(echo "$api" | wc -l) functions of mlcc.h" ||
	bad "mlcc.3 lacks: $(echo $undocumented)"

if command -v mandoc >/dev/null 2>&1; then
	for p in "$src"/man/*.[13]; do
		mandoc -T lint -W warning "$p" >"$work/lint" 2>&1 && ok "mandoc -T lint $(basename "$p")" ||
			bad "lint $(basename "$p"): $(head -3 "$work/lint")"
	done
fi
if command -v man >/dev/null 2>&1; then
	MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q 'mlcc compile \[options\] in outdir' &&
		ok "man -l man/mlcc.1 renders" || bad "man -l man/mlcc.1"
fi
finish
