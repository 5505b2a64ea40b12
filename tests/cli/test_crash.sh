#!/bin/sh
# test_crash.sh MLCC MKPKG -- output stays whole when things go wrong:
#  - kill -9 in the middle of a large weight copy leaves no bundle at the
#    target, never damages an existing one, and the next run removes the
#    dead run's temporary directory;
#  - concurrent compiles to one output end with one complete bundle;
#  - a full disk and a read-only file system fail cleanly (small tmpfs
#    mounts in a private mount namespace; skipped where unshare is refused).
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup crash

# tree DIR: every file under DIR with its checksum, for before/after checks.
tree() { (cd "$1" && find . -type f -exec cksum {} + | sort); }

# temps DIR: temporary directories of mlcc in DIR.
temps() { ls -A "$1" | grep '\.mlcc-tmp-' ; }

# dense FILE SIZE: extend FILE to SIZE bytes with written zeros (not a
# hole: mlcc copies holes as holes, which would take no time and no space).
dense() { head -c $(($2 - $(stat -c %s "$1"))) /dev/zero >>"$1"; }

# A package whose weight file is 512 MiB of data.
big=$work/m.mlpackage
"$mkpkg" "$big"
dense "$big/Data/com.apple.CoreML/weights/weight.bin" $((512 * 1024 * 1024))
small=$work/small/m.mlpackage
"$mkpkg" "$small"

# kill_mid_copy OUT: start a compile of $big into OUT, SIGKILL it once its
# temporary weight file exists and is still short.  Sets $partial to that
# file's size at the moment of the kill ("" when never seen).
kill_mid_copy() {
	"$mlcc" compile "$big" "$1" --quiet >/dev/null 2>&1 &
	pid=$!
	partial=
	i=0
	while [ $i -lt 1000 ] && kill -0 $pid 2>/dev/null; do
		f=$(ls "$1"/.m.mlmodelc.mlcc-tmp-*/weights/weight.bin 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			kill -STOP $pid
			partial=$(stat -c %s "$f")
			kill -KILL $pid
			break
		fi
		sleep 0.01
		i=$((i + 1))
	done
	wait $pid 2>/dev/null
}

full=$((512 * 1024 * 1024))

# 1. No bundle before: none after, a recognisable temporary left.
out=$work/k1
mkdir -p "$out"
kill_mid_copy "$out"
if [ -z "$partial" ] || [ "$partial" -ge "$full" ]; then
	bad "kill -9: the copy was not caught in progress (size ${partial:-none})"
elif [ -e "$out/m.mlmodelc" ]; then
	bad "kill -9 during the copy left a bundle at the target"
elif [ -z "$(temps "$out")" ]; then
	bad "kill -9: no temporary directory left to recognise"
else
	ok "kill -9 during the weight copy ($partial of $full bytes): no bundle at the target"
fi

# The next run removes the dead run's temporary and writes a whole bundle.
if "$mlcc" compile "$big" "$out" --quiet --link hard >/dev/null 2>"$work/err" &&
	[ -z "$(temps "$out")" ] &&
	[ "$(stat -c %s "$out/m.mlmodelc/weights/weight.bin")" = "$full" ]; then
	ok "the next run removes the stale temporary and completes"
else
	bad "next run after kill -9: $(cat "$work/err"); left: $(ls -A "$out")"
fi

# 2. An existing bundle survives a killed compile byte for byte.
out=$work/k2
"$mlcc" compile "$small" "$out" --quiet >/dev/null
before=$(tree "$out/m.mlmodelc")
kill_mid_copy "$out"
after=$(tree "$out/m.mlmodelc")
if [ -n "$partial" ] && [ "$partial" -lt "$full" ] && [ "$before" = "$after" ]; then
	ok "kill -9 during the copy leaves the existing bundle untouched"
else
	bad "existing bundle after kill -9 (killed at ${partial:-none} bytes)"
fi

# 3. Concurrent compiles to one output: all succeed, one complete bundle.
ref=$work/ref
mid=$work/mid.mlpackage
"$mkpkg" "$mid"
dense "$mid/Data/com.apple.CoreML/weights/weight.bin" $((64 * 1024 * 1024))
"$mlcc" compile "$mid" "$ref" --quiet >/dev/null
out=$work/conc
pids=
for i in 1 2 3 4; do
	"$mlcc" compile "$mid" "$out" --quiet >/dev/null 2>"$work/conc-$i.err" &
	pids="$pids $!"
done
rcs=
for p in $pids; do
	wait "$p"
	rcs="$rcs$?"
done
if [ "$rcs" = 0000 ] && [ "$(ls -A "$out")" = mid.mlmodelc ] &&
	diff -r "$ref/mid.mlmodelc" "$out/mid.mlmodelc" >/dev/null; then
	ok "4 concurrent compiles to one output: one complete bundle"
else
	bad "concurrent compiles: exits $rcs, output: $(ls -A "$out"); $(cat "$work"/conc-*.err)"
fi

# 4 and 5 need a small file system of our own.
cat >"$work/fs.sh" <<'EOS'
# Run inside a private mount namespace: $1 mlcc, $2 work directory.
mlcc=$1
work=$2
mnt=$work/mnt
mkdir -p "$mnt"
mount -t tmpfs -o size=1m tmpfs "$mnt" || exit 77
# An existing small bundle, then a compile whose weights cannot fit.
"$mlcc" compile "$work/small/m.mlpackage" "$mnt/out" --quiet >/dev/null || exit 3
(cd "$mnt/out/m.mlmodelc" && find . -type f -exec cksum {} + | sort) >"$work/before"
"$mlcc" compile "$work/m.mlpackage" "$mnt/out" --quiet >/dev/null 2>"$work/full.err"
echo $? >"$work/full.rc"
(cd "$mnt/out/m.mlmodelc" && find . -type f -exec cksum {} + | sort) >"$work/after"
ls -A "$mnt/out" >"$work/full.left"
df -k "$mnt" | awk 'NR == 2 { print $3 }' >"$work/full.used"
# Read-only: the same file system remounted.
mount -o remount,ro "$mnt" || exit 77
"$mlcc" compile "$work/small/m.mlpackage" "$mnt/ro" --quiet >/dev/null 2>"$work/ro.err"
echo $? >"$work/ro.rc"
"$mlcc" compile "$work/small/m.mlpackage" "$mnt/out" --quiet >/dev/null 2>"$work/ro2.err"
echo $? >"$work/ro2.rc"
exit 0
EOS
in_mount_ns sh "$work/fs.sh" "$mlcc" "$work"
rc=$?
if [ $rc = 77 ]; then
	echo "SKIPPED full-disk and read-only tests: cannot mount a tmpfs here"
elif [ $rc != 0 ]; then
	bad "full-disk setup failed ($rc)"
else
	want="mlcc: error: $work/mnt/out/m.mlmodelc/weights/weight.bin: cannot copy weights: No space left on device"
	if [ "$(cat "$work/full.rc")" = 1 ] && [ "$(cat "$work/full.err")" = "$want" ] &&
		[ "$(cat "$work/full.left")" = m.mlmodelc ] &&
		cmp -s "$work/before" "$work/after"; then
		ok "full disk: clean failure, existing bundle untouched, no temporary left"
	else
		bad "full disk: exit $(cat "$work/full.rc"), left: $(cat "$work/full.left")"
		echo "  stderr: $(cat "$work/full.err")"
		echo "  want:   $want"
	fi
	# What the failed compile wrote was all removed: only the small bundle
	# remains in use (a few KiB).
	[ "$(cat "$work/full.used")" -lt 64 ] &&
		ok "full disk: the space of the failed compile is freed" ||
		bad "full disk: $(cat "$work/full.used") KiB still used"
	want="mlcc: error: $work/mnt/ro: cannot create directory: Read-only file system"
	[ "$(cat "$work/ro.rc")" = 1 ] && [ "$(cat "$work/ro.err")" = "$want" ] &&
		ok "read-only file system, new output directory" ||
		bad "read-only (new directory): $(cat "$work/ro.err") want $want"
	want="mlcc: error: $work/mnt/out: cannot write to the output directory: Read-only file system"
	[ "$(cat "$work/ro2.rc")" = 1 ] && [ "$(cat "$work/ro2.err")" = "$want" ] &&
		ok "read-only file system, existing output directory" ||
		bad "read-only (existing directory): $(cat "$work/ro2.err") want $want"
fi

finish
