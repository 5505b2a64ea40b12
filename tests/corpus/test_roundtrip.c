/*
** test_roundtrip.c -- Apple bundle -> decompile -> compile -> same bundle,
** over every item of the corpus.
**
** Items:
**   - every bundle Apple compiled (the expected bundle of each pair, each
**     bundle of compiled/): `mlcc decompile` it, `mlcc compile` the package
**     with the bundle's stamp (tk_bundle_stamp), compare every file;
**   - every mil-text item ("mil"): `mlcc assemble` its model.mil, compile,
**     compare model.mil;
**   - every mil-text item with Apple's coremldata.bin and metadata.json
**     ("rebuilt"): a bundle of those three files is decompiled and compiled
**     again, and the three files compared.
** Weights that were never published get stand-ins (standin.h) and are not
** compared.  Allowed besides Apple's user-metadata order (as in the golden
** test): analytics' modelHash (it hashes the source spec file, which is ours
** now) and a final newline that a repository added to Apple's text files
** (docs/spec/mlmodelc.md §4.2 calls it noise).
**
** Neural-network (espresso) bundles must inspect (interface, layer summary)
** and must be refused by decompile with its own message; mlcc does not map
** espresso layers back to NeuralNetwork layers nor write espresso files
** (docs/spec/nn-compile-plan.md): they are reported as "unsupported by design"
** and not counted.
**
** For every pair, two more checks: the decompiled package and the original
** source compile to the same bundle ("pairs source==decompiled N/M"), and
** the decompiled package IS the source: same model types, functions in
** order, inputs in order with their types, buildInfo entries in order,
** descriptions (metadata presence included) byte for byte up to Apple's
** user-metadata order ("pairs decompile==source N/M").
**
** Ends with "roundtrip identical N/M".
**
** usage: test_roundtrip MLCC
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "standin.h"
#include "testkit.h"

struct tally {
	size_t ok, total;	  /* round trips */
	size_t src_ok, src_total; /* source and decompiled package compile alike */
	size_t dec_ok, dec_total; /* decompiled package == source */
	size_t unsupported;
};

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* ---- one Apple bundle ----------------------------------------------------- */

/* An espresso bundle: inspect must read it (interface and layer summary);
** decompile must refuse it with its own message; compile is out of scope. */
static void neural_network(const char *mlcc, const char *label, const char *bundle, struct tally *t)
{
	char *tmp = tk_tmpdir(), pkg[PATH_MAX], *out = NULL, *err = NULL, *err2 = NULL;
	int rc, rc2;

	snprintf(pkg, sizeof pkg, "%s/nn.mlpackage", tmp);
	const char *ins[] = {mlcc, "inspect", bundle, NULL};
	const char *dec[] = {mlcc, "decompile", bundle, pkg, NULL};
	rc = tk_run(ins, &out, &err);
	rc2 = tk_run(dec, NULL, &err2);
	if (rc != 0 || !strstr(out, ", neuralNetwork, specification version") ||
	    !strstr(out, "  espresso: format ")) {
		printf("FAIL %s: neural network inspect: exit %d: %s%s", label, rc, err, out);
		t->total++;
	} else if (
		rc2 != 1 ||
		!strstr(err2,
			"a neural network (espresso) bundle: its layers cannot be turned back")) {
		printf("FAIL %s: neural network decompile: exit %d: %s", label, rc2, err2);
		t->total++;
	} else {
		printf("unsupported by design: %s: neural network decompile and compile (espresso "
		       "layers are not mapped to NeuralNetwork layers, docs/spec/nn-compile-plan.md); "
		       "inspect OK\n",
		       label);
		t->unsupported++;
	}
	free(out);
	free(err);
	free(err2);
	tk_rm_rf(tmp);
	free(tmp);
}

/* mlcc decompile 'bundle' 'pkg', then mlcc compile 'pkg' into 'out' with
** the stamp; 0 when both ran, else prints "FAIL <kind><label>: ..." and
** returns their status. */
static int decompile_compile(const char *mlcc, const char *kind, const char *label,
			     const char *bundle, const char *pkg, const char *out,
			     const char *coremlc, const char *mil, bool hard_links)
{
	char *err = NULL;
	const char *dec[] = {mlcc, "decompile", bundle, pkg, NULL};
	int rc = tk_run(dec, NULL, &err);

	if (rc != 0) {
		printf("FAIL %s%s: decompile exit %d: %s", kind, label, rc, err);
	} else {
		free(err);
		err = NULL;
		rc = tk_compile(mlcc, pkg, out, coremlc, mil, hard_links, &err);
		if (rc != 0)
			printf("FAIL %s%s: compile exit %d: %s", kind, label, rc, err);
	}
	free(err);
	return rc;
}

/* Round trip of one bundle; 'source' (may be NULL) is the pair's source. */
static void roundtrip(const char *mlcc, const char *label, const char *bundle, const char *name,
		      const char *source, struct tally *t)
{
	char pkg[PATH_MAX], got[PATH_MAX], out[PATH_MAX], why[700], apple[PATH_MAX];
	char stem[NAME_MAX + 1], coremlc[32], mil[32];
	char *tmp, *err = NULL;
	int rc, same = 0, flags = TK_IGNORE_MODEL_HASH | TK_IGNORE_FINAL_NEWLINE;

	if (tk_is_espresso(bundle)) {
		neural_network(mlcc, label, bundle, t);
		return;
	}
	tmp = tk_tmpdir();
	t->total++;
	tk_bundle_stamp(bundle, coremlc, mil);
	snprintf(stem, sizeof stem, "%.*s", (int)(strlen(name) - 9), name);
	snprintf(apple, sizeof apple, "%s", bundle);
	if (tk_bundle_lacks_weights(bundle)) {
		snprintf(apple, sizeof apple, "%s/apple", tmp);
		mkdir(apple, 0777);
		snprintf(apple, sizeof apple, "%s/apple/%s", tmp, name);
		if (tk_copy_tree(bundle, apple) != 0 || tk_bundle_standins(apple) < 0) {
			printf("FAIL %s: cannot lay out stand-in weights\n", label);
			goto out;
		}
		flags |= TK_IGNORE_WEIGHTS;
	}
	/* A bundle compiled from X.mlmodel names X in its analytics: such a
	** source is an .mlmodel file again. */
	char spec_name[256];
	tk_analytics_model_name(bundle, spec_name, sizeof spec_name);
	if (strcmp(spec_name, "model") != 0) {
		snprintf(pkg, sizeof pkg, "%s/pkg", tmp);
		mkdir(pkg, 0777);
		snprintf(pkg, sizeof pkg, "%s/pkg/%s.mlmodel", tmp, spec_name);
	} else {
		snprintf(pkg, sizeof pkg, "%s/pkg/%s.mlpackage", tmp, stem);
	}
	snprintf(out, sizeof out, "%s/out", tmp);
	if (decompile_compile(mlcc, "", label, apple, pkg, out, coremlc, mil,
			      (flags & TK_IGNORE_WEIGHTS) != 0) != 0)
		goto out;
	snprintf(got, sizeof got, "%s/%s", out, name);
	same = tk_same_bundle_ex(apple, got, flags, why, sizeof why);
	printf("%s %s%s%s\n", same ? "OK  " : "DIFF", label, same ? "" : ": ", same ? "" : why);
	if (source) {
		char orig[PATH_MAX], o2[PATH_MAX], src[PATH_MAX], sdir[PATH_MAX];
		int sflags = TK_IGNORE_MODEL_HASH;
		bool ok;
		t->src_total++;
		t->dec_total++;
		snprintf(o2, sizeof o2, "%s/orig", tmp);
		free(err);
		err = NULL;
		snprintf(src, sizeof src, "%s", source);
		rc = 0;
		if (tk_bundle_lacks_weights(bundle)) {
			snprintf(sdir, sizeof sdir, "%s/src", tmp);
			rc = tk_standin_copy(source, bundle, sdir, src, sizeof src);
			sflags |= TK_IGNORE_WEIGHTS;
		}
		if (rc == 0)
			rc = tk_compile(mlcc, src, o2, coremlc, mil,
					(sflags & TK_IGNORE_WEIGHTS) != 0, &err);
		snprintf(orig, sizeof orig, "%s/%s", o2, name);
		ok = rc == 0 && tk_same_bundle_ex(orig, got, sflags, why, sizeof why);
		t->src_ok += ok;
		if (!ok)
			printf("DIFF %s: source and decompiled package compile differently: %s\n",
			       label, rc ? "compile failed" : why);
		ok = tk_decompiled_is_source(source, pkg, why, sizeof why);
		t->dec_ok += ok;
		if (!ok)
			printf("DIFF %s: decompiled package is not the source: %s\n", label, why);
	}
out:
	t->ok += (size_t)same;
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

/* ---- mil-text items --------------------------------------------------------- */

/* generatedClassName of a metadata.json (the bundle's stem), or "model". */
static void class_name(const char *metadata, char *out, size_t n)
{
	size_t len;
	char *t = (char *)tk_read(metadata, &len);
	const char *p = t ? strstr(t, "\"generatedClassName\" : \"") : NULL;

	snprintf(out, n, "model");
	if (p)
		sscanf(p + 24, "%255[A-Za-z0-9_]", out);
	free(t);
}

/* model.mil -> assemble -> compile: the same model.mil. */
static void mil_item(const char *mlcc, const char *label, const char *dir, struct tally *t)
{
	char mil[PATH_MAX], pkg[PATH_MAX], w[PATH_MAX], out[PATH_MAX], got[PATH_MAX];
	char coremlc[32], milv[32], why[700];
	char *tmp = tk_tmpdir(), *err = NULL;
	int rc, same = 0;

	t->total++;
	snprintf(mil, sizeof mil, "%s/model.mil", dir);
	snprintf(pkg, sizeof pkg, "%s/model.mlpackage", tmp);
	snprintf(w, sizeof w, "%s/w", tmp);
	tk_bundle_stamp(dir, coremlc, milv);
	rc = tk_standin_weights(mil, w);
	snprintf(w, sizeof w, "%s/w/weights", tmp);
	const char *as[] = {mlcc, "assemble", mil, "-o", pkg, rc > 0 ? "--weights" : NULL, w, NULL};
	rc = rc < 0 ? -1 : tk_run(as, NULL, &err);
	if (rc != 0) {
		printf("FAIL mil %s: assemble exit %d: %s", label, rc, err ? err : "\n");
		goto out;
	}
	free(err);
	err = NULL;
	snprintf(out, sizeof out, "%s/out", tmp);
	rc = tk_compile(mlcc, pkg, out, coremlc, milv, true, &err);
	if (rc != 0) {
		printf("FAIL mil %s: compile exit %d: %s", label, rc, err);
		goto out;
	}
	snprintf(got, sizeof got, "%s/model.mlmodelc/model.mil", out);
	size_t le, lg;
	unsigned char *e = tk_read(mil, &le), *g = tk_read(got, &lg);
	same = e && g && le == lg && memcmp(e, g, le) == 0;
	if (!same) {
		size_t k = 0, line = 1;
		while (e && g && k < le && k < lg && e[k] == g[k])
			line += e[k++] == '\n';
		snprintf(why, sizeof why, "model.mil differs at line %zu", line);
	}
	free(e);
	free(g);
	printf("%s mil %s%s%s\n", same ? "OK  " : "DIFF", label, same ? "" : ": ", same ? "" : why);
out:
	t->ok += (size_t)same;
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

/* Apple's model.mil + coremldata.bin + metadata.json as a bundle (stand-in
** weights), round-tripped like a compiled bundle; only those files count. */
static void rebuilt_item(const char *mlcc, const char *label, const char *dir, struct tally *t)
{
	static const char *const files[] = {"model.mil", "coremldata.bin", "metadata.json"};
	char stem[256], b[PATH_MAX], from[PATH_MAX], to[PATH_MAX], pkg[PATH_MAX];
	char out[PATH_MAX], got[PATH_MAX], coremlc[32], milv[32], why[700];
	char *tmp = tk_tmpdir(), *err = NULL;
	int same = 0;

	t->total++;
	snprintf(from, sizeof from, "%s/metadata.json", dir);
	class_name(from, stem, sizeof stem);
	snprintf(b, sizeof b, "%s/apple", tmp);
	mkdir(b, 0777);
	snprintf(b, sizeof b, "%s/apple/%s.mlmodelc", tmp, stem);
	mkdir(b, 0777);
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		unsigned char *data;
		snprintf(from, sizeof from, "%s/%s", dir, files[i]);
		snprintf(to, sizeof to, "%s/%s", b, files[i]);
		data = tk_read(from, &len);
		FILE *f = fopen(to, "wb");
		if (f && data)
			fwrite(data, 1, len, f);
		if (f)
			fclose(f);
		free(data);
	}
	tk_bundle_stamp(b, coremlc, milv);
	if (tk_bundle_standins(b) < 0) {
		printf("FAIL rebuilt %s: cannot lay out stand-in weights\n", label);
		goto out;
	}
	snprintf(pkg, sizeof pkg, "%s/pkg/%s.mlpackage", tmp, stem);
	snprintf(out, sizeof out, "%s/out", tmp);
	if (decompile_compile(mlcc, "rebuilt ", label, b, pkg, out, coremlc, milv, true) != 0)
		goto out;
	snprintf(got, sizeof got, "%s/%s.mlmodelc", out, stem);
	same = tk_same_bundle_ex(b, got, TK_IGNORE_WEIGHTS | TK_EXP_FILES_ONLY, why, sizeof why);
	printf("%s rebuilt %s%s%s\n", same ? "OK  " : "DIFF", label, same ? "" : ": ",
	       same ? "" : why);
out:
	t->ok += (size_t)same;
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

int main(int argc, char **argv)
{
	const char *corpus;
	struct tally t = {0};
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_roundtrip MLCC\n");
		return 2;
	}
	corpus = tk_corpus("roundtrip", &status);
	if (!corpus)
		return status;
	static const char *const sets[] = {"pairs", "compiled"};
	for (int s = 0; s < 2; s++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/%s", corpus, sets[s]);
		char **items = tk_entries(dir, "");
		for (size_t i = 0; items[i]; i++) {
			char where[PATH_MAX], bundle[PATH_MAX], label[PATH_MAX];
			char source[PATH_MAX], pdir[PATH_MAX];
			const char *src = NULL;
			snprintf(where, sizeof where, "%s/%s%s", dir, items[i],
				 s == 0 ? "/expected" : "");
			char **b = tk_entries(where, ".mlmodelc");
			if (s == 0) {
				snprintf(pdir, sizeof pdir, "%s/%s", dir, items[i]);
				char **p = tk_entries(pdir, ".mlpackage");
				char **m = tk_entries(pdir, ".mlmodel");
				if (p[0] || m[0]) {
					snprintf(source, sizeof source, "%s/%s", pdir,
						 p[0] ? p[0] : m[0]);
					src = source;
				}
				tk_free_list(p);
				tk_free_list(m);
			}
			for (size_t k = 0; b[k]; k++) {
				snprintf(bundle, sizeof bundle, "%s/%s", where, b[k]);
				snprintf(label, sizeof label, "%s/%s", sets[s], items[i]);
				roundtrip(argv[1], label, bundle, b[k], src, &t);
			}
			tk_free_list(b);
		}
		tk_free_list(items);
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/mil-text", corpus);
	char **items = tk_entries(dir, "");
	for (size_t i = 0; items[i]; i++) {
		char item[PATH_MAX], f[PATH_MAX], label[PATH_MAX];
		snprintf(item, sizeof item, "%s/%s", dir, items[i]);
		snprintf(label, sizeof label, "mil-text/%s", items[i]);
		snprintf(f, sizeof f, "%s/model.mil", item);
		if (!exists(f))
			continue;
		mil_item(argv[1], label, item, &t);
		snprintf(f, sizeof f, "%s/coremldata.bin", item);
		char md[PATH_MAX];
		snprintf(md, sizeof md, "%s/metadata.json", item);
		if (exists(f) && exists(md))
			rebuilt_item(argv[1], label, item, &t);
	}
	tk_free_list(items);
	printf("pairs source==decompiled %zu/%zu\n", t.src_ok, t.src_total);
	printf("pairs decompile==source %zu/%zu\n", t.dec_ok, t.dec_total);
	printf("unsupported by design (not counted): %zu\n", t.unsupported);
	printf("roundtrip identical %zu/%zu\n", t.ok, t.total);
	return t.total > 0 && t.ok == t.total && t.src_ok == t.src_total && t.dec_ok == t.dec_total
		       ? 0
		       : 1;
}
