#!/bin/sh
# test_compile_models.sh MLCC MKPKG -- ANEMLL's compile_models contract
# (docs/spec/anemll.md §1): names, fallbacks, messages, exit codes,
# parallel = serial.  compile_models is found beside MLCC.  The packages
# are mkpkg's tiny model under ANEMLL names (the content does not matter
# to the naming rules).
mlcc=$1
mkpkg=$2
cm=$(dirname "$mlcc")/compile_models
. "$(dirname "$0")/lib.sh"
setup cm

# run NAME WANT_EXIT WANT_STDOUT_FILE -- ARGS: exact stdout and exit status
check() {
	name=$1
	want_rc=$2
	want_out=$3
	shift 3
	(cd "$work/in" && "$cm" "$@") >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" = "$want_rc" ] && printf '%s' "$want_out" | cmp -s - "$work/out"; then
		ok "$name"
	else
		bad "$name (exit $rc, want $want_rc)"
		printf '  --- want\n%s\n  --- got\n' "$want_out"
		cat "$work/out" "$work/err"
	fi
}

mkdir -p "$work/in"
for n in llama_embeddings llama_lm_head_lut6 llama_FFN_PF_lut6_chunk_01of02 \
	llama_FFN_PF_lut6_chunk_02of02 llama_FFN_PF_lut6_chunk_01of02_rot \
	llama_FFN_PF_lut6_chunk_02of02_rot qwen_FFN_PF_chunk_01of01 \
	llama_monolithic_full_lut4; do
	"$mkpkg" "$work/in/$n.mlpackage"
done

check "part 1 --lut 6: falls back to the name without suffix" 0 "Warning: llama_embeddings.mlpackage not found, trying fallback naming pattern

Compiling llama_embeddings.mlpackage...
Compilation successful
" 1 --lut 6
[ -f "$work/in/llama_embeddings.mlmodelc/model.mil" ] && ok "output defaults to the input directory" || bad "default output"

check "part 1 --prefix qwen: missing, every tried name listed" 1 "Warning: qwen_embeddings.mlpackage not found, trying fallback naming pattern
Error: Model file not found: ./qwen_embeddings.mlpackage
  tried: ./qwen_embeddings_lut8.mlpackage, ./qwen_embeddings.mlpackage

Error: 1 requested package was not found
" 1 --lut 8 --prefix qwen

check "part 2 --lut 6,4 --chunk 2 (only the bits name files)" 0 "
Compiling llama_FFN_PF_lut6_chunk_01of02.mlpackage...
Compilation successful

Compiling llama_FFN_PF_lut6_chunk_02of02.mlpackage...
Compilation successful
" 2 --lut 6,4 --chunk 2 --output "$work/o2"
[ -d "$work/o2/llama_FFN_PF_lut6_chunk_02of02.mlmodelc" ] && ok "--output created" || bad "--output created"

check "part 2 --split-rotate compiles the _rot twins" 0 "
Compiling llama_FFN_PF_lut6_chunk_01of02.mlpackage...
Compilation successful

Compiling llama_FFN_PF_lut6_chunk_01of02_rot.mlpackage...
Compilation successful

Compiling llama_FFN_PF_lut6_chunk_02of02.mlpackage...
Compilation successful

Compiling llama_FFN_PF_lut6_chunk_02of02_rot.mlpackage...
Compilation successful
" 2 --lut 6 --chunk 2 --split-rotate --force-mlprogram --output "$work/o3"

check "part 2 without LUT, prefix qwen, one chunk" 0 "
Compiling qwen_FFN_PF_chunk_01of01.mlpackage...
Compilation successful
" 2 --lut none --chunk 1 --prefix qwen --output "$work/o4"

mv "$work/in/llama_FFN_PF_lut6_chunk_02of02.mlpackage" "$work/chunk2"
check "part 2 with a chunk missing: exit 1, names it, compiles the rest" 1 "Error: Model file not found: ./llama_FFN_PF_lut6_chunk_02of02.mlpackage

Compiling llama_FFN_PF_lut6_chunk_01of02.mlpackage...
Compilation successful

Error: 1 requested package was not found
" 2 --lut 6 --chunk 2 --output "$work/o5"
mv "$work/chunk2" "$work/in/llama_FFN_PF_lut6_chunk_02of02.mlpackage"
check "part 2 --chunk 3 against 2 chunks: all three named" 1 "Error: Model file not found: ./llama_FFN_PF_lut6_chunk_01of03.mlpackage
Error: Model file not found: ./llama_FFN_PF_lut6_chunk_02of03.mlpackage
Error: Model file not found: ./llama_FFN_PF_lut6_chunk_03of03.mlpackage

Error: 3 requested packages were not found
" 2 --lut 6 --chunk 3 --output "$work/o5b"

check "part 3" 0 "
Compiling llama_lm_head_lut6.mlpackage...
Compilation successful
" 3 --lut 6 --output "$work/o6"

check "part 3 missing" 1 "Error: Model file not found: ./llama_lm_head.mlpackage

Error: 1 requested package was not found
" 3 --output "$work/o6"

check "monolithic (--input-dir/--output-dir aliases)" 0 "
Compiling llama_monolithic_full_lut4.mlpackage...
Compilation successful
" monolithic --lut 4 --input-dir . --output-dir "$work/o7"

check "monolithic missing" 1 "Error: Monolithic model not found: ./llama_monolithic_full.mlpackage

Error: 1 requested package was not found
" monolithic --output "$work/o7"

# all: sorted, absolute; --recursive; collisions; a broken package
mkdir -p "$work/all/sub"
"$mkpkg" "$work/all/b.mlpackage"
"$mkpkg" "$work/all/a.mlpackage"
"$mkpkg" "$work/all/sub/c.mlpackage"
root=$(cd "$work/all" && pwd -P)
check "all: every package of the input dir, sorted" 0 "Found 2 .mlpackage files under $root

Compiling a.mlpackage...
Compilation successful

Compiling b.mlpackage...
Compilation successful
" all --input "$work/all" --output "$work/o8"
check "all --recursive" 0 "Found 3 .mlpackage files under $root

Compiling a.mlpackage...
Compilation successful

Compiling b.mlpackage...
Compilation successful

Compiling c.mlpackage...
Compilation successful
" all --recursive --input "$work/all" --output "$work/o9"
"$mkpkg" "$work/all/sub/a.mlpackage"
check "all --recursive refuses two packages with the same name" 1 "Found 4 .mlpackage files under $root
Error: $root/a.mlpackage and $root/sub/a.mlpackage would both compile to $work/o10/a.mlmodelc
" all --recursive --input "$work/all" --output "$work/o10"
[ ! -e "$work/o10" ] && ok "nothing compiled after a collision" || bad "collision compiled something"
rm -rf "$work/all/sub/a.mlpackage"
"$mkpkg" "$work/all/broken.mlpackage" --no-weight-file
check "all with a broken package: the rest compiles, exit 1" 1 "Found 3 .mlpackage files under $root

Compiling a.mlpackage...
Compilation successful

Compiling b.mlpackage...
Compilation successful

Compiling broken.mlpackage...
Compilation failed with error:
$root/broken.mlpackage/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: weight file is missing

Error: 1 of 3 packages failed to compile
" all --input "$work/all" --output "$work/o11" -j 3
check "--quiet prints only errors" 1 "
Compiling broken.mlpackage...
Compilation failed with error:
$root/broken.mlpackage/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/weight.bin' offset 64: weight file is missing

Error: 1 of 3 packages failed to compile
" all --input "$work/all" --output "$work/o12" --quiet
mkdir -p "$work/empty"
check "all with no packages" 1 "Error: No .mlpackage files found under $(cd "$work/empty" && pwd -P) (recursive=False)
" all --input "$work/empty"

# parallel == serial, byte for byte
(cd "$work/in" && "$cm" 2 --lut 6 --chunk 2 --split-rotate -j1 --output "$work/s1" >/dev/null) &&
(cd "$work/in" && "$cm" 2 --lut 6 --chunk 2 --split-rotate -j 4 --output "$work/s4" >/dev/null) &&
diff -r "$work/s1" "$work/s4" >/dev/null && ok "-j4 gives the same bytes as -j1" || bad "parallel vs serial"

# --link passes through
(cd "$work/in" && "$cm" 3 --lut 6 --output "$work/lk" --link hard >/dev/null) &&
	[ "$(stat -c %i "$work/in/llama_lm_head_lut6.mlpackage/Data/com.apple.CoreML/weights/weight.bin")" = \
	  "$(stat -c %i "$work/lk/llama_lm_head_lut6.mlmodelc/weights/weight.bin")" ] &&
	ok "--link hard reaches mlcc" || bad "--link hard"

# usage errors: exit 2, usage on stderr
usage() {
	name=$1
	want=$2
	shift 2
	(cd "$work/in" && "$cm" "$@") >/dev/null 2>"$work/err"
	rc=$?
	if [ $rc = 2 ] && grep -qxF -- "$want" "$work/err" && grep -q '^usage: compile_models' "$work/err"; then
		ok "$name"
	else
		bad "$name (exit $rc): $(cat "$work/err")"
	fi
}
usage "no part" "compile_models: error: the following arguments are required: part"
usage "invalid part" "Error: Invalid part 4" 4
usage "part 2 without --chunk" "Error: --chunk required for part 2" 2 --lut 6
usage "bad --lut" "compile_models: error: Invalid LUT bits value: six" 1 --lut six
usage "unknown option" "compile_models: error: unrecognized arguments: --frob" 1 --frob
usage "bad --chunk" "compile_models: error: argument --chunk: invalid int value: 'two'" 2 --chunk two
usage "bad --link" "compile_models: error: argument --link: invalid choice: 'soft' (choose from copy, reflink, hard, auto)" 1 --link soft
"$cm" --help | grep -q '^  part  *Model part to compile (1, 2, 3, monolithic, or all)$' &&
	ok "--help" || bad "--help"

finish
