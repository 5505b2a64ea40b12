/*
** compile.c -- mlcc_compile(): read -> model -> emit, atomically.
**
**   package_open    where the spec file, @model_path and the stem are
**   os_output_open  a temporary directory beside OUTDIR/<stem>.mlmodelc
**   copier_start    the weights directory listed and copied into it, in a
**                   thread
**   read_model      the protobuf parsed into the in-memory model, checked
**                   (what mlcc compiles, validate_model), weights planned,
**                   lowered as Apple lowers it
**   bundle_write    every other file written into the temporary
**   finish_copy     the copy joined; bundle_adopt_weights moves it where
**                   it belongs; os_output_close: the temporary replaces
**                   OUTDIR/<stem>.mlmodelc
**
** On any failure the temporary directory is removed and an existing bundle
** is left untouched.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/os.h"
#include "bundle/bundle.h"
#include "model/classifier.h"
#include "model/model.h"
#include "model/stamp.h"
#include "mil/validate.h"
#include "ops/ops.h"
#include "package/copier.h"
#include "package/package.h"
#include "package/weights.h"
#include "spec/spec_read.h"

/* mlcc compiles ML programs, pipelines, and the classic model types stored
** as their specification (model_compiles_as_spec). */
static int check_model(const struct model *m, const char *path, struct mlcc_diag *d)
{
	if (m->kind == MODEL_OTHER && m->type_field == 0)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: no model in the specification (empty or truncated file?)",
				 path);
	if (m->kind == MODEL_OTHER && model_is_neural_network(m->type_field))
		return diag_fail(
			d, MLCC_E_UNSUPPORTED,
			"%s: %s (Model field %u): mlcc does not write espresso files, by "
			"design for now (docs/spec/nn-compile-plan.md); convert it to an ML "
			"program (coremltools convert_to=\"mlprogram\")",
			path, model_type_description(m->type_field), m->type_field);
	if (m->kind == MODEL_OTHER)
		return diag_fail(
			d, MLCC_E_UNSUPPORTED,
			"%s: %s (Model field %u) is not supported; mlcc compiles ML programs, "
			"pipelines and GLM classifier, NMS, text classifier and vision feature print "
			"models",
			path, model_type_description(m->type_field), m->type_field);
	if (m->kind == MODEL_ML_PROGRAM && m->spec_version < 6)
		return diag_fail(
			d, MLCC_E_CORRUPT,
			"%s: ML program with specificationVersion %d (ML programs need 6 or later)",
			path, (int)m->spec_version);
	for (size_t i = 0; i < m->nchildren; i++) {
		int rc = check_model(m->children[i], path, d);
		if (rc)
			return rc;
	}
	return MLCC_OK;
}

/* Apple's transformations before printing: classifier lowering, in every
** ML program of the model. */
static int lower_model(struct model *m, struct mlcc_diag *d)
{
	int rc = classifier_lower(m, d);

	for (size_t i = 0; i < m->nchildren && !rc; i++)
		rc = lower_model(m->children[i], d);
	return rc;
}

/* Join the copier and decide whose error is reported.  The main thread's
** error wins, except an I/O error when the copy failed too: a full disk
** fails both, and the copy, the big writer, is the one to name -- so the
** copy is not called off on I/O errors and its own failure is seen. */
static int finish_copy(struct copier *cp, int rc, struct os_copy_stats *st, struct mlcc_diag *d)
{
	int crc = copier_finish(cp, rc != 0 && rc != MLCC_E_IO);

	st->copied += cp->stats.copied;
	st->cloned += cp->stats.cloned;
	st->linked += cp->stats.linked;
	if (crc && (!rc || rc == MLCC_E_IO)) {
		*d = cp->diag;
		return crc;
	}
	return rc;
}

int mlcc_link_mode_parse(const char *name)
{
	static const char *const names[] = {"copy", "reflink", "hard", "auto"};

	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* Read, check (what mlcc compiles, valid program, every op against the
** op catalogue) and lower the model; plan its weight files. */
static int read_model(struct arena *a, const struct package *pkg,
		      const struct mlcc_compile_options *o, struct model **m, uint8_t sha256[32],
		      const struct weight_plan *listed, struct weight_plan *plan,
		      struct mlcc_diag *d)
{
	int rc = spec_read_file_in(a, pkg->is_package ? pkg->files.root_real : NULL,
				   pkg->files.origin, m, sha256, d);

	if (!rc)
		rc = check_model(*m, pkg->files.origin, d);
	if (!rc)
		rc = validate_model(*m, pkg->files.origin, d);
	/* blob references first: a weight that does not match its reference is
	** a broken file, reported as such before any type question */
	if (!rc)
		rc = weights_plan(&pkg->files, *m, listed, plan, d);
	if (!rc)
		rc = ops_check(*m, pkg->files.origin, o->on_event, o->event_ctx, NULL, d);
	if (!rc)
		rc = lower_model(*m, d);
	return rc;
}

static int check_options(const struct mlcc_compile_options *o, struct mlcc_diag *d)
{
	if (!o || !o->input || !o->output_dir)
		return diag_fail(d, MLCC_E_USAGE,
				 "compile: input and output directory are required");
	if (!*o->input || !*o->output_dir || (o->partial_info_plist && !*o->partial_info_plist))
		return diag_fail(d, MLCC_E_USAGE, "compile: %s is an empty path",
				 !*o->input	   ? "the input"
				 : !*o->output_dir ? "the output directory"
						   : "the partial Info.plist");
	if ((unsigned)o->link > MLCC_LINK_AUTO)
		return diag_fail(d, MLCC_E_USAGE, "compile: unknown link mode %d", (int)o->link);
	return MLCC_OK;
}

/* "<stem>.mlmodelc", malloc'd. */
static char *bundle_name(const char *stem)
{
	size_t n = strlen(stem) + sizeof ".mlmodelc";
	char *name = malloc(n);

	if (name)
		snprintf(name, n, "%s.mlmodelc", stem);
	return name;
}

/* Everything one compile holds, released by compile_done(). */
struct compile {
	struct package pkg;
	struct arena arena;
	struct stamp stamp;
	struct weight_plan plan, listed;
	struct progress prog;
	struct copier cp;
	struct os_output out;
	struct os_copy_stats stats;
	struct emit_ctx ectx;
	char *owner; /* first ML-program directory of the bundle */
};

/* What a model contributes to an app's Info.plist: nothing. */
static const char info_plist[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				 "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
				 "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
				 "<plist version=\"1.0\">\n"
				 "<dict/>\n"
				 "</plist>\n";

/* The bundle OUTDIR/'name' must not be, contain or lie inside the input,
** nor the side plist. */
static int guard_output(const struct mlcc_compile_options *o, const char *name, struct mlcc_diag *d)
{
	const char *inputs[] = {o->input, NULL};
	char *target = os_join(o->output_dir, name);
	int rc;

	if (!target)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", o->output_dir);
	rc = os_output_guard(target, inputs, d);
	if (!rc && o->partial_info_plist)
		rc = os_output_guard(o->partial_info_plist, inputs, d);
	free(target);
	return rc;
}

/* The bundle's files into the temporary, while the copier runs. */
static int compile_run(struct compile *k, const struct mlcc_compile_options *o, struct mlcc_diag *d)
{
	struct model *m = NULL;
	char *name;
	int rc = package_open(&k->pkg, o->input, d);

	if (rc)
		return rc;
	if (!(name = bundle_name(k->pkg.stem)))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", o->input);
	rc = guard_output(o, name, d);
	/* The weights directory is copied while the model is read. */
	if (!rc)
		rc = os_output_open(&k->out, o->output_dir, name, d);
	free(name);
	if (!rc && o->partial_info_plist)
		rc = os_output_side(&k->out, o->partial_info_plist, info_plist,
				    sizeof info_plist - 1, d);
	if (!rc)
		rc = weights_dir_files(&k->pkg.files, &k->listed, d);
	if (!rc)
		copier_start(&k->cp, &k->listed, k->out.tmp.path, o->link, o->on_event,
			     o->event_ctx);
	if (!rc)
		rc = read_model(&k->arena, &k->pkg, o, &m, k->ectx.spec_sha256, &k->listed,
				&k->plan, d);
	if (rc)
		return rc;
	k->ectx.model = m;
	k->ectx.stamp = &k->stamp;
	k->ectx.stem = k->pkg.stem;
	k->ectx.spec_name = k->pkg.spec_name;
	k->ectx.diag = d;
	k->ectx.link = o->link;
	k->ectx.progress = &k->prog;
	k->ectx.stats = &k->stats;
	return bundle_write(&k->ectx, k->out.tmp.path, &k->plan, &k->listed, &k->owner);
}

static void fill_result(struct mlcc_compile_result *r, const struct compile *k, char *bundle)
{
	r->bundle = bundle;
	snprintf(r->coremlc_version, sizeof r->coremlc_version, "%s", k->stamp.coremlc);
	snprintf(r->mil_version, sizeof r->mil_version, "%s", k->stamp.mil);
	r->bytes_copied = k->stats.copied;
	r->bytes_cloned = k->stats.cloned;
	r->bytes_linked = k->stats.linked;
}

int mlcc_compile(const struct mlcc_compile_options *o, struct mlcc_compile_result *r,
		 struct mlcc_diag *d)
{
	struct compile k;
	char *bundle = NULL;
	int rc;

	diag_clear(d);
	if (r)
		memset(r, 0, sizeof *r);
	if ((rc = check_options(o, d)) != MLCC_OK)
		return rc;
	memset(&k, 0, sizeof k);
	k.out.tmp.lock = -1;
	k.prog.fn = o->on_event;
	k.prog.ctx = o->event_ctx;
	rc = stamp_init(&k.stamp, o->coremlc_version, o->mil_version, d);
	if (rc)
		return rc;
	arena_init(&k.arena);
	rc = compile_run(&k, o, d);
	rc = finish_copy(&k.cp, rc, &k.stats, d);
	if (!rc)
		rc = bundle_adopt_weights(k.out.tmp.path, k.owner, &k.listed, d);
	rc = os_output_close(&k.out, rc, &bundle, d);
	if (!rc && r)
		fill_result(r, &k, bundle);
	else
		free(bundle);
	free(k.owner);
	weights_free(&k.listed);
	weights_free(&k.plan);
	package_close(&k.pkg);
	arena_free(&k.arena);
	return rc;
}

void mlcc_compile_result_free(struct mlcc_compile_result *r)
{
	if (r) {
		free(r->bundle);
		memset(r, 0, sizeof *r);
	}
}
