#!/bin/sh
# test_classes.sh MLCC MKPKG -- one case or more per class of hostile input
# and careless use (docs/RELIABILITY.md): files that are not regular files
# (FIFOs, devices, directories), symlinks out of the model, symlink loops,
# outputs that overlap inputs, signals in the middle of a copy, too few
# descriptors, failed runs into new directories, side outputs that cannot
# be written, empty paths, and costs that a hostile size could blow up
# (memory at 2M operations, sparse weights, 40k weight files).
#
# Every command runs under `timeout 20` (120 for the big cases): a hang is
# a failure (exit 124), never a stuck test.  Each case checks the exact
# message, the exit status and what is left behind.  The cost cases need
# $MLCC_PEAKRSS (tests/support/peakrss.c, set by tests/CMakeLists.txt).
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup classes
spec=Data/com.apple.CoreML/model.mlmodel
wdir=Data/com.apple.CoreML/weights
bindir=$(dirname "$mlcc")
cm=$bindir/compile_models
coremlc=$(cd "$bindir/shims" && pwd)/coremlcompiler
# Under `make test-valgrind` MLCC is a wrapper script: the cases that
# measure the process itself (descriptors, memory, CPU time) are skipped.
wrapped=
[ "$(head -c 2 "$mlcc")" = "#!" ] && wrapped=1

# run NAME RC WANT CMD...: CMD (under timeout 20) exits with RC and prints
# exactly WANT on stderr.
run() {
	name=$1
	want_rc=$2
	want=$3
	shift 3
	timeout 20 "$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	if [ "$rc" = "$want_rc" ] && [ "$got" = "$want" ]; then
		ok "$name"
	else
		bad "$name"
		echo "  exit:   $rc (want $want_rc)"
		echo "  stderr: $got"
		echo "  want:   $want"
	fi
}

# empty NAME DIR: DIR holds nothing (no bundle, no temporary).
empty() {
	left=$(ls -A "$2" 2>/dev/null)
	[ -z "$left" ] && ok "$1: nothing left behind" || bad "$1: left behind: $left"
}

# gone NAME PATH: PATH does not exist.
gone() { [ ! -e "$2" ] && ok "$1" || bad "$1: $2 exists: $(ls -A "$2" 2>&1)"; }

# mk NAME [MKPKG-OPTIONS...]: $p is a fresh package.
mk() {
	p=$work/$1.mlpackage
	shift
	"$mkpkg" "$p" "$@" || bad "mkpkg $*"
}

# A good package and its bundle, the material of the bundle cases.
mk good
"$mlcc" compile "$p" "$work/gb" --quiet >/dev/null || bad "compile the good package"
good=$work/gb/good.mlmodelc

# bundle NAME: $b is a fresh copy of the good bundle.
bundle() {
	b=$work/$1.mlmodelc
	cp -r "$good" "$b"
}

# --- 1. not a regular file: FIFOs, devices, directories ---------------------
# (before: open() or read() waited forever on a FIFO, or read /dev/zero
# without end)

mk fifoman
rm "$p/Manifest.json" && mkfifo "$p/Manifest.json"
run "FIFO as Manifest.json (compile)" 1 "mlcc: error: $p/Manifest.json: is a FIFO, not a regular file" \
	"$mlcc" compile "$p" "$work/o1"
gone "FIFO as Manifest.json: no output directory" "$work/o1"
run "FIFO as Manifest.json (inspect)" 1 "mlcc: error: $p/Manifest.json: is a FIFO, not a regular file" \
	"$mlcc" inspect "$p"

mk fifospec
rm "$p/$spec" && mkfifo "$p/$spec"
run "FIFO as model.mlmodel (compile)" 1 "mlcc: error: $p/$spec: is a FIFO, not a regular file" \
	"$mlcc" compile "$p" "$work/o1"

mk fifow
rm "$p/$wdir/weight.bin" && mkfifo "$p/$wdir/weight.bin"
run "FIFO as a weight file (compile)" 1 "mlcc: error: $p/$wdir/weight.bin: is a FIFO, not a regular file" \
	"$mlcc" compile "$p" "$work/o1"
run "FIFO as a weight file (inspect)" 1 \
	"mlcc: error: $p/$spec: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: is a FIFO, not a regular file" \
	"$mlcc" inspect "$p"

mk dirman
rm "$p/Manifest.json" && mkdir "$p/Manifest.json"
run "directory as Manifest.json" 1 "mlcc: error: $p/Manifest.json: is a directory, not a regular file" \
	"$mlcc" compile "$p" "$work/o1"

bundle fifomil
rm "$b/model.mil" && mkfifo "$b/model.mil"
run "FIFO as model.mil (decompile)" 1 "mlcc: error: $b/model.mil: is a FIFO, not a regular file" \
	"$mlcc" decompile "$b" "$work/x1.mlpackage"
gone "FIFO as model.mil: no package written" "$work/x1.mlpackage"
run "FIFO as model.mil (inspect)" 1 "mlcc: error: $b/model.mil: is a FIFO, not a regular file" \
	"$mlcc" inspect "$b"

bundle fifometa
rm "$b/metadata.json" && mkfifo "$b/metadata.json"
run "FIFO as metadata.json (decompile)" 1 "mlcc: error: $b/metadata.json: is a FIFO, not a regular file" \
	"$mlcc" decompile "$b" "$work/x1.mlpackage"
run "FIFO as metadata.json (inspect)" 1 "mlcc: error: $b/metadata.json: is a FIFO, not a regular file" \
	"$mlcc" inspect "$b"

bundle fifoan
rm "$b/analytics/coremldata.bin" && mkfifo "$b/analytics/coremldata.bin"
run "FIFO as analytics/coremldata.bin (decompile)" 1 \
	"mlcc: error: $b/analytics/coremldata.bin: is a FIFO, not a regular file" \
	"$mlcc" decompile "$b" "$work/x1.mlpackage"

mkfifo "$work/fifo.mil"
run "FIFO as the MIL file (assemble)" 1 "mlcc: error: $work/fifo.mil: is a FIFO, not a regular file" \
	"$mlcc" assemble "$work/fifo.mil" -o "$work/x2.mlpackage"

# A FIFO named like a stale temporary in OUTDIR (before: the cleanup's open() hung).
mkdir -p "$work/ostale"
mkfifo "$work/ostale/.good.mlmodelc.mlcc-tmp-AbCdEf"
run "FIFO named like a stale temporary in OUTDIR" 0 "" \
	"$mlcc" compile "$work/good.mlpackage" "$work/ostale" --quiet
[ -f "$work/ostale/good.mlmodelc/coremldata.bin" ] && ok "... and the bundle is written" ||
	bad "FIFO stale name: no bundle"

mk zero
rm "$p/$wdir/weight.bin" && ln -s /dev/zero "$p/$wdir/weight.bin"
run "weight file a symlink to /dev/zero" 1 "mlcc: error: $p/$wdir/weight.bin: leaves the package (symlink)" \
	"$mlcc" compile "$p" "$work/o1"

# diff compares the files of two bundles: a device is unreadable, not read.
bundle dz1
ln -s /dev/zero "$b/README"
bundle dz2
ln -s /dev/zero "$b/README"
timeout 20 "$mlcc" diff "$work/dz1.mlmodelc" "$work/dz2.mlmodelc" >"$work/stdout" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -qx '  unreadable README' "$work/stdout"; then
	ok "diff: README -> /dev/zero in both bundles is unreadable, not read"
else
	bad "diff with README -> /dev/zero: exit $rc: $(cat "$work/stdout")"
fi

# --- 2. symlinks out of the model -------------------------------------------
# (checked on the descriptor opened, not on the name)

mk manout
cp "$p/Manifest.json" "$work/outside.json"
rm "$p/Manifest.json" && ln -s "$work/outside.json" "$p/Manifest.json"
run "Manifest.json a symlink out of the package" 1 "mlcc: error: $p/Manifest.json: leaves the package (symlink)" \
	"$mlcc" compile "$p" "$work/o1"

bundle wout
ln -s /etc/passwd "$b/weights/x"
run "decompile: weights/x -> /etc/passwd" 1 "mlcc: error: $b/weights/x: leaves the package (symlink)" \
	"$mlcc" decompile "$b" "$work/x3.mlpackage"
gone "decompile of weights/x -> /etc/passwd: no package" "$work/x3.mlpackage"

bundle milout
cp "$b/model.mil" "$work/outside.mil"
rm "$b/model.mil" && ln -s "$work/outside.mil" "$b/model.mil"
run "bundle model.mil a symlink out (decompile)" 1 "mlcc: error: $b/model.mil: leaves the package (symlink)" \
	"$mlcc" decompile "$b" "$work/x4.mlpackage"
run "bundle model.mil a symlink out (inspect)" 1 "mlcc: error: $b/model.mil: leaves the package (symlink)" \
	"$mlcc" inspect "$b"

bundle metaout
cp "$b/metadata.json" "$work/outside-meta.json"
rm "$b/metadata.json" && ln -s "$work/outside-meta.json" "$b/metadata.json"
run "bundle metadata.json a symlink out" 1 "mlcc: error: $b/metadata.json: leaves the package (symlink)" \
	"$mlcc" inspect "$b"

mkdir -p "$work/aw"
ln -s /etc/passwd "$work/aw/x.bin"
printf 'program(1.0)\n[buildInfo = dict<string, string>({})]\n{\n    func main<ios15>(tensor<fp32, [1]> x) {\n        tensor<fp32, [1]> y = relu(x = x)[name = string("y")];\n    } -> (y);\n}\n' >"$work/a.mil"
run "assemble --weights DIR with x.bin -> /etc/passwd" 1 "mlcc: error: $work/aw/x.bin: leaves the package (symlink)" \
	"$mlcc" assemble "$work/a.mil" --weights "$work/aw" -o "$work/aw.mlpackage"
gone "assemble with a weight linked out: no package" "$work/aw.mlpackage"

# The race: a file listed as a regular file inside the package, swapped
# (for a symlink out, or a FIFO) while an earlier file is being copied.  The
# copier opens each file itself and judges the descriptor, so the swap is
# caught (before: the symlink's target was copied, exit 0).
echo "secret outside the package" >"$work/secret"
# swap_mid_copy NAME HOW: compile a package whose weights/a.bin (256 MiB of
# data) is copied before weights/z.bin; once a.bin's copy has started,
# z.bin becomes HOW ("link" -> $work/secret, "fifo").
swap_mid_copy() {
	mk "$1"
	head -c $((256 * 1024 * 1024)) /dev/zero >"$p/$wdir/a.bin"
	echo "inside" >"$p/$wdir/z.bin"
	"$mlcc" compile "$p" "$work/o-$1" --quiet >/dev/null 2>"$work/err-$1" &
	pid=$!
	caught=
	i=0
	while [ $i -lt 2000 ] && kill -0 $pid 2>/dev/null; do
		if ls "$work/o-$1"/.$1.mlmodelc.mlcc-tmp-*/weights/a.bin >/dev/null 2>&1; then
			kill -STOP $pid
			rm "$p/$wdir/z.bin"
			if [ "$2" = link ]; then ln -s "$work/secret" "$p/$wdir/z.bin"; else mkfifo "$p/$wdir/z.bin"; fi
			caught=1
			kill -CONT $pid
			break
		fi
		sleep 0.005
		i=$((i + 1))
	done
	reap
}

# reap: wait for $pid at most 20 s, then kill it (a hang is status 124);
# sets $status.
reap() {
	if timeout 20 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done"; then
		wait $pid
		status=$?
	else
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		status=124
	fi
}
swap_mid_copy swaplink link
want="mlcc: error: $p/$wdir/z.bin: leaves the package (symlink)"
if [ -z "$caught" ]; then
	bad "swap to a symlink mid-copy: the copy was not caught in progress"
elif [ "$status" = 1 ] && [ "$(cat "$work/err-swaplink")" = "$want" ] && [ -z "$(ls -A "$work/o-swaplink" 2>/dev/null)" ]; then
	ok "z.bin swapped for a symlink out after the listing: refused, nothing written"
else
	bad "swap to a symlink mid-copy: exit $status: $(cat "$work/err-swaplink"); left: $(ls -A "$work/o-swaplink" 2>&1)"
fi
swap_mid_copy swapfifo fifo
want="mlcc: error: $p/$wdir/z.bin: is a FIFO, not a regular file"
if [ -z "$caught" ]; then
	bad "swap to a FIFO mid-copy: the copy was not caught in progress"
elif [ "$status" = 1 ] && [ "$(cat "$work/err-swapfifo")" = "$want" ] && [ -z "$(ls -A "$work/o-swapfifo" 2>/dev/null)" ]; then
	ok "z.bin swapped for a FIFO after the listing: refused, no hang"
else
	bad "swap to a FIFO mid-copy: exit $status: $(cat "$work/err-swapfifo"); left: $(ls -A "$work/o-swapfifo" 2>&1)"
fi
rm -f "$work"/swap*.mlpackage/$wdir/a.bin

# A symlink that stays inside is followed.
mk linkin
ln -s weight.bin "$p/$wdir/alias.bin"
if timeout 20 "$mlcc" compile "$p" "$work/o5" --quiet >/dev/null 2>"$work/err" &&
	cmp -s "$p/$wdir/weight.bin" "$work/o5/linkin.mlmodelc/weights/alias.bin"; then
	ok "a symlink inside the package is followed (its file copied)"
else
	bad "symlink inside the package: $(cat "$work/err")"
fi

# --- 3. symlink loops ---------------------------------------------------------

mk wloop
ln -s . "$p/$wdir/loop"
run "weights/loop -> . (compile)" 1 \
	"mlcc: error: $p/$wdir/loop: leads back to a directory already listed (symlink loop)" \
	"$mlcc" compile "$p" "$work/o1"

mkdir -p "$work/tree/sub"
"$mkpkg" "$work/tree/sub/m.mlpackage"
ln -s . "$work/tree/a"
ln -s . "$work/tree/b"
ln -s .. "$work/tree/sub/up"
timeout 20 "$cm" all --input "$work/tree" --output "$work/o6" --recursive >"$work/stdout" 2>&1
rc=$?
real=$(cd "$work/tree" && pwd -P)
if [ "$rc" = 0 ] && grep -qx "Found 1 .mlpackage files under $real" "$work/stdout" &&
	[ "$(grep -c 'symlink loop); skipped$' "$work/stdout")" = 3 ] &&
	[ -f "$work/o6/m.mlmodelc/coremldata.bin" ]; then
	ok "compile_models all --recursive over a -> ., b -> ., sub/up -> ..: 3 loops skipped, 1 package"
else
	bad "compile_models over symlink loops: exit $rc: $(cat "$work/stdout")"
fi

# --- 4. outputs that overlap inputs -------------------------------------------

bundle self
tree() { (cd "$1" && find . -type f -exec cksum {} + | sort); }
before=$(tree "$b")
run "decompile X.mlmodelc X.mlmodelc" 2 "mlcc: error: $b: the output is the input '$b'" \
	"$mlcc" decompile "$b" "$b"
run "decompile X.mlmodelc X.mlmodelc/y.mlpackage" 2 \
	"mlcc: error: $b/y.mlpackage: the output lies inside the input '$b'" \
	"$mlcc" decompile "$b" "$b/y.mlpackage"
[ "$before" = "$(tree "$b")" ] && ok "the bundle given as output is untouched" ||
	bad "decompile onto itself changed the bundle"

mkdir -p "$work/v"
printf 'program(1.0)\n[buildInfo = dict<string, string>({})]\n{\n    func main<ios15>(tensor<fp32, [1]> x) {\n        tensor<fp32, [1]> y = relu(x = x)[name = string("y")];\n    } -> (y);\n}\n' >"$work/v/model.mil"
run "assemble v/model.mil -o v" 2 \
	"mlcc: error: $work/v: the output contains the input '$work/v/model.mil', which it would replace" \
	"$mlcc" assemble "$work/v/model.mil" -o "$work/v"
[ -f "$work/v/model.mil" ] && ok "assemble kept its input" || bad "assemble deleted its input"

mk into
run "compile a package into itself" 2 \
	"mlcc: error: $p/into.mlmodelc: the output lies inside the input '$p'" \
	"$mlcc" compile "$p" "$p"
mkdir -p "$work/o7/cont.mlmodelc"
"$mkpkg" "$work/o7/cont.mlmodelc/cont.mlpackage"
run "compile to a bundle path that contains the input" 2 \
	"mlcc: error: $work/o7/cont.mlmodelc: the output contains the input '$work/o7/cont.mlmodelc/cont.mlpackage', which it would replace" \
	"$mlcc" compile "$work/o7/cont.mlmodelc/cont.mlpackage" "$work/o7"
[ -f "$work/o7/cont.mlmodelc/cont.mlpackage/Manifest.json" ] && ok "the input inside the target is untouched" ||
	bad "compile replaced the directory holding its input"

# --- 5. signals in the middle of a copy ---------------------------------------
# A dense 256 MiB weight (a sparse one copies in no time); the process is
# stopped as soon as its temporary weight file exists, sent the signal, and
# continued: it must remove the temporary (and the directories it made)
# and die of the signal.

mk big
head -c $((256 * 1024 * 1024 - 144)) /dev/zero >>"$p/$wdir/weight.bin"
full=$((256 * 1024 * 1024))

# signal_mid_copy SIG OUTDIR: compile $p into OUTDIR, send SIG mid-copy;
# sets $partial (size of the temporary weight file then) and $status.
signal_mid_copy() {
	# A background job of sh starts with SIGINT ignored, which mlcc keeps
	# (it handles only signals at their default action): reset it.
	perl -e '$SIG{INT} = $SIG{HUP} = $SIG{TERM} = "DEFAULT"; exec @ARGV or die' \
		"$mlcc" compile "$p" "$2" --quiet >/dev/null 2>&1 &
	pid=$!
	partial=
	i=0
	while [ $i -lt 2000 ] && kill -0 $pid 2>/dev/null; do
		f=$(ls "$2"/.big.mlmodelc.mlcc-tmp-*/weights/weight.bin 2>/dev/null | head -n 1)
		if [ -n "$f" ]; then
			kill -STOP $pid
			partial=$(stat -c %s "$f" 2>/dev/null)
			kill -"$1" $pid
			kill -CONT $pid
			break
		fi
		sleep 0.005
		i=$((i + 1))
	done
	reap
}

for sig in TERM:15 INT:2 HUP:1; do
	num=${sig#*:}
	sig=${sig%:*}
	out=$work/sig-$sig/new/a
	signal_mid_copy "$sig" "$out"
	if [ -z "$partial" ] || [ "$partial" -ge "$full" ]; then
		bad "SIG$sig: the copy was not caught in progress (size ${partial:-none})"
	elif [ "$status" != $((128 + num)) ]; then
		bad "SIG$sig: exit status $status, want $((128 + num)) (killed by the signal)"
	elif [ -e "$work/sig-$sig/new" ]; then
		bad "SIG$sig: left behind: $(find "$work/sig-$sig/new")"
	else
		ok "SIG$sig mid-copy ($partial of $full bytes): temporary and new/a removed, died of SIG$sig"
	fi
done

# An existing bundle survives, byte for byte.
"$mlcc" compile "$work/good.mlpackage" "$work/sig-keep" --quiet >/dev/null
mv "$work/sig-keep/good.mlmodelc" "$work/sig-keep/big.mlmodelc"
before=$(tree "$work/sig-keep/big.mlmodelc")
signal_mid_copy TERM "$work/sig-keep"
if [ -n "$partial" ] && [ "$partial" -lt "$full" ] && [ "$before" = "$(tree "$work/sig-keep/big.mlmodelc")" ] &&
	[ "$(ls -A "$work/sig-keep")" = big.mlmodelc ]; then
	ok "SIGTERM mid-copy: the existing bundle is unchanged, no temporary left"
else
	bad "SIGTERM mid-copy over a bundle: partial=${partial:-none}; left: $(ls -A "$work/sig-keep")"
fi

# --- 6. too few descriptors -----------------------------------------------------

if [ -n "$wrapped" ]; then
	echo "skip ulimit -n 5 (mlcc runs in a wrapper that needs descriptors of its own)"
else

mkdir -p "$work/fd5"
(ulimit -n 5 && exec timeout 20 "$mlcc" compile "$work/good.mlpackage" "$work/fd5") >/dev/null 2>"$work/err"
rc=$?
if [ "$rc" = 1 ] && grep -q 'Too many open files$' "$work/err"; then
	ok "ulimit -n 5: exit 1, $(cat "$work/err")"
else
	bad "ulimit -n 5: exit $rc: $(cat "$work/err")"
fi
empty "ulimit -n 5" "$work/fd5"
(ulimit -n 5 && exec timeout 20 "$mlcc" compile "$work/good.mlpackage" "$work/fd5new/a") >/dev/null 2>&1
gone "ulimit -n 5 into a new directory: nothing created" "$work/fd5new"
fi

# --- 7. failed runs into new directories ---------------------------------------

mk undef --undefined
run "failed compile into new/a/b" 1 \
	"mlcc: error: $p/$spec: function 'main': op 'out' (relu): variable 'nope' is never defined" \
	"$mlcc" compile "$p" "$work/new/a/b"
gone "failed compile into new/a/b: new/ removed" "$work/new"
bundle dnew
rm "$b/model.mil"
run "failed decompile into new/a/x.mlpackage" 1 "mlcc: error: $b/model.mil: cannot open: No such file or directory" \
	"$mlcc" decompile "$b" "$work/new2/a/x.mlpackage"
gone "failed decompile into new2/a: new2/ removed" "$work/new2"

# --- 8. side outputs: --output-partial-info-plist -------------------------------

run "partial Info.plist into a missing directory" 1 \
	"coremlcompiler: error: $work/nodir/x.plist: cannot create: No such file or directory" \
	"$coremlc" compile "$work/good.mlpackage" "$work/o8" --output-partial-info-plist "$work/nodir/x.plist"
gone "plist into a missing directory: no bundle, no output directory" "$work/o8"
mkdir -p "$work/o9"
"$mlcc" compile "$work/good.mlpackage" "$work/o9" --quiet >/dev/null
before=$(tree "$work/o9")
run "partial Info.plist into a missing directory, bundle existing" 1 \
	"coremlcompiler: error: $work/nodir/x.plist: cannot create: No such file or directory" \
	"$coremlc" compile "$work/good.mlpackage" "$work/o9" --output-partial-info-plist "$work/nodir/x.plist"
[ "$before" = "$(tree "$work/o9")" ] && [ "$(ls -A "$work/o9")" = good.mlmodelc ] &&
	ok "existing bundle untouched by the failed plist" || bad "failed plist changed $work/o9: $(ls -A "$work/o9")"
if timeout 20 "$coremlc" compile "$work/good.mlpackage" "$work/o10" --output-partial-info-plist "$work/p.plist" >/dev/null 2>"$work/err" &&
	grep -qx '<dict/>' "$work/p.plist" && [ -f "$work/o10/good.mlmodelc/coremldata.bin" ] &&
	[ -z "$(ls -A "$work" | grep 'mlcc-tmp')" ]; then
	ok "partial Info.plist written with the bundle, no temporary left"
else
	bad "partial Info.plist: $(cat "$work/err")"
fi

# --- 9. empty paths --------------------------------------------------------------

run "compile P \"\"" 2 "mlcc: error: compile: the output directory is an empty path" \
	"$mlcc" compile "$work/good.mlpackage" ""
run "compile \"\" OUT" 2 "mlcc: error: compile: the input is an empty path" "$mlcc" compile "" "$work/o1"
run "decompile \"\" OUT" 2 "mlcc: error: decompile: the bundle is an empty path" "$mlcc" decompile "" "$work/x.mlpackage"
run "decompile X \"\"" 2 "mlcc: error: decompile: the output is an empty path" "$mlcc" decompile "$good" ""
run "assemble \"\"" 2 "mlcc: error: assemble: the MIL file is an empty path" "$mlcc" assemble "" -o "$work/x.mlpackage"
run "inspect \"\"" 2 "mlcc: error: the model path is empty" "$mlcc" inspect ""
run "coremlcompiler --output-partial-info-plist \"\"" 2 \
	"coremlcompiler: error: compile: the partial Info.plist is an empty path" \
	"$coremlc" compile "$work/good.mlpackage" "$work/o1" --output-partial-info-plist ""
gone "empty paths: nothing created" "$work/o1"

# --- 10. bounded cost -----------------------------------------------------------

peak=${MLCC_PEAKRSS:-}
if [ -z "$peak" ] || [ ! -x "$peak" ] || [ -n "$wrapped" ]; then
	echo "skip bounded cost cases (MLCC_PEAKRSS not set, or mlcc in a wrapper)"
	finish
	exit $?
fi

# 2M empty operations in a 4 MB specification (before: 410 MB to decode).
perl -e '
	sub v { my $v = shift; my $s = ""; while ($v >= 0x80) { $s .= chr(($v & 0x7f) | 0x80); $v >>= 7 } $s . chr($v) }
	sub f { my ($n, $b) = @_; v(($n << 3) | 2) . v(length $b) . $b }
	my $block = "\x1a\x00" x 2000000;
	my $func = f(2, "CoreML7") . f(3, f(1, "CoreML7") . f(2, $block));
	print "\x08\x08" . f(502, "\x08\x01" . f(2, f(1, "main") . f(2, $func)));
' >"$work/ops.mlmodel"
timeout 120 "$peak" "$work/rss" "$mlcc" compile "$work/ops.mlmodel" "$work/o11" 2>"$work/err" >/dev/null
rc=$?
kib=$(cut -d' ' -f1 "$work/rss")
want="mlcc: error: $work/ops.mlmodel: not a plausible Core ML model: decoding its 4000054 bytes would allocate about 198 MiB, more than 16 times its size (millions of empty messages?)"
if [ "$rc" = 1 ] && [ "$(cat "$work/err")" = "$want" ] && [ "$kib" -lt 65536 ]; then
	ok "2M empty operations: refused before decoding, peak RSS $kib KiB (< 64 MiB)"
else
	bad "2M empty operations: exit $rc, peak $kib KiB: $(cat "$work/err")"
fi

# A 1 GiB sparse weight file with 4 KiB of data: the copy writes the data.
mk sparse
truncate -s 1G "$p/$wdir/weight.bin"
printf 'mlcc-sparse-data' | dd of="$p/$wdir/weight.bin" bs=4096 seek=131072 conv=notrunc status=none
out=$work/o12/sparse.mlmodelc
if timeout 120 "$mlcc" compile "$p" "$work/o12" --quiet >/dev/null 2>"$work/err"; then
	bytes=$(($(stat -c %b "$out/weights/weight.bin") * $(stat -c %B "$out/weights/weight.bin")))
	size=$(stat -c %s "$out/weights/weight.bin")
	if [ "$size" = 1073741824 ] && [ "$bytes" -le 1048576 ] && timeout 120 cmp -s "$p/$wdir/weight.bin" "$out/weights/weight.bin"; then
		ok "sparse 1 GiB weight: copied as $bytes bytes on disk, identical content"
	else
		bad "sparse 1 GiB weight: size $size, $bytes bytes on disk"
	fi
	timeout 120 "$mlcc" decompile "$out" "$work/o12/back.mlpackage" 2>"$work/err"
	wb=$work/o12/back.mlpackage/$wdir/weight.bin
	bytes=$(($(stat -c %b "$wb") * $(stat -c %B "$wb")))
	[ "$bytes" -le 1048576 ] && ok "decompile keeps the sparse weight sparse ($bytes bytes on disk)" ||
		bad "decompile wrote the sparse weight dense ($bytes bytes): $(cat "$work/err")"
else
	bad "sparse 1 GiB weight: $(cat "$work/err")"
fi

# diff of two packages holding a 1 GiB sparse blob: digests cost the data
# (holes counted, not read; before: 16 s for 1 GiB, a 100 GiB blob "hung").
mkdir -p "$work/dg/w"
cat >"$work/dg/big.mil" <<'EOF2'
program(1.0)
[buildInfo = dict<string, string>({})]
{
    func main<ios16>(tensor<fp32, [1]> x) {
        tensor<fp32, [268435456]> w = const()[name = string("w"), val = tensor<fp32, [268435456]>(BLOBFILE(path = string("@model_path/weights/weight.bin"), offset = uint64(64)))];
        tensor<fp32, [1]> y = relu(x = x)[name = string("y")];
    } -> (y);
}
EOF2
# weight.bin: header (1 blob, version 2), record at 64 (fp32, 1 GiB at 128), a hole.
perl -e 'print pack("VV", 1, 2), "\0" x 56, pack("VVQ<Q<", 0xDEADBEEF, 2, 1 << 30, 128), "\0" x 40' \
	>"$work/dg/w/weight.bin"
truncate -s $((128 + (1 << 30))) "$work/dg/w/weight.bin"
"$mlcc" assemble "$work/dg/big.mil" --weights "$work/dg/w" -o "$work/dg/a.mlpackage" >/dev/null 2>"$work/err" ||
	bad "assemble the sparse-blob package: $(cat "$work/err")"
cp -r "$work/dg/a.mlpackage" "$work/dg/b.mlpackage"
printf 'X' | dd of="$work/dg/b.mlpackage/$wdir/weight.bin" bs=1 seek=$((128 + (1 << 29))) conv=notrunc status=none
timeout 120 "$peak" "$work/rss" "$mlcc" diff "$work/dg/a.mlpackage" "$work/dg/b.mlpackage" >"$work/stdout" 2>"$work/err"
rc=$?
cpu=$(awk '{printf "%.2f", $2 + $3}' "$work/rss")
if [ "$rc" = 1 ] && grep -qx 'not equivalent (1 semantic difference)' "$work/stdout" &&
	grep -q "op 'w' (const)" "$work/stdout" && awk "BEGIN { exit !($cpu < 3) }"; then
	ok "diff of 1 GiB sparse blobs differing in one byte: found in $cpu s of CPU (< 3 s)"
else
	bad "diff of sparse blobs: exit $rc, $cpu s: $(cat "$work/stdout" "$work/err")"
fi

# 40k files in the weights directory: listed in O(n log n) (before: 8 s,
# quadratic: 6-8 s of CPU).  CPU time of inspect, which lists them, under a
# bound that the quadratic listing exceeds and this one (0.5 s with ASan) does not.
mk many
(cd "$p/$wdir" && seq -f 'f%06g.bin' 1 40000 | xargs touch)
timeout 120 "$peak" "$work/rss" "$mlcc" inspect "$p" >/dev/null 2>"$work/err"
rc=$?
cpu=$(awk '{printf "%.2f", $2 + $3}' "$work/rss")
if [ "$rc" = 0 ] && awk "BEGIN { exit !($cpu < 3) }"; then
	ok "40k weight files: inspect in $cpu s of CPU (< 3 s)"
else
	bad "40k weight files: exit $rc, $cpu s of CPU: $(cat "$work/err")"
fi

finish
