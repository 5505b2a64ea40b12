/*
** test_features.c -- per-feature assertions on bundles compiled from
** corpus/generated (ANEMLL-grade features with no Apple sample): what the
** documented and inferred rules say the bytes must hold.
**
**   states          state<...> inputs, stateSchema entries, description
**                   state features, Ios18 state-op histogram keys
**   shared weights  one weight.bin, same size as the source's, every
**                   BLOBFILE offset of both functions as in the source
**   enumerated      configuration keys recomputed here from SHA-256
**   multi-function  non-first default, one trailer per function, order
**   compression     sub-byte index types, storagePrecision labels
**   classifiers     labels out of model.mil, into coremldata.bin/metadata
**   pipelines       model0/ model1/, type 202, PipelineModelDetails
**   fp8             constants and constexpr inputs compile and print
**
** usage: test_features MLCC
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "mil/mil.h"
#include "spec/spec_read.h"
#include "testkit.h"

static const char *mlcc;
static char *tmp;
static char corpus_dir[PATH_MAX];

#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			tk_failures++;                                                             \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* Compile corpus/generated/<rel>.mlpackage; returns the bundle path. */
static char *compile(const char *rel)
{
	static char bundle[PATH_MAX];
	char src[PATH_MAX], out[PATH_MAX];
	char *err = NULL;
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;

	snprintf(src, sizeof src, "%s/generated/%s.mlpackage", corpus_dir, rel);
	snprintf(out, sizeof out, "%s/out", tmp);
	const char *argv[] = {mlcc, "compile", src, out, NULL};
	int rc = tk_run(argv, NULL, &err);
	EXPECT(rc == 0, "compile %s: %s", rel, err ? err : "");
	free(err);
	snprintf(bundle, sizeof bundle, "%s/%s.mlmodelc", out, base);
	return bundle;
}

static char *slurp(const char *dir, const char *file, size_t *len)
{
	char p[PATH_MAX];
	size_t n;
	unsigned char *b;

	snprintf(p, sizeof p, "%s/%s", dir, file);
	b = tk_read(p, len ? len : &n);
	if (!b)
		printf("FAIL cannot read %s\n", p), tk_failures++;
	return (char *)b;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; hay && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- blob references of a model ------------------------------------------ */

struct refs {
	char **v;
	size_t n;
};

static void add_ref(struct refs *r, const char *fn, const char *op, const char *param,
		    const struct mvalue *v)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s %s %s %s %llu", fn, op, param, v->blob_file,
		 (unsigned long long)v->blob_offset);
	r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = strdup(buf);
}

/* Every blob of every function: "function op param file offset", sorted. */
static void collect(const struct model *m, struct refs *r)
{
	for (size_t f = 0; f < m->program->nfuncs; f++) {
		const struct function *fn = &m->program->funcs[f];
		for (size_t i = 0; i < fn->body.nops; i++) {
			const struct op *op = &fn->body.ops[i];
			const char *name =
				model_value_string(model_attr(op->attrs, op->nattrs, "name"));
			name = name ? name : op->outputs[0].name;
			for (size_t k = 0; k < op->ninputs; k++)
				for (size_t j = 0; j < op->inputs[k].n; j++)
					if (op->inputs[k].b[j].value &&
					    op->inputs[k].b[j].value->kind == VAL_BLOB)
						add_ref(r, fn->name, name, op->inputs[k].param,
							op->inputs[k].b[j].value);
			for (size_t k = 0; k < op->nattrs; k++)
				if (op->attrs[k].value->kind == VAL_BLOB)
					add_ref(r, fn->name, name, op->attrs[k].key,
						op->attrs[k].value);
		}
	}
	for (size_t i = 1; i < r->n; i++)
		for (size_t j = i; j > 0 && strcmp(r->v[j - 1], r->v[j]) > 0; j--) {
			char *t = r->v[j];
			r->v[j] = r->v[j - 1];
			r->v[j - 1] = t;
		}
}

static void free_refs(struct refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

/* ---- features ------------------------------------------------------------ */

static void states_and_shared_weights(void)
{
	char src[PATH_MAX], spec[PATH_MAX];
	const char *bundle = compile("tiny-llama/llama_FFN_PF_lut6_chunk_01of02");
	char *mil = slurp(bundle, "model.mil", NULL);
	char *meta = slurp(bundle, "metadata.json", NULL);
	struct arena a;
	struct model *sm = NULL, *bm = NULL;
	struct mlcc_diag d;
	struct refs rs = {0}, rb = {0};
	size_t sl = 0, bl = 0;
	uint8_t sha[32];

	/* states */
	EXPECT(count(mil, "state<tensor<fp16, [4, 2, 64, 16]>> model_model_kv_cache_0") == 2,
	       "the state input in both function signatures");
	EXPECT(count(meta, "\"name\" : \"model_model_kv_cache_0\"") == 3,
	       "stateSchema entry at top level and in both functions");
	EXPECT(count(meta,
		     "\"formattedType\" : \"State (Float16 4 \xc3\x97 2 \xc3\x97 64 \xc3\x97 16)\"") ==
		       3,
	       "state formattedType");
	EXPECT(count(meta, "\"Ios18.readState\"") == 3 &&
		       count(meta, "\"Ios18.writeState\"") == 3 &&
		       count(meta, "\"Ios18.sliceUpdate\"") == 3,
	       "state-op histogram keys");
	EXPECT(count(mil, "            write_state(data = ") == 4, "write_state has no outputs");

	/* shared weights: the same file, the same offsets, once */
	snprintf(
		src, sizeof src,
		"%s/generated/tiny-llama/llama_FFN_PF_lut6_chunk_01of02.mlpackage/Data/com.apple.CoreML/weights/weight.bin",
		corpus_dir);
	char *sw = (char *)tk_read(src, &sl), *bw = slurp(bundle, "weights/weight.bin", &bl);
	EXPECT(sw && bw && sl == bl && memcmp(sw, bw, sl) == 0,
	       "weight.bin byte-identical (%zu vs %zu bytes): no duplication", sl, bl);
	free(sw);
	free(bw);
	arena_init(&a);
	snprintf(
		spec, sizeof spec,
		"%s/generated/tiny-llama/llama_FFN_PF_lut6_chunk_01of02.mlpackage/Data/com.apple.CoreML/model.mlmodel",
		corpus_dir);
	EXPECT(spec_read_file(&a, spec, &sm, sha, &d) == 0, "read source");
	EXPECT(mil_parse(&a, "model.mil", mil, strlen(mil), &bm, NULL, &d) == 0, "parse bundle: %s",
	       d.message);
	if (sm && bm) {
		collect(sm, &rs);
		collect(bm, &rb);
		EXPECT(rs.n == rb.n && rs.n > 0, "%zu vs %zu blob references", rs.n, rb.n);
		for (size_t i = 0; i < rs.n && i < rb.n; i++)
			EXPECT(strcmp(rs.v[i], rb.v[i]) == 0, "blob ref '%s' vs '%s'", rs.v[i],
			       rb.v[i]);
		/* both functions use the same offsets */
		size_t infer = 0, shared = 0;
		for (size_t i = 0; i < rb.n; i++) {
			if (strncmp(rb.v[i], "infer ", 6))
				continue;
			infer++;
			const char *off = strrchr(rb.v[i], ' ');
			for (size_t k = 0; k < rb.n; k++)
				if (!strncmp(rb.v[k], "prefill ", 8) &&
				    !strcmp(strrchr(rb.v[k], ' '), off)) {
					shared++;
					break;
				}
		}
		EXPECT(infer > 0 && shared == infer, "%zu of %zu infer blobs shared by prefill",
		       shared, infer);
	}
	free_refs(&rs);
	free_refs(&rb);
	arena_free(&a);

	/* the description's state features in coremldata.bin */
	size_t cl;
	char *cd = slurp(bundle, "coremldata.bin", &cl);
	uint64_t n;
	memcpy(&n, cd + 0x4b, 8);
	CoreML__Specification__ModelDescription *desc =
		core_ml__specification__model_description__unpack(NULL, n, (uint8_t *)cd + 0x53);
	EXPECT(desc && desc->n_functions == 2 && desc->functions[0]->n_state == 1 &&
		       desc->functions[1]->n_state == 1,
	       "FunctionDescription.state (field 6)");
	EXPECT(cl == 0x53 + n + 2 * 16, "one 16-byte trailer per function");
	if (desc)
		core_ml__specification__model_description__free_unpacked(desc, NULL);
	free(cd);
	free(mil);
	free(meta);
}

static void key_of(const char *raw, char out[9])
{
	struct sha256_ctx c;
	uint8_t dg[32];

	sha256_init(&c);
	sha256_update(&c, strlen(raw), (const uint8_t *)raw);
	sha256_digest(&c, 32, dg);
	snprintf(out, 9, "%02x%02x%02x%02x", dg[0], dg[1], dg[2], dg[3]);
}

static void enumerated_shapes(void)
{
	const char *bundle = compile("tiny-llama/llama_embeddings");
	char *mil = slurp(bundle, "model.mil", NULL);
	char *meta = slurp(bundle, "metadata.json", NULL);
	char k1[9], k8[9], want[512];

	/* [1, 1] -> [1, 1, 1, 1, 1]; [1, 8] -> [1, 1, 1, 1, 8] (§4.4) */
	key_of("input_ids_1_1_1_1_1_", k1);
	key_of("input_ids_1_1_1_1_8_", k8);
	snprintf(
		want, sizeof want,
		"(\"EnumeratedShapes\", {{\"%s\", {{\"input_ids\", [%s]}}}, {\"%s\", {{\"input_ids\", [%s]}}}})",
		strcmp(k1, k8) < 0 ? k1 : k8, strcmp(k1, k8) < 0 ? "1, 1" : "1, 8",
		strcmp(k1, k8) < 0 ? k8 : k1, strcmp(k1, k8) < 0 ? "1, 8" : "1, 1");
	EXPECT(strstr(mil, want), "enumerated configuration keys: want %s", want);
	EXPECT(strstr(mil, "(\"DefaultShapes\", {{\"input_ids\", [1, 1]}})"), "default shape");
	EXPECT(strstr(meta, "\"enumeratedShapes\" : \"[[1, 1], [1, 8]]\""), "enumeratedShapes");
	EXPECT(strstr(meta, "\"shapeFlexibility\" : \"1 \xc3\x97 1 | 1 \xc3\x97 8\""),
	       "shapeFlexibility");
	free(mil);
	free(meta);
}

static void multifunction(void)
{
	const char *bundle = compile("coverage/multifunction_3fn_default_second");
	char *mil = slurp(bundle, "model.mil", NULL);
	char *meta = slurp(bundle, "metadata.json", NULL);
	size_t cl;
	char *cd = slurp(bundle, "coremldata.bin", &cl);
	uint64_t n;
	char *f1 = strstr(mil, "func first<ios18>"), *f2 = strstr(mil, "func second<"),
	     *f3 = strstr(mil, "func third<");

	EXPECT(f1 && f2 && f3 && f1 < f2 && f2 < f3, "functions printed sorted by name");
	EXPECT(strstr(meta, "\"defaultFunctionName\" : \"second\""), "non-first default");
	EXPECT(count(meta, "\"name\" : \"second_out\"") == 2,
	       "top-level outputSchema is the default function's");
	memcpy(&n, cd + 0x4b, 8);
	EXPECT(cl == 0x53 + n + 3 * 16, "three function trailers");
	free(cd);
	free(mil);
	free(meta);
}

static void compression(void)
{
	const char *bundle = compile("coverage/lut_ios18_bits_1_2_3_4_6_8");
	char *mil = slurp(bundle, "model.mil", NULL);
	char *meta = slurp(bundle, "metadata.json", NULL);
	static const char *const types[] = {"tensor<uint1, [", "tensor<uint2, [",
					    "tensor<uint3, [", "tensor<uint4, [",
					    "tensor<uint6, [", "tensor<uint8, ["};

	for (size_t i = 0; i < 6; i++)
		EXPECT(strstr(mil, types[i]), "sub-byte index type %s", types[i]);
	EXPECT(strstr(meta, "Palettized (3 bits)") && strstr(meta, "Palettized (6 bits)"),
	       "palettized storagePrecision");
	EXPECT(strstr(meta, "UInt3") && strstr(meta, "UInt6"),
	       "blob index types in storagePrecision (inferred rule)");
	free(mil);
	free(meta);
	bundle = compile("coverage/quant_blockwise_shift_scale_ios18");
	mil = slurp(bundle, "model.mil", NULL);
	EXPECT(strstr(mil, "constexpr_blockwise_shift_scale(data = tensor<int4, ["),
	       "int4 blockwise data");
	free(mil);
}

static void classifier(void)
{
	const char *bundle = compile("coverage/classifier_string_labels");
	char *mil = slurp(bundle, "model.mil", NULL);
	char *meta = slurp(bundle, "metadata.json", NULL);
	size_t cl;
	char *cd = slurp(bundle, "coremldata.bin", &cl);

	EXPECT(!strstr(mil, "classify("), "classify lowered out of model.mil");
	EXPECT(strstr(meta,
		      "\"classLabels\" : [\n      \"cat\",\n      \"dog\",\n      \"bird\",\n      \"snow leopard\"\n    ]"),
	       "classLabels in metadata.json");
	EXPECT(cl > 40 && memmem(cd, cl, "snow leopard", 12), "labels in coremldata.bin");
	free(mil);
	free(meta);
	free(cd);
}

static void pipeline(void)
{
	const char *bundle = compile("coverage/pipeline_two_mlprograms");
	size_t cl, al;
	char *cd = slurp(bundle, "coremldata.bin", &cl);
	char *an = slurp(bundle, "analytics/coremldata.bin", &al);
	char *m0 = slurp(bundle, "model0/model.mil", NULL);
	char *m1 = slurp(bundle, "model1/model.mil", NULL);
	uint32_t type;

	memcpy(&type, cd, 4);
	EXPECT(type == 202, "pipeline type 202");
	static const char variant[] = "generic.model0v8.0.0generic.model1v8.0.0generic";
	EXPECT(memmem(cd, cl, variant, sizeof variant - 1),
	       "pipeline variant names the children's compiled versions");
	EXPECT(al > 20 && memmem(an, al, "PipelineModelDetails", 20), "analytics section");
	EXPECT(m0 && m1, "model0/ and model1/");
	free(cd);
	free(an);
	free(m0);
	free(m1);
}

/* fp8 constants and constexpr inputs: assembled from MIL text here. */
static void fp8(void)
{
	static const char text[] =
		"program(1.3)\n"
		"[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3600.16.1\"}, {\"coremlc-version\", \"3600.25.1\"}})]\n"
		"{\n"
		"    func main<ios18>(tensor<fp16, [4]> x) {\n"
		"            tensor<fp8e4m3fn, [4]> a = const()[name = string(\"a\"), val = tensor<fp8e4m3fn, [4]>([0x1p+0, -0x1.cp+8, 0x1p-9, nan])];\n"
		"            tensor<fp16, [4]> w = constexpr_blockwise_shift_scale(data = tensor<fp8e5m2, [4]>([0x1p+0, -inf, 0x1p-16, 0x0p+0]), scale = tensor<fp16, [1]>([0x1p-1]))[name = string(\"w\")];\n"
		"            tensor<fp16, [4]> y = add(x = x, y = w)[name = string(\"y\")];\n"
		"        } -> (y);\n"
		"}";
	char milp[PATH_MAX], pkg[PATH_MAX], out[PATH_MAX], *err = NULL;
	FILE *f;

	snprintf(milp, sizeof milp, "%s/fp8.mil", tmp);
	snprintf(pkg, sizeof pkg, "%s/fp8/fp8.mlpackage", tmp);
	snprintf(out, sizeof out, "%s/fp8/out", tmp);
	f = fopen(milp, "w");
	fputs(text, f);
	fclose(f);
	const char *as[] = {mlcc, "assemble", milp, "-o", pkg, NULL};
	const char *co[] = {mlcc, "compile", pkg, out, "--coremlc-version", "3600.25.1", NULL};
	EXPECT(tk_run(as, NULL, &err) == 0, "assemble fp8: %s", err);
	free(err);
	err = NULL;
	EXPECT(tk_run(co, NULL, &err) == 0, "compile fp8: %s", err);
	free(err);
	char bundle[PATH_MAX];
	snprintf(bundle, sizeof bundle, "%s/fp8.mlmodelc", out);
	char *mil = slurp(bundle, "model.mil", NULL);
	EXPECT(mil && strcmp(mil, text) == 0, "fp8 program printed back unchanged:\n%s", mil);
	free(mil);
}

int main(int argc, char **argv)
{
	int status = 0;
	const char *c;

	if (argc != 2) {
		fprintf(stderr, "usage: test_features MLCC\n");
		return 2;
	}
	mlcc = argv[1];
	c = tk_corpus("features", &status);
	if (!c)
		return status;
	snprintf(corpus_dir, sizeof corpus_dir, "%s", c);
	tmp = tk_tmpdir();
	states_and_shared_weights();
	enumerated_shapes();
	multifunction();
	compression();
	classifier();
	pipeline();
	fp8();
	tk_rm_rf(tmp);
	free(tmp);
	printf("features: %d failures\n", tk_failures);
	return tk_failures != 0;
}
