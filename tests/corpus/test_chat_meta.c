/*
** test_chat_meta.c -- the meta.yaml of both anemll-tiny sets (corpus
** generated/anemll-tiny/{chunked,monolithic}) read into the values the
** files state (read off the files by eye), and their part names resolved
** to the packages beside them (the sets hold .mlpackage only, so the
** .mlmodelc names of meta.yaml fall back to them) and the two FFN chunks
** found from chunk 01's name.  Without the corpus it still checks the
** errors: a missing or malformed meta.yaml, a missing chunk named.
**
** usage: test_chat_meta MLCC
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chat/meta.h"
#include "testkit.h"

static void check_str(const char *got, const char *want, const char *what)
{
	if (!got || strcmp(got, want) != 0) {
		tk_failures++;
		fprintf(stderr, "%s: \"%s\", want \"%s\"\n", what, got ? got : "(null)", want);
	}
}

/* 'path' ends in 'tail'. */
static bool ends(const char *path, const char *tail)
{
	size_t n = path ? strlen(path) : 0, t = strlen(tail);

	return n >= t && strcmp(path + n - t, tail) == 0;
}

static void test_chunked(const char *corpus)
{
	char path[PATH_MAX], dir[PATH_MAX], **chunks = NULL;
	struct chat_meta m;
	struct mlcc_diag d = {0};
	char *p = NULL;
	size_t n = 0;

	snprintf(dir, sizeof dir, "%s/generated/anemll-tiny/chunked", corpus);
	snprintf(path, sizeof path, "%s/meta.yaml", dir);
	if (chat_meta_read(path, &m, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "%s\n", d.message);
		return;
	}
	check_str(m.dir, dir, "chunked dir");
	check_str(m.name, "anemll-model_llama_tiny-ctx64", "chunked name");
	check_str(m.prefix, "llama", "chunked prefix");
	CHECK(m.context_length == 64);
	CHECK(m.batch_size == 8);
	CHECK(m.num_chunks == 2);
	CHECK(m.vocab_size == 512);
	CHECK(m.lut_embeddings == 0); /* "none" */
	CHECK(m.lut_ffn == 6);
	CHECK(m.lut_lmhead == 6);
	CHECK(m.lut_bits == 0);
	CHECK(m.split_lm_head == 8);
	CHECK(m.nsplits == 8);
	for (size_t i = 0; i < m.nsplits; i++)
		CHECK(m.lm_head_chunk_sizes[i] == 64);
	CHECK(!m.argmax_in_model);
	CHECK(!m.monolithic);
	CHECK(m.prefill_dynamic_slice);
	check_str(m.embeddings, "llama_embeddings.mlmodelc", "chunked embeddings");
	check_str(m.lm_head, "llama_lm_head_lut6.mlmodelc", "chunked lm_head");
	check_str(m.ffn, "llama_FFN_PF_lut6_chunk_01of02.mlmodelc", "chunked ffn");
	CHECK(m.pf == NULL && m.monolithic_model == NULL && m.tokenizer_path == NULL);

	CHECK(chat_resolve(m.dir, m.embeddings, "embeddings model", &p, &d) == MLCC_OK);
	CHECK(ends(p, "/chunked/llama_embeddings.mlpackage"));
	free(p);
	CHECK(chat_resolve(m.dir, m.ffn, "FFN model", &p, &d) == MLCC_OK);
	CHECK(ends(p, "/chunked/llama_FFN_PF_lut6_chunk_01of02.mlpackage"));
	CHECK(chat_chunks(p, &chunks, &n, &d) == MLCC_OK);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(ends(chunks[0], "/chunked/llama_FFN_PF_lut6_chunk_01of02.mlpackage"));
		CHECK(ends(chunks[1], "/chunked/llama_FFN_PF_lut6_chunk_02of02.mlpackage"));
	}
	for (size_t i = 0; i < n; i++)
		free(chunks[i]);
	free(chunks);
	free(p);
	chat_meta_free(&m);
}

static void test_monolithic(const char *corpus)
{
	char path[PATH_MAX];
	struct chat_meta m;
	struct mlcc_diag d = {0};
	char *p = NULL;

	snprintf(path, sizeof path, "%s/generated/anemll-tiny/monolithic/meta.yaml", corpus);
	if (chat_meta_read(path, &m, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "%s\n", d.message);
		return;
	}
	check_str(m.name, "anemll-model_llama_tiny-ctx64-monolithic", "monolithic name");
	check_str(m.prefix, "llama", "monolithic prefix");
	CHECK(m.context_length == 64);
	CHECK(m.batch_size == 8);
	CHECK(m.lut_bits == 4);
	CHECK(m.num_chunks == 0);
	CHECK(m.split_lm_head == 8);
	CHECK(m.vocab_size == 512);
	CHECK(m.nsplits == 8 && m.lm_head_chunk_sizes[7] == 64);
	CHECK(m.argmax_in_model);
	CHECK(m.monolithic);
	CHECK(m.prefill_dynamic_slice);
	check_str(m.monolithic_model, "llama_monolithic_full_lut4.mlmodelc", "monolithic model");
	CHECK(m.embeddings == NULL && m.ffn == NULL && m.lm_head == NULL);
	CHECK(chat_resolve(m.dir, m.monolithic_model, "monolithic model", &p, &d) == MLCC_OK);
	CHECK(ends(p, "/monolithic/llama_monolithic_full_lut4.mlpackage"));
	free(p);
	chat_meta_free(&m);
}

/* Chunks 1 (compiled) and 2 (a package) of 3 exist, chunk 3 does not. */
static void test_chunk_missing(const char *dir)
{
	char path[PATH_MAX], want[3 * PATH_MAX], **chunks = NULL;
	struct mlcc_diag d = {0};
	size_t n = 0;

	snprintf(path, sizeof path, "%s/x_FFN_PF_chunk_01of03.mlmodelc", dir);
	CHECK(mkdir(path, 0777) == 0);
	snprintf(path, sizeof path, "%s/x_FFN_PF_chunk_02of03.mlpackage", dir);
	CHECK(mkdir(path, 0777) == 0);
	snprintf(path, sizeof path, "%s/x_FFN_PF_chunk_01of03.mlmodelc", dir);
	CHECK(chat_chunks(path, &chunks, &n, &d) == MLCC_E_IO);
	CHECK(chunks == NULL && n == 0);
	snprintf(want, sizeof want,
		 "FFN chunk 3 of 3 not found: %s/x_FFN_PF_chunk_03of03 (tried "
		 "%s/x_FFN_PF_chunk_03of03.mlmodelc and %s/x_FFN_PF_chunk_03of03.mlpackage)",
		 dir, dir, dir);
	check_str(d.message, want, "missing chunk message");
	snprintf(path, sizeof path, "%s/x_FFN_PF_chunk_03of03.mlpackage", dir);
	CHECK(mkdir(path, 0777) == 0);
	snprintf(path, sizeof path, "%s/x_FFN_PF_chunk_01of03.mlmodelc", dir);
	memset(&d, 0, sizeof d);
	CHECK(chat_chunks(path, &chunks, &n, &d) == MLCC_OK);
	CHECK(n == 3);
	if (n == 3) {
		CHECK(ends(chunks[0], "/x_FFN_PF_chunk_01of03.mlmodelc"));
		CHECK(ends(chunks[1], "/x_FFN_PF_chunk_02of03.mlpackage"));
		CHECK(ends(chunks[2], "/x_FFN_PF_chunk_03of03.mlpackage"));
	}
	for (size_t i = 0; i < n; i++)
		free(chunks[i]);
	free(chunks);
}

/* Errors name the file: a missing meta.yaml, and one that is not YAML. */
static void test_errors(void)
{
	char *dir = tk_tmpdir(), path[PATH_MAX], want[PATH_MAX + 100];
	struct chat_meta m;
	struct mlcc_diag d = {0};
	FILE *f;

	snprintf(path, sizeof path, "%s/meta.yaml", dir);
	CHECK(chat_meta_read(path, &m, &d) == MLCC_E_IO);
	CHECK(strstr(d.message, path) == d.message);
	f = fopen(path, "w");
	fputs("model_info:\n  parameters: [1, 2\n", f);
	fclose(f);
	memset(&d, 0, sizeof d);
	CHECK(chat_meta_read(path, &m, &d) == MLCC_E_CORRUPT);
	snprintf(want, sizeof want, "%s:3: not YAML: did not find expected ',' or ']'", path);
	check_str(d.message, want, "YAML error");
	f = fopen(path, "w");
	fputs("model_info:\n  parameters:\n    context_length: lots\n", f);
	fclose(f);
	memset(&d, 0, sizeof d);
	CHECK(chat_meta_read(path, &m, &d) == MLCC_E_CORRUPT);
	snprintf(want, sizeof want, "%s: context_length is not a count: \"lots\"", path);
	check_str(d.message, want, "bad count");
	test_chunk_missing(dir);
	tk_rm_rf(dir);
	free(dir);
}

int main(int argc, char **argv)
{
	int status = 0;
	const char *corpus = tk_corpus("test_chat_meta", &status);

	(void)argc;
	(void)argv;
	test_errors();
	if (!corpus)
		return tk_failures ? 1 : status;
	test_chunked(corpus);
	test_monolithic(corpus);
	if (tk_failures)
		fprintf(stderr, "test_chat_meta: %d failure(s)\n", tk_failures);
	else
		printf("chat meta: chunked and monolithic meta.yaml as stated\n");
	return tk_failures ? 1 : 0;
}
