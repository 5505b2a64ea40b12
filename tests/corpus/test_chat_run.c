/*
** test_chat_run.c -- `mlcc chat` end to end on the anemll-tiny sets of the
** corpus (generated/anemll-tiny): the generated tokens must equal the
** argmax sequence of the reference outputs (reference/{chunked,
** monolithic}/pN.dequantized-lut.json, computed by ANEMLL's own PyTorch
** model with the packages' dequantized LUT weights; see its README).
**
** Each set is compiled with `mlcc compile` into a temporary directory
** (meta.yaml copied beside the bundles, which it names), then run on the
** bundles for the prompts p5, p12 (one prefill batch) and p1, and once on
** the packages in place (meta.yaml's .mlmodelc names fall back to the
** .mlpackage files) for p5, and p12 with the separate FFN and prefill
** packages (--ffn/--pf).  8 tokens each, greedy.  For chunked p12 the
** logits of every step (--print-logits) must be within 2e-3 of the
** reference's (its README gives fp16-vs-fp32 gaps of 5.6e-4 .. 9.4e-4),
** and a prompt as long as the context is refused with its message.
** --prompt (--no-template) runs through a byte-level tokenizer.json beside the
** compiled meta.yaml (ids 0..255 the bytes, 256..511 two-letter tokens,
** one merge B+s = 300): the text "\x01\x0f\x1bBs\x05" encodes to p5's
** ids 1,15,27,300,5, so the text printed must be the bytes of the
** reference tokens 187,107,149,187,224,187,224 and "Ca" (308); the same
** prompt twice on stdin (no --prompt) gives that answer twice.
**
** SKIPPED without the corpus, and while the CPU runtime is not part of
** the build (mlcc chat then fails with "the CPU runtime is not part of
** this build"); any other failure fails the test.
**
** usage: test_chat_run MLCC
*/
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"

static const char *mlcc;
static int runtime_missing;

/* The reference's prompt as "1,15,27" and its 8 argmax tokens likewise. */
static int reference(const char *corpus, const char *set, const char *p, char *prompt, char *want,
		     size_t cap)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *j, *v;
	size_t i, n = 0, m = 0;

	snprintf(path, sizeof path, "%s/generated/anemll-tiny/reference/%s/%s.dequantized-lut.json",
		 corpus, set, p);
	if (!(j = json_load_file(path, 0, &err))) {
		printf("FAIL %s: %s\n", path, err.text);
		return -1;
	}
	prompt[0] = want[0] = '\0';
	json_array_foreach(json_object_get(j, "prompt"), i, v) n += (size_t)snprintf(
		prompt + n, cap - n, "%s%lld", i ? "," : "", (long long)json_integer_value(v));
	json_array_foreach(json_object_get(j, "steps"), i, v) m +=
		(size_t)snprintf(want + m, cap - m, "%s%lld", i ? "," : "",
				 (long long)json_integer_value(json_object_get(v, "argmax")));
	json_decref(j);
	return 0;
}

/* Run mlcc chat on 'meta' for reference prompt 'p'; 1 when it matches. */
static int run(const char *corpus, const char *set, const char *meta, const char *p,
	       const char *what)
{
	char prompt[512], want[512];
	char *out = NULL, *err = NULL;
	int rc, same;

	if (reference(corpus, set, p, prompt, want, sizeof prompt) != 0)
		return 0;
	const char *argv[] = {mlcc,   "chat",	      "--meta", meta, "--tokens",
			      prompt, "--max-tokens", "8",	NULL};
	rc = tk_run(argv, &out, &err);
	if (rc != 0 && err && strstr(err, "the CPU runtime is not part of this build")) {
		runtime_missing = 1;
		free(out);
		free(err);
		return 0;
	}
	if (out && strchr(out, '\n'))
		*strchr(out, '\n') = '\0';
	same = rc == 0 && out && strcmp(out, want) == 0;
	printf("%s %s %s %s: %s\n", same ? "ok  " : "FAIL", set, what, p, same ? want : "");
	if (!same)
		printf("  exit %d\n  got  %s\n  want %s\n  stderr %s\n", rc, out ? out : "", want,
		       err ? err : "");
	free(out);
	free(err);
	return same;
}

/* --print-logits of chunked p12 against the reference logits. */
static int logits_close(const char *corpus, const char *meta, const char *tmp)
{
	char path[PATH_MAX], file[PATH_MAX], prompt[512], want[512];
	json_error_t err;
	json_t *j, *step;
	double worst = 0;
	size_t i, lines = 0;
	FILE *f;
	int ok = 1;

	if (reference(corpus, "chunked", "p12", prompt, want, sizeof prompt) != 0)
		return 0;
	snprintf(file, sizeof file, "%s/logits.txt", tmp);
	const char *argv[] = {mlcc,	      "chat", "--meta",		meta, "--tokens", prompt,
			      "--max-tokens", "8",    "--print-logits", file, NULL};
	if (tk_run(argv, NULL, NULL) != 0 || !(f = fopen(file, "r")))
		return 0;
	snprintf(path, sizeof path,
		 "%s/generated/anemll-tiny/reference/chunked/p12.dequantized-lut.json", corpus);
	if (!(j = json_load_file(path, 0, &err))) {
		fclose(f);
		return 0;
	}
	json_array_foreach(json_object_get(j, "steps"), i, step)
	{
		json_t *l = json_object_get(step, "logits");
		for (size_t k = 0; k < json_array_size(l); k++) {
			double got, d;
			if (fscanf(f, "%lf", &got) != 1) {
				ok = 0;
				break;
			}
			d = got - json_number_value(json_array_get(l, k));
			worst = d < 0 ? (-d > worst ? -d : worst) : (d > worst ? d : worst);
		}
		lines++;
	}
	fclose(f);
	json_decref(j);
	ok = ok && lines == 8 && worst <= 2e-3;
	printf("%s chunked bundles p12 logits: max |diff| %.2g over %zu steps\n",
	       ok ? "ok  " : "FAIL", worst, lines);
	return ok;
}

/* A prompt of 64 ids with a context of 64: refused, exit status 2. */
static int too_long(const char *meta)
{
	char ids[512] = "1";
	char *err = NULL;
	int rc, ok;

	for (int i = 1; i < 64; i++)
		strcat(ids, ",1");
	const char *argv[] = {mlcc, "chat", "--meta", meta, "--tokens", ids, NULL};
	rc = tk_run(argv, NULL, &err);
	ok = rc == 2 && err &&
	     strcmp(err, "mlcc: error: the prompt has 64 tokens; the context holds 64, so at most "
			 "63\n") == 0;
	printf("%s prompt longer than the context refused\n", ok ? "ok  " : "FAIL");
	if (!ok)
		printf("  exit %d, stderr %s\n", rc, err ? err : "");
	free(err);
	return ok;
}

/* The two-letter token of id 256..511. */
static void two_letters(int id, char out[3])
{
	out[0] = (char)('A' + (id - 256) / 26);
	out[1] = (char)('a' + (id - 256) % 26);
	out[2] = '\0';
}

/* GPT-2's byte character of 'b' as UTF-8. */
static void byte_char(unsigned b, char out[3])
{
	unsigned cp = b, k = 0;

	if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
		for (unsigned i = 0; i < b; i++)
			if (!((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174))
				k++;
		cp = 256 + k;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
	} else {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		out[2] = '\0';
	}
}

static int write_tokenizer(const char *path, bool eot)
{
	static const char re[] =
		"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
		"?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
	json_t *vocab = json_object(), *root;
	char t[3];
	int rc;

	for (unsigned b = 0; b < 256; b++) {
		byte_char(b, t);
		json_object_set_new(vocab, t, json_integer(b));
	}
	for (int id = 256; id < 512; id++) {
		two_letters(id, t);
		json_object_set_new(vocab, t, json_integer(id));
	}
	root = json_pack(
		"{s:o,s:n,s:{s:s,s:[{s:s,s:{s:s},s:s,s:b},{s:s,s:b,s:b}]},"
		"s:{s:s,s:o,s:[s]},s:{s:s}}",
		"added_tokens",
		eot ? json_pack("[{s:i,s:s,s:b}]", "id", 224, "content", "<|eot_id|>", "special", 1)
		    : json_array(),
		"normalizer", "pre_tokenizer", "type", "Sequence", "pretokenizers", "type", "Split",
		"pattern", "Regex", re, "behavior", "Isolated", "invert", 0, "type", "ByteLevel",
		"add_prefix_space", 0, "use_regex", 0, "model", "type", "BPE", "vocab", vocab,
		"merges", "B s", "decoder", "type", "ByteLevel");
	rc = root ? json_dump_file(root, path, 0) : -1;
	json_decref(root);
	return rc;
}

/* --prompt through the tokenizer: the printed text of chunked p5.  With
** 'eot', id 224 is the special token <|eot_id|>: generation stops there
** and the text leaves it out. */
static int prompt_text(const char *meta, const char *dir, bool eot)
{
	static const int want_ids[] = {187, 107, 149, 187, 224, 187, 224};
	size_t nwant = eot ? 4 : 7;
	char path[PATH_MAX], want[64] = "", t[3];
	char *out = NULL, *err = NULL;
	int rc, ok;
	size_t n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, eot ? "eot.json" : "tokenizer.json");
	if (write_tokenizer(path, eot) != 0)
		return 0;
	for (size_t i = 0; i < nwant; i++)
		want[n++] = (char)want_ids[i];
	two_letters(308, t);
	snprintf(want + n, sizeof want - n, "%s\n", eot ? "" : t);
	const char *argv[] = {mlcc,
			      "chat",
			      "--meta",
			      meta,
			      "--prompt",
			      "\x01\x0f\x1b"
			      "Bs\x05",
			      "--max-tokens",
			      "8",
			      "--no-template",
			      eot ? "--tokenizer" : NULL,
			      path,
			      NULL};
	rc = tk_run(argv, &out, &err);
	ok = rc == 0 && out && strcmp(out, want) == 0;
	printf("%s chunked bundles p5 as --prompt text through tokenizer.json%s\n",
	       ok ? "ok  " : "FAIL", eot ? ", stopping at <|eot_id|>" : "");
	if (!ok)
		printf("  exit %d, stdout %s, stderr %s\n", rc, out ? out : "", err ? err : "");
	free(out);
	free(err);
	return ok;
}

/* Prompts on stdin: the p5 text twice, an empty line between (skipped);
** each line is answered afresh, so the output is the p5 answer twice. */
static int stdin_prompts(const char *meta, const char *dir)
{
	static const int want_ids[] = {187, 107, 149, 187, 224, 187, 224};
	char input[PATH_MAX], cmd[4 * PATH_MAX], want[64], got[256], t[3];
	size_t n = 0, len;
	FILE *f;
	int ok;

	snprintf(input, sizeof input, "%s/prompts.txt", dir);
	if (!(f = fopen(input, "w")))
		return 0;
	fputs("\x01\x0f\x1b"
	      "Bs\x05\n\n\x01\x0f\x1b"
	      "Bs\x05\n",
	      f);
	fclose(f);
	for (size_t r = 0; r < 2; r++) {
		for (size_t i = 0; i < 7; i++)
			want[n++] = (char)want_ids[i];
		two_letters(308, t);
		want[n++] = t[0];
		want[n++] = t[1];
		want[n++] = '\n';
	}
	want[n] = '\0';
	snprintf(cmd, sizeof cmd,
		 "'%s' chat --meta '%s' --no-template --max-tokens 8 <'%s' 2>/dev/null", mlcc, meta,
		 input);
	if (!(f = popen(cmd, "r")))
		return 0;
	len = fread(got, 1, sizeof got - 1, f);
	got[len] = '\0';
	ok = pclose(f) == 0 && strcmp(got, want) == 0;
	printf("%s chunked bundles: prompts on stdin, each answered afresh\n",
	       ok ? "ok  " : "FAIL");
	return ok;
}

/* The separate FFN (function main) and prefill packages of the chunked set
** (--ffn/--pf) in place of the combined FFN_PF ones: same p12 tokens. */
static int separate_prefill(const char *corpus, const char *meta)
{
	char prompt[512], want[512];
	char *out = NULL;
	int rc, ok;

	if (reference(corpus, "chunked", "p12", prompt, want, sizeof prompt) != 0)
		return 0;
	const char *argv[] = {mlcc,
			      "chat",
			      "--meta",
			      meta,
			      "--ffn",
			      "llama_FFN_lut6_chunk_01of02",
			      "--pf",
			      "llama_prefill_lut6_chunk_01of02",
			      "--tokens",
			      prompt,
			      "--max-tokens",
			      "8",
			      NULL};
	rc = tk_run(argv, &out, NULL);
	if (out && strchr(out, '\n'))
		*strchr(out, '\n') = '\0';
	ok = rc == 0 && out && strcmp(out, want) == 0;
	printf("%s chunked packages p12 with separate FFN and prefill chunks (--ffn/--pf)\n",
	       ok ? "ok  " : "FAIL");
	free(out);
	return ok;
}

/* Without meta.yaml: the parts named on the command line, the context and
** batch from the models' declarations; a monolithic argmax model also
** needs --vocab-size (refused without, exit status 2). */
static int without_meta(const char *corpus)
{
	char dir[PATH_MAX], mono[PATH_MAX], e[PATH_MAX], f[PATH_MAX], l[PATH_MAX];
	char p12[512], w12[512], p5[512], w5[512];
	char *out = NULL, *err = NULL;
	int ok = 1, rc;

	if (reference(corpus, "chunked", "p12", p12, w12, sizeof p12) != 0 ||
	    reference(corpus, "monolithic", "p5", p5, w5, sizeof p5) != 0)
		return 0;
	snprintf(dir, sizeof dir, "%s/generated/anemll-tiny", corpus);
	snprintf(e, sizeof e, "%s/chunked/llama_embeddings", dir);
	snprintf(f, sizeof f, "%s/chunked/llama_FFN_PF_lut6_chunk_01of02", dir);
	snprintf(l, sizeof l, "%s/chunked/llama_lm_head_lut6", dir);
	snprintf(mono, sizeof mono, "%s/monolithic/llama_monolithic_full_lut4", dir);
	const char *a1[] = {mlcc,	"chat", "--embed",	e,   "--ffn", f, "--lmhead", l,
			    "--tokens", p12,	"--max-tokens", "8", NULL};
	const char *a2[] = {mlcc,	    "chat", "--monolithic", mono,  "--tokens", p5,
			    "--max-tokens", "8",    "--vocab-size", "512", NULL};
	const char *a3[] = {mlcc, "chat", "--monolithic", mono, "--tokens", p5, NULL};
	const char *const *runs[] = {a1, a2};
	const char *wants[] = {w12, w5};
	for (int i = 0; i < 2; i++) {
		rc = tk_run(runs[i], &out, NULL);
		if (out && strchr(out, '\n'))
			*strchr(out, '\n') = '\0';
		ok = ok && rc == 0 && out && strcmp(out, wants[i]) == 0;
		free(out);
		out = NULL;
	}
	rc = tk_run(a3, NULL, &err);
	ok = ok && rc == 2 && err &&
	     strcmp(err, "mlcc: error: argmax in the model needs lm_head_chunk_sizes or vocab_size "
			 "(meta.yaml or --vocab-size)\n") == 0;
	free(err);
	printf("%s without meta.yaml: chunked p12 and monolithic p5 (--vocab-size)\n",
	       ok ? "ok  " : "FAIL");
	return ok;
}

/* Compile the parts of 'set' that chat uses into tmp/set; copy meta.yaml. */
static int compile_set(const char *corpus, const char *tmp, const char *set,
		       const char *const *parts)
{
	char src[PATH_MAX], out[PATH_MAX], meta[PATH_MAX];
	unsigned char *text;
	size_t len;
	FILE *f;

	snprintf(out, sizeof out, "%s/%s", tmp, set);
	for (size_t i = 0; parts[i]; i++) {
		snprintf(src, sizeof src, "%s/generated/anemll-tiny/%s/%s.mlpackage", corpus, set,
			 parts[i]);
		const char *argv[] = {mlcc, "compile", src, out, NULL};
		if (tk_run(argv, NULL, NULL) != 0) {
			printf("FAIL compile %s\n", src);
			return -1;
		}
	}
	snprintf(src, sizeof src, "%s/generated/anemll-tiny/%s/meta.yaml", corpus, set);
	snprintf(meta, sizeof meta, "%s/meta.yaml", out);
	if (!(text = tk_read(src, &len)) || !(f = fopen(meta, "w"))) {
		free(text);
		return -1;
	}
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const chunked[] = {"llama_embeddings", "llama_FFN_PF_lut6_chunk_01of02",
					      "llama_FFN_PF_lut6_chunk_02of02",
					      "llama_lm_head_lut6", NULL};
	static const char *const mono[] = {"llama_monolithic_full_lut4", NULL};
	static const char *const sets[] = {"chunked", "monolithic"};
	static const char *const prompts[] = {"p5", "p12", "p1"};
	int status = 0, good = 0, total = 0;
	const char *corpus = tk_corpus("test_chat_run", &status);
	char *tmp, meta[PATH_MAX];

	if (argc != 2)
		return 2;
	mlcc = argv[1];
	if (!corpus)
		return status;
	if (!(tmp = tk_tmpdir()))
		return 1;
	for (size_t s = 0; s < 2; s++) {
		if (compile_set(corpus, tmp, sets[s], s ? mono : chunked) != 0) {
			total++;
			continue;
		}
		snprintf(meta, sizeof meta, "%s/%s/meta.yaml", tmp, sets[s]);
		for (size_t p = 0; p < 3 && !runtime_missing; p++, total++)
			good += run(corpus, sets[s], meta, prompts[p], "bundles");
		if (s == 0 && !runtime_missing) {
			char dir[PATH_MAX];
			snprintf(dir, sizeof dir, "%s/%s", tmp, sets[s]);
			good += logits_close(corpus, meta, tmp) + too_long(meta) +
				prompt_text(meta, dir, false) + prompt_text(meta, dir, true) +
				stdin_prompts(meta, dir);
			total += 5;
		}
		snprintf(meta, sizeof meta, "%s/generated/anemll-tiny/%s/meta.yaml", corpus,
			 sets[s]);
		if (!runtime_missing) {
			good += run(corpus, sets[s], meta, "p5", "packages");
			total++;
		}
		if (s == 0 && !runtime_missing) {
			good += separate_prefill(corpus, meta) + without_meta(corpus);
			total += 2;
		}
	}
	tk_rm_rf(tmp);
	free(tmp);
	if (runtime_missing) {
		printf("SKIPPED test_chat_run: the CPU runtime is not part of this build\n");
		return TK_SKIP;
	}
	printf("chat runs matching the reference %d/%d\n", good, total);
	return good == total ? 0 : 1;
}
