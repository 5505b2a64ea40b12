#!/bin/sh
# test_json.sh MLCC MKPKG -- `mlcc compile --json` and `compile_models
# --json` (docs/json-output.md): one line of JSON per model, exact keys and
# values (the time replaced), errors too, exit codes unchanged, and the
# lines parse as JSON (python3 or jq, when present).
mlcc=$1
mkpkg=$2
cm=$(dirname "$mlcc")/compile_models
. "$(dirname "$0")/lib.sh"
setup json

# The output with every "seconds" value replaced by S.
untimed() { sed 's/"seconds":[0-9.e+-]*,/"seconds":S,/g' "$1"; }

# same NAME WANT_RC RC WANT FILE: exit status and exact (untimed) text.
same() {
	got=$(untimed "$5")
	if [ "$3" = "$2" ] && [ "$got" = "$4" ]; then
		ok "$1"
	else
		bad "$1 (exit $3, want $2)"
		printf '  want: %s\n  got:  %s\n' "$4" "$got"
	fi
}

# parses FILE: every line is one JSON object with the 11 keys.
parses() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import json, sys
keys = ["input", "bundle", "coremlcVersion", "milVersion", "seconds", "bytesCopied",
        "bytesCloned", "bytesLinked", "status", "code", "message"]
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert list(o) == keys, list(o)
    assert isinstance(o["seconds"], float) and o["seconds"] >= 0
' "$1" && ok "$2: parses as JSON (python3)" || bad "$2: not JSON: $(cat "$1")"
	elif command -v jq >/dev/null 2>&1; then
		jq -e '.status' "$1" >/dev/null && ok "$2: parses as JSON (jq)" || bad "$2: not JSON"
	fi
}

"$mkpkg" "$work/tiny.mlpackage" || bad "mkpkg"
stamp=$("$mlcc" version --list | awk 'END {print $1 " " $2}')
coremlc=${stamp% *} mil=${stamp#* }

"$mlcc" compile --json "$work/tiny.mlpackage" "$work/out" >"$work/o" 2>"$work/e"
same "mlcc compile --json: one line" 0 $? \
	"{\"input\":\"$work/tiny.mlpackage\",\"bundle\":\"$work/out/tiny.mlmodelc\",\"coremlcVersion\":\"$coremlc\",\"milVersion\":\"$mil\",\"seconds\":S,\"bytesCopied\":144,\"bytesCloned\":0,\"bytesLinked\":0,\"status\":\"ok\",\"code\":0,\"message\":null}" \
	"$work/o"
[ -s "$work/e" ] && bad "compile --json wrote on stderr: $(cat "$work/e")" || ok "compile --json: stderr empty"
parses "$work/o" "compile --json"

"$mlcc" compile --json --coremlc-version 3500.32.1 "$work/tiny.mlpackage" "$work/out" >"$work/o" 2>/dev/null
same "--json names the stamp written" 0 $? \
	"{\"input\":\"$work/tiny.mlpackage\",\"bundle\":\"$work/out/tiny.mlmodelc\",\"coremlcVersion\":\"3500.32.1\",\"milVersion\":\"3500.14.1\",\"seconds\":S,\"bytesCopied\":144,\"bytesCloned\":0,\"bytesLinked\":0,\"status\":\"ok\",\"code\":0,\"message\":null}" \
	"$work/o"

"$mlcc" compile --json "$work/missing.mlpackage" "$work/out" >"$work/o" 2>"$work/e"
same "compile --json: an error is a line too, exit 1" 1 $? \
	"{\"input\":\"$work/missing.mlpackage\",\"bundle\":null,\"coremlcVersion\":null,\"milVersion\":null,\"seconds\":S,\"bytesCopied\":0,\"bytesCloned\":0,\"bytesLinked\":0,\"status\":\"error\",\"code\":1,\"message\":\"$work/missing.mlpackage: cannot open model: No such file or directory\"}" \
	"$work/o"
[ "$(cat "$work/e")" = "mlcc: error: $work/missing.mlpackage: cannot open model: No such file or directory" ] &&
	ok "compile --json: the error still on stderr" || bad "stderr: $(cat "$work/e")"
parses "$work/o" "compile --json error"

"$mlcc" compile --json "$work/tiny.mlpackage" >"$work/o" 2>/dev/null
[ $? = 2 ] && [ ! -s "$work/o" ] && ok "usage error: exit 2, no JSON" || bad "usage error: $(cat "$work/o")"

# compile_models: JSON on stdout in job order, ANEMLL's lines on stderr.
mkdir -p "$work/in"
for n in 01of03 02of03; do
	"$mkpkg" "$work/in/llama_FFN_PF_chunk_$n.mlpackage"
done
line() {
	echo "{\"input\":\"$work/in/llama_FFN_PF_chunk_$1.mlpackage\",\"bundle\":\"$work/cm/llama_FFN_PF_chunk_$1.mlmodelc\",\"coremlcVersion\":\"$coremlc\",\"milVersion\":\"$mil\",\"seconds\":S,\"bytesCopied\":144,\"bytesCloned\":0,\"bytesLinked\":0,\"status\":\"ok\",\"code\":0,\"message\":null}"
}
"$cm" 2 --chunk 3 --input "$work/in" --output "$work/cm" --json -j2 >"$work/o" 2>"$work/e"
same "compile_models --json: a line per package, the missing one first, exit 1" 1 $? \
	"{\"input\":\"$work/in/llama_FFN_PF_chunk_03of03.mlpackage\",\"bundle\":null,\"coremlcVersion\":null,\"milVersion\":null,\"seconds\":S,\"bytesCopied\":0,\"bytesCloned\":0,\"bytesLinked\":0,\"status\":\"error\",\"code\":1,\"message\":\"Model file not found: $work/in/llama_FFN_PF_chunk_03of03.mlpackage\"}
$(line 01of03)
$(line 02of03)" "$work/o"
"$mkpkg" "$work/in/llama_FFN_PF_chunk_03of03.mlpackage"
"$cm" 2 --chunk 3 --input "$work/in" --output "$work/cm" --json -j2 >"$work/o" 2>"$work/e"
same "compile_models --json: in job order" 0 $? "$(line 01of03)
$(line 02of03)
$(line 03of03)" "$work/o"
grep -q "^Compilation successful$" "$work/e" && ok "compile_models --json: report on stderr" ||
	bad "report: $(cat "$work/e")"
parses "$work/o" "compile_models --json"
finish
