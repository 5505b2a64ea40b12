#!/bin/sh
# test_chat.sh MLCC MKPKG -- `mlcc chat` usage errors (exit 2) and missing
# files (exit 1), each with its exact first line on stderr.  No model is
# run: every case fails before a part is loaded (parts are all found
# before any is loaded, the tokenizer before the models).
mlcc=$1
. "$(dirname "$0")/lib.sh"
setup chat

# check NAME WANT_STATUS WANT_FIRST_STDERR_LINE ARGS...
check() {
	name=$1
	want_rc=$2
	want=$3
	shift 3
	"$mlcc" chat "$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	got=$(head -n 1 "$work/stderr")
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want" ]; then
		bad "$name"
		echo "  exit:   $rc (want $want_rc)"
		echo "  stderr: $got"
		echo "  want:   $want"
	else
		ok "$name"
	fi
}

m=$work/meta.yaml
# --help is the chat section of mlcc(1) (test_help.sh checks it against the page).
if "$mlcc" chat --help >"$work/stdout" 2>&1 && [ "$(head -n 1 "$work/stdout")" = chat ] &&
	grep -q -- "--encode-only" "$work/stdout"; then
	ok "--help"
else
	bad "--help: $(head -n 3 "$work/stdout")"
fi
check "no model" 2 "mlcc: chat needs --meta, --monolithic, or --embed, --ffn and --lmhead" \
	--tokens 1
check "embed without lmhead" 2 \
	"mlcc: chat needs --meta, --monolithic, or --embed, --ffn and --lmhead" \
	--embed e --ffn f --tokens 1
check "prompt and tokens" 2 "mlcc: chat takes --prompt TEXT or --tokens IDS, not both" \
	--meta "$m" --prompt hi --tokens 1
check "empty id" 2 "mlcc: --tokens takes ids like 1,15,27, not '1,,2'" --meta "$m" --tokens 1,,2
check "trailing comma" 2 "mlcc: --tokens takes ids like 1,15,27, not '1,2,'" --meta "$m" \
	--tokens 1,2,
check "negative id" 2 "mlcc: --tokens takes ids like 1,15,27, not '-1'" --meta "$m" --tokens=-1
check "max-tokens 0" 2 "mlcc: --max-tokens must be a positive count, not '0'" --meta "$m" \
	--tokens 1 --max-tokens 0
check "temperature" 2 "mlcc: --temperature must be 0 to 100, not '-1'" --meta "$m" --tokens 1 \
	--temperature=-1
check "top-p" 2 "mlcc: --top-p must be 0 to 1, not '1.5'" --meta "$m" --tokens 1 --top-p 1.5
check "context length" 2 "mlcc: --context-length must be 2 to 1048576, not '1'" --meta "$m" \
	--tokens 1 --context-length 1
check "unknown option" 2 "mlcc: unknown option or missing value: --bogus" --meta "$m" --bogus
check "missing value" 2 "mlcc: unknown option or missing value: --prompt" --meta "$m" --prompt
check "stray argument" 2 "mlcc: unexpected argument: extra" --meta "$m" --tokens 1 extra

check "meta.yaml missing" 1 "mlcc: error: $m: cannot open: No such file or directory" \
	--meta "$m" --tokens 1

# A chunked set as ANEMLL's converter describes it; parts appear one by one.
cat >"$m" <<'YAML'
model_info:
  name: test
  parameters:
    context_length: 16
    batch_size: 4
    lut_embeddings: none
    lut_ffn: 6
    lut_lmhead: 6
    num_chunks: 2
    model_prefix: llama
    embeddings: llama_embeddings.mlmodelc
    lm_head: llama_lm_head_lut6.mlmodelc
    ffn: llama_FFN_PF_lut6_chunk_01of02.mlmodelc
    split_lm_head: 2
    lm_head_chunk_sizes: [8, 8]
YAML
check "embeddings missing" 1 "mlcc: error: embeddings model not found: $work/llama_embeddings (tried $work/llama_embeddings.mlmodelc and $work/llama_embeddings.mlpackage)" \
	--meta "$m" --tokens 1
mkdir "$work/llama_embeddings.mlpackage"
check "LM head missing" 1 "mlcc: error: LM head model not found: $work/llama_lm_head_lut6 (tried $work/llama_lm_head_lut6.mlmodelc and $work/llama_lm_head_lut6.mlpackage)" \
	--meta "$m" --tokens 1
mkdir "$work/llama_lm_head_lut6.mlmodelc"
check "FFN missing" 1 "mlcc: error: FFN model not found: $work/llama_FFN_PF_lut6_chunk_01of02 (tried $work/llama_FFN_PF_lut6_chunk_01of02.mlmodelc and $work/llama_FFN_PF_lut6_chunk_01of02.mlpackage)" \
	--meta "$m" --tokens 1
mkdir "$work/llama_FFN_PF_lut6_chunk_01of02.mlmodelc"
check "FFN chunk 2 missing" 1 "mlcc: error: FFN chunk 2 of 2 not found: $work/llama_FFN_PF_lut6_chunk_02of02 (tried $work/llama_FFN_PF_lut6_chunk_02of02.mlmodelc and $work/llama_FFN_PF_lut6_chunk_02of02.mlpackage)" \
	--meta "$m" --tokens 1
check "explicit part missing" 1 "mlcc: error: LM head model not found: $work/head (tried $work/head.mlmodelc and $work/head.mlpackage)" \
	--meta "$m" --lmhead head --tokens 1

# The tokenizer is looked for (beside meta.yaml) before any model loads.
check "tokenizer missing" 1 "mlcc: error: $work/tokenizer.json: tokenizer not found" \
	--meta "$m" --prompt hi
check "stdin prompts: tokenizer missing" 1 "mlcc: error: $work/tokenizer.json: tokenizer not found" \
	--meta "$m" </dev/null
check "tokenizer option missing" 1 "mlcc: error: $work/tok.json: tokenizer not found" \
	--meta "$m" --prompt hi --tokenizer "$work/tok.json"
printf '{"model": {"type": "Unigram", "vocab": []}}' >"$work/tokenizer.json"
check "tokenizer unsupported" 1 "mlcc: error: $work/tokenizer.json: model type \"Unigram\" is not supported" \
	--meta "$m" --prompt hi


# Chat templates, checked with --encode-only (no model): a byte-level
# tokenizer whose vocabulary has a few letters (ids below), the template
# markers as added tokens (100..108), everything else <unk> (0).
tok=$work/tok
mkdir "$tok"
cat >"$tok/tokenizer.json" <<'JSON'
{"added_tokens": [
  {"id": 100, "content": "<|begin_of_text|>", "special": true},
  {"id": 101, "content": "<|start_header_id|>", "special": true},
  {"id": 102, "content": "<|end_header_id|>", "special": true},
  {"id": 103, "content": "<|eot_id|>", "special": true},
  {"id": 104, "content": "<|im_start|>", "special": true},
  {"id": 105, "content": "<|im_end|>", "special": true},
  {"id": 106, "content": "<bos>", "special": true},
  {"id": 107, "content": "<start_of_turn>", "special": true},
  {"id": 108, "content": "<end_of_turn>", "special": true}],
 "normalizer": null,
 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false},
 "model": {"type": "BPE", "unk_token": "<unk>", "merges": [],
   "vocab": {"<unk>": 0, "h": 1, "i": 2, "\u010a": 3, "u": 4, "s": 5, "e": 6, "r": 7,
             "a": 8, "t": 9, "n": 10, "m": 11, "o": 12, "d": 13, "l": 14, "y": 15,
             "\u0120": 16}},
 "decoder": {"type": "ByteLevel"}}
JSON
# encode NAME WANT ARGS...: --encode-only prints exactly WANT.
encode() {
	name=$1
	want=$2
	shift 2
	got=$("$mlcc" chat --encode-only --tokenizer "$tok" --prompt hi "$@" 2>&1)
	if [ "$got" = "$want" ]; then ok "$name"; else
		bad "$name"
		echo "  got:  $got"
		echo "  want: $want"
	fi
}
encode "no template" "1,2" --no-template
encode "template none" "1,2" --template none
# No chat_template at all: chat.py's "[INST] hi [/INST]".
encode "auto without a template" "0,0,0,0,0,0,16,1,2,16,0,0,0,0,0,0,0"
encode "llama3" "100,101,4,5,6,7,102,3,3,1,2,103,101,8,5,5,2,5,9,8,10,9,102,3,3" --template llama3
encode "chatml" "104,4,5,6,7,3,1,2,105,3,104,8,5,5,2,5,9,8,10,9,3" --template chatml
encode "gemma" "106,107,4,5,6,7,3,1,2,108,3,107,11,12,13,6,14,3" --template gemma
# auto follows tokenizer_config.json's chat_template markers; a Qwen
# template's default system turn is kept.
printf '{"chat_template": "{%% for m in messages %%}<|im_start|>{{ m.role }} You are a helpful assistant.{%% endfor %%}"}' \
	>"$tok/tokenizer_config.json"
encode "auto chatml with Qwen's system turn" \
	"104,5,15,5,9,6,11,3,0,12,4,16,8,7,6,16,8,16,1,6,14,0,0,4,14,16,8,5,5,2,5,9,8,10,9,0,105,3,104,4,5,6,7,3,1,2,105,3,104,8,5,5,2,5,9,8,10,9,3"
printf '{"chat_template": "{{ bos_token }}<start_of_turn>"}' >"$tok/tokenizer_config.json"
encode "auto gemma" "106,107,4,5,6,7,3,1,2,108,3,107,11,12,13,6,14,3"
printf '{"chat_template": "{{ messages }}"}' >"$tok/tokenizer_config.json"
check "unknown template" 1 "mlcc: error: the tokenizer's chat template is none mlcc knows; give --template llama3|chatml|gemma|inst or --no-template" \
	--encode-only --tokenizer "$tok" --prompt hi
check "bad --template" 2 "mlcc: --template takes auto, llama3, chatml, gemma, inst or none, not 'x'" \
	--encode-only --tokenizer "$tok" --prompt hi --template x
check "encode-only without prompt" 2 "mlcc: --encode-only needs --prompt and --tokenizer (or --meta)" \
	--encode-only --tokenizer "$tok" --tokens 1

finish
