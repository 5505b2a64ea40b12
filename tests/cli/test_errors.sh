#!/bin/sh
# test_errors.sh MLCC MKPKG -- broken inputs: exact message, exit status 1,
# and nothing left behind in the output directory.
#
# Every package is made by mkpkg (tests/support/mkpkg.c); no corpus needed.
mlcc=$1
mkpkg=$2
. "$(dirname "$0")/lib.sh"
setup errors

p=$work/nomanifest.mlpackage
"$mkpkg" "$p" --no-manifest
expect "missing Manifest.json" \
	"mlcc: error: $p: not a Core ML package: Manifest.json is missing" "$p"

p=$work/badroot.mlpackage
"$mkpkg" "$p" --root NOPE
expect "unknown rootModelIdentifier" \
	"mlcc: error: $p/Manifest.json: rootModelIdentifier 'NOPE' names no item in itemInfoEntries" "$p"

p=$work/truncated.mlpackage
"$mkpkg" "$p" --truncate-spec 41
expect "truncated protobuf" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: not a Core ML model (protobuf decoding failed)" "$p"

p=$work/notype.mlpackage
"$mkpkg" "$p" --truncate-spec 2
expect "protobuf without a model" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: no model in the specification (empty or truncated file?)" "$p"

printf 'this is not a protobuf \377\377\377\377' >"$work/garbage"
p=$work/garbage.mlpackage
"$mkpkg" "$p" --spec-bytes "$work/garbage"
expect "garbage protobuf" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: not a Core ML model (protobuf decoding failed)" "$p"

p=$work/escape.mlpackage
"$mkpkg" "$p" --blob-path "@model_path/../../../etc/passwd"
expect "BLOBFILE path leaves the package" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: BLOBFILE path '@model_path/../../../etc/passwd' leaves the package" "$p"

p=$work/absolute.mlpackage
"$mkpkg" "$p" --blob-path "/etc/passwd"
expect "BLOBFILE absolute path" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: BLOBFILE path '/etc/passwd' is not under @model_path" "$p"

p=$work/noweights.mlpackage
"$mkpkg" "$p" --no-weight-file
expect "missing weight file" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: weight file is missing" "$p"

p=$work/offset.mlpackage
"$mkpkg" "$p" --blob-offset 4096
expect "offset beyond the blob file" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 4096: blob record beyond the end of the file (144 bytes)" "$p"

# Git LFS pointers in place of model files (repositories cloned without
# git lfs pull; corpus NOTES.tsv lists several).
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1234\n' >"$work/lfs"
cp "$work/lfs" "$work/Lfs.mlmodel"
expect "Git LFS pointer as the model" \
	"mlcc: error: $work/Lfs.mlmodel is a Git LFS pointer, not the model: run git lfs pull" "$work/Lfs.mlmodel"
p=$work/lfsspec.mlpackage
"$mkpkg" "$p" --spec-bytes "$work/lfs"
expect "Git LFS pointer as the package's spec" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel is a Git LFS pointer, not the model: run git lfs pull" "$p"
p=$work/lfsweights.mlpackage
"$mkpkg" "$p"
cp "$work/lfs" "$p/Data/com.apple.CoreML/weights/weight.bin"
expect "Git LFS pointer as the weight file" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: weight file is a Git LFS pointer, not the weights: run git lfs pull" "$p"
"$mkpkg" "$work/lfsb.mlpackage" && "$mlcc" compile "$work/lfsb.mlpackage" "$work/lfsb" >/dev/null &&
	cp "$work/lfs" "$work/lfsb/lfsb.mlmodelc/coremldata.bin" &&
	! "$mlcc" decompile "$work/lfsb/lfsb.mlmodelc" "$work/lfsb/x.mlpackage" 2>"$work/lfserr" &&
	[ "$(cat "$work/lfserr")" = "mlcc: error: $work/lfsb/lfsb.mlmodelc/coremldata.bin is a Git LFS pointer, not the model: run git lfs pull" ] &&
	ok "Git LFS pointer as a bundle's coremldata.bin" || bad "LFS coremldata.bin: $(cat "$work/lfserr")"

p=$work/cut.mlpackage
"$mkpkg" "$p" --truncate-weights 136
expect "weight file cut inside the blob" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: blob data (16 bytes at 128) beyond the end of the file (136 bytes)" "$p"

p=$work/sentinel.mlpackage
"$mkpkg" "$p" --blob-offset 0
expect "no blob record at the offset" \
	"mlcc: error: $p/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 0: no blob record here (bad sentinel)" "$p"

p=$work/missing.mlpackage
n=$((n + 1))
expect "missing input" \
	"mlcc: error: $p: cannot open model: No such file or directory" "$p"

# An output directory that cannot be written: a path through a regular
# file (works as root too, where permission bits do not stop writes).
p=$work/good.mlpackage
"$mkpkg" "$p"
touch "$work/afile"
n=$((n + 1))
"$mlcc" compile "$p" "$work/afile/out" >/dev/null 2>"$work/stderr"
rc=$?
want="mlcc: error: $work/afile/out: cannot create directory: Not a directory"
got=$(cat "$work/stderr")
if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
	echo "ok   unwritable output directory"
else
	fails=$((fails + 1))
	echo "FAIL unwritable output directory: exit $rc, stderr: $got"
	echo "  want: $want"
fi

# Permission bits, when they apply (not as root).
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$work/ro"
	chmod 555 "$work/ro"
	"$mlcc" compile "$p" "$work/ro" >/dev/null 2>"$work/stderr"
	rc=$?
	got=$(cat "$work/stderr")
	want="mlcc: error: $work/ro: cannot write to the output directory: Permission denied"
	if [ "$rc" = 1 ] && [ "$got" = "$want" ] && [ -z "$(ls -A "$work/ro")" ]; then
		echo "ok   read-only output directory"
	else
		fails=$((fails + 1))
		echo "FAIL read-only output directory: exit $rc, stderr: $got"
	fi
fi

# A failed compile leaves an existing bundle untouched.
out=$work/keep
mkdir -p "$out"
"$mlcc" compile "$p" "$out" >/dev/null 2>&1 || { echo "FAIL good package does not compile"; fails=$((fails + 1)); }
before=$(cd "$out" && find . -type f -exec cksum {} + | sort)
# same stem as the existing bundle, but broken
mkdir -p "$work/b"
"$mkpkg" "$work/b/good.mlpackage" --no-weight-file
"$mlcc" compile "$work/b/good.mlpackage" "$out" >/dev/null 2>&1
rc=$?
after=$(cd "$out" && find . -type f -exec cksum {} + | sort)
if [ "$rc" = 1 ] && [ "$before" = "$after" ] && [ "$(ls -A "$out")" = "good.mlmodelc" ]; then
	echo "ok   failed compile keeps the existing bundle"
else
	fails=$((fails + 1))
	echo "FAIL failed compile changed the existing bundle (exit $rc)"
fi

finish
