#!/bin/sh
# test_link.sh MLCC MKPKG -- how weight files reach the bundle: every link
# mode gives the same bytes; hard links share the inode; reflink fails
# clearly where the file system cannot clone; the progress line appears
# only on a terminal and never with --quiet.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup link

"$mkpkg" "$work/m.mlpackage"
w=$work/m.mlpackage/Data/com.apple.CoreML/weights/weight.bin
"$mlcc" compile "$work/m.mlpackage" "$work/copy" >/dev/null || bad "copy"
for mode in auto hard; do
	"$mlcc" compile "$work/m.mlpackage" "$work/$mode" --link "$mode" >/dev/null &&
		diff -r "$work/copy/m.mlmodelc" "$work/$mode/m.mlmodelc" >/dev/null &&
		ok "--link $mode: same bytes as copy" || bad "--link $mode"
done
[ "$(stat -c %i "$w")" = "$(stat -c %i "$work/hard/m.mlmodelc/weights/weight.bin")" ] &&
	ok "--link hard shares the inode" || bad "hard link inode"
[ "$(stat -c %i "$w")" != "$(stat -c %i "$work/copy/m.mlmodelc/weights/weight.bin")" ] &&
	ok "--link copy does not" || bad "copy shares the inode"

if "$mlcc" compile "$work/m.mlpackage" "$work/reflink" --link reflink >/dev/null 2>"$work/err"; then
	diff -r "$work/copy/m.mlmodelc" "$work/reflink/m.mlmodelc" >/dev/null &&
		ok "--link reflink (file system clones): same bytes" || bad "reflink bytes"
else
	grep -q "cannot clone $w: .* (the file system has no reflinks; use --link copy or hard)$" "$work/err" &&
		[ ! -e "$work/reflink/m.mlmodelc" ] && [ -z "$(ls -A "$work/reflink")" ] &&
		ok "--link reflink fails clearly where the file system cannot clone" ||
		bad "reflink failure: $(cat "$work/err")"
fi

# hard links cannot cross file systems
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -c %d /dev/shm)" != "$(stat -c %d "$work")" ]; then
	shm=$(mktemp -d /dev/shm/mlcc-link-XXXXXX)
	"$mlcc" compile "$work/m.mlpackage" "$shm" --link hard >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "cannot hard-link $w: Invalid cross-device link (--link hard needs the output on the input's file system)$" "$work/err" &&
		[ -z "$(ls -A "$shm")" ]; then
		ok "--link hard across file systems fails clearly, nothing left"
	else
		bad "hard across file systems (exit $rc): $(cat "$work/err")"
	fi
	rm -rf "$shm"
else
	echo "skip --link hard across file systems (no second file system)"
fi

"$mlcc" compile "$work/m.mlpackage" "$work/x" --link symbolic 2>"$work/err" >/dev/null
[ $? = 2 ] && grep -q "^mlcc: --link takes copy, reflink, hard or auto, not 'symbolic'" "$work/err" &&
	ok "unknown --link mode: usage error" || bad "unknown link mode"

# A pipeline: each ML-program child gets the weights (model0/, model1/),
# the top of the bundle none -- whatever the link mode.  (The weights
# directory is copied in a thread into the top first, then moved.)
"$mkpkg" "$work/pipe.mlpackage" --pipeline
pw=$work/pipe.mlpackage/Data/com.apple.CoreML/weights/weight.bin
for mode in copy hard auto; do
	b=$work/pipe-$mode/pipe.mlmodelc
	if "$mlcc" compile "$work/pipe.mlpackage" "$work/pipe-$mode" --link $mode >/dev/null 2>"$work/err" &&
		cmp -s "$pw" "$b/model0/weights/weight.bin" &&
		cmp -s "$pw" "$b/model1/weights/weight.bin" && [ ! -e "$b/weights" ] &&
		[ "$(ls -A "$work/pipe-$mode")" = pipe.mlmodelc ]; then
		ok "pipeline, --link $mode: weights in model0/ and model1/, none at the top"
	else
		bad "pipeline, --link $mode: $(cat "$work/err"); $(cd "$work/pipe-$mode" 2>/dev/null && find . | sort | tr '\n' ' ')"
	fi
done

# progress: > 64 MiB, a terminal on stderr; never without one or with --quiet
truncate -s 80M "$w"
"$mlcc" compile "$work/m.mlpackage" "$work/p1" 2>"$work/err" >/dev/null
[ ! -s "$work/err" ] && ok "no progress without a terminal" || bad "progress without a terminal"
if command -v script >/dev/null 2>&1; then
	script -qec "'$mlcc' compile '$work/m.mlpackage' '$work/p2'" /dev/null >"$work/tty" 2>&1
	grep -q 'weight.bin  80 / 80 MiB (100%)' "$work/tty" && ok "progress line on a terminal" ||
		bad "progress on a terminal: $(cat -v "$work/tty")"
	script -qec "'$mlcc' compile '$work/m.mlpackage' '$work/p3' --quiet" /dev/null >"$work/tty" 2>&1
	! grep -q 'MiB/s' "$work/tty" && ok "--quiet: no progress line" || bad "--quiet progress"
else
	echo "skip progress on a terminal (no script(1))"
fi

finish
