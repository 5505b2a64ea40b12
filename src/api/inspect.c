/*
** inspect.c -- `mlcc inspect X [--json]`: what a model holds.
**
** For an .mlpackage, .mlmodel or .mlmodelc: model type, specification
** version, compiler stamp (bundles), metadata, each function with its
** inputs, outputs and states (names, types, shapes, flexibility), op
** counts, and every weight blob (file, offset, dtype, elements, bytes).
**
** The JSON form is a stable interface, documented in docs/inspect-json.md;
** keys appear in the order written here and new keys are only ever added.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/diag.h"
#include "mil/flexshape.h"
#include "model/describe.h"
#include "load/load.h"

#define INSPECT_JSON_VERSION 1

/* The Model oneof member name ("other" for a number not in the schema). */
static const char *model_kind_name(const struct model *m)
{
	const char *name = model_type_name(m->type_field);

	return name ? name : "other";
}

/* A JSON string of 's', which may come from an input (a name, a path, a
** file name): as it is when valid UTF-8, else escaped as messages are --
** jansson refuses invalid UTF-8, and a member must not vanish silently. */
static json_t *jstr(const char *s)
{
	char buf[4096];

	if (!s)
		s = "";
	if (diag_utf8_valid(s, strlen(s)))
		return json_string(s);
	return json_string(diag_escape(buf, sizeof buf, s));
}

static json_t *int_list(const int64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *flexibility(const ArrayFeatureType *a)
{
	json_t *o = json_object();

	if (desc_array_is_range(a)) {
		json_t *r = json_array();
		for (size_t i = 0; i < a->shaperange->n_sizeranges; i++) {
			const CoreML__Specification__SizeRange *s = a->shaperange->sizeranges[i];
			json_t *p = json_array();
			json_array_append_new(p, json_integer(s ? (json_int_t)s->lowerbound : 0));
			json_array_append_new(p, json_integer(s ? s->upperbound : 0));
			json_array_append_new(r, p);
		}
		json_object_set_new(o, "kind", jstr("range"));
		json_object_set_new(o, "ranges", r);
		return o;
	}
	if (desc_array_is_enum(a)) {
		json_t *r = json_array();
		for (size_t i = 0; i < a->enumeratedshapes->n_shapes; i++) {
			const CoreML__Specification__ArrayFeatureType__Shape *s =
				a->enumeratedshapes->shapes[i];
			json_array_append_new(r, s ? int_list(s->shape, s->n_shape) : json_array());
		}
		json_object_set_new(o, "kind", jstr("enumerated"));
		json_object_set_new(o, "shapes", r);
		return o;
	}
	json_decref(o);
	return json_null();
}

static json_t *feature_json(const FeatureDescription *f)
{
	json_t *o = json_object();
	const FeatureType *t = f->type;
	const ArrayFeatureType *a = desc_array(t);
	const char *kind = "Invalid";

	json_object_set_new(o, "name", jstr(f->name));
	if (t) {
		switch (t->type_case) {
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE:
			kind = "MultiArray";
			break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE: kind = "State"; break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE: kind = "Image"; break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE: kind = "String"; break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_INT64_TYPE: kind = "Int64"; break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DOUBLE_TYPE: kind = "Double"; break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DICTIONARY_TYPE:
			kind = "Dictionary";
			break;
		case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_SEQUENCE_TYPE:
			kind = "Sequence";
			break;
		default: break;
		}
	}
	json_object_set_new(o, "type", jstr(kind));
	if (a) {
		json_object_set_new(o, "dataType", jstr(desc_array_dtype_name(a->datatype)));
		json_object_set_new(o, "shape", int_list(a->shape, a->n_shape));
		json_object_set_new(o, "flexibility", flexibility(a));
	} else if (t && t->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE &&
		   t->imagetype) {
		json_object_set_new(o, "width", json_integer(t->imagetype->width));
		json_object_set_new(o, "height", json_integer(t->imagetype->height));
	}
	json_object_set_new(o, "optional", json_boolean(t && t->isoptional));
	return o;
}

static json_t *features_json(FeatureDescription **fs, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (fs[i])
			json_array_append_new(a, feature_json(fs[i]));
	return a;
}

/* Op counts by op type, sorted by type; consts included.  '*oom' set when
** the sort buffer cannot be had (the report must then fail, not shrink). */
static json_t *op_counts(const struct function *f, bool *oom)
{
	json_t *o = json_object();
	const char **types = malloc((f->body.nops + 1) * sizeof *types);
	size_t n = 0;

	if (!types)
		*oom = true;

	for (size_t i = 0; types && i < f->body.nops; i++)
		types[n++] = f->body.ops[i].type;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(types[j - 1], types[j]) > 0; j--) {
			const char *t = types[j];
			types[j] = types[j - 1];
			types[j - 1] = t;
		}
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && strcmp(types[k], types[i]) == 0)
			k++;
		json_object_set_new(o, types[i], json_integer((json_int_t)(k - i)));
		i = k;
	}
	free(types);
	return o;
}

static json_t *functions_json(const struct model *m, bool *oom)
{
	json_t *arr = json_array();
	const char *def = m->desc->defaultfunctionname;

	for (size_t i = 0; m->program && i < m->program->nfuncs; i++) {
		const struct function *f = &m->program->funcs[i];
		struct func_desc fd;
		json_t *o = json_object();
		char opset[16];
		desc_function(m->desc, f->name, &fd);
		snprintf(opset, sizeof opset, "ios%u", f->ios);
		json_object_set_new(o, "name", jstr(f->name));
		json_object_set_new(o, "opset", jstr(opset));
		json_object_set_new(o, "default",
				    json_boolean(def && *def
							 ? strcmp(def, f->name) == 0
							 : m->program->nfuncs == 1 ||
								   strcmp(f->name, "main") == 0));
		json_object_set_new(o, "inputs", features_json(fd.inputs, fd.ninputs));
		json_object_set_new(o, "outputs", features_json(fd.outputs, fd.noutputs));
		json_object_set_new(o, "states", features_json(fd.states, fd.nstates));
		json_object_set_new(o, "operations", json_integer((json_int_t)f->body.nops));
		json_object_set_new(o, "operationTypes", op_counts(f, oom));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *weights_json(const struct weight_plan *p)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < p->nrefs; i++) {
		const struct weight_ref *r = &p->refs[i];
		json_t *o = json_object();
		json_object_set_new(o, "file", jstr(r->rel));
		json_object_set_new(o, "offset", json_integer((json_int_t)r->offset));
		json_object_set_new(o, "dataType", jstr(dtype_info(r->dtype)->mil));
		json_object_set_new(o, "elements",
				    r->count >= 0 ? json_integer(r->count) : json_null());
		json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
		json_object_set_new(o, "function", jstr(r->func));
		json_object_set_new(o, "op", jstr(r->op));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *metadata_json(const Metadata *md)
{
	json_t *o = json_object(), *ud = json_object();

	json_object_set_new(o, "shortDescription", jstr(md ? md->shortdescription : ""));
	json_object_set_new(o, "version", jstr(md ? md->versionstring : ""));
	json_object_set_new(o, "author", jstr(md ? md->author : ""));
	json_object_set_new(o, "license", jstr(md ? md->license : ""));
	for (size_t i = 0; md && i < md->n_userdefined; i++)
		if (md->userdefined[i])
			json_object_set_new(ud, md->userdefined[i]->key,
					    jstr(md->userdefined[i]->value));
	json_object_set_new(o, "userDefined", ud);
	return o;
}

/* What an espresso bundle holds (nn_read.c). */
static json_t *nn_json(const struct nn_summary *s)
{
	json_t *o = json_object(), *types = json_object(), *outs = json_array();

	json_object_set_new(o, "espressoFormatVersion", json_integer(s->format_version));
	json_object_set_new(o, "layers", json_integer((json_int_t)s->nlayers));
	for (size_t i = 0; i < s->ntypes; i++)
		json_object_set_new(types, s->types[i],
				    json_integer((json_int_t)s->type_counts[i]));
	json_object_set_new(o, "layerTypes", types);
	json_object_set_new(o, "shapes", json_integer((json_int_t)s->nshapes));
	json_object_set_new(o, "weightsFile", jstr(s->storage));
	json_object_set_new(o, "weightsBytes",
			    s->weights_bytes < 0 ? json_null()
						 : json_integer((json_int_t)s->weights_bytes));
	for (size_t i = 0; i < s->noutput_names; i++)
		json_array_append_new(outs, jstr(s->output_names[i]));
	json_object_set_new(o, "outputNames", outs);
	return o;
}

/* A neural network's single interface, as a function named "main". */
static json_t *nn_functions_json(const struct model *m)
{
	json_t *a = json_array(), *f = json_object();

	json_object_set_new(f, "name", jstr("main"));
	json_object_set_new(f, "opset", jstr("neuralNetwork"));
	json_object_set_new(f, "default", json_true());
	json_object_set_new(f, "inputs", features_json(m->desc->input, m->desc->n_input));
	json_object_set_new(f, "outputs", features_json(m->desc->output, m->desc->n_output));
	json_object_set_new(f, "states", json_array());
	json_object_set_new(f, "operations", json_integer((json_int_t)m->nn->nlayers));
	json_t *ops = json_object();
	for (size_t i = 0; i < m->nn->ntypes; i++)
		json_object_set_new(ops, m->nn->types[i],
				    json_integer((json_int_t)m->nn->type_counts[i]));
	json_object_set_new(f, "operationTypes", ops);
	json_array_append_new(a, f);
	return a;
}

static json_t *model_json(const struct model *m, bool *oom)
{
	json_t *o = json_object();

	json_object_set_new(o, "modelType", jstr(model_kind_name(m)));
	json_object_set_new(o, "specificationVersion", json_integer(m->spec_version));
	json_object_set_new(o, "isUpdatable", json_boolean(m->is_updatable));
	if (m->kind == MODEL_NEURAL_NETWORK) {
		json_object_set_new(o, "functions", nn_functions_json(m));
		json_object_set_new(o, "neuralNetwork", nn_json(m->nn));
	} else {
		json_object_set_new(o, "functions", functions_json(m, oom));
	}
	if (m->nchildren) {
		json_t *c = json_array();
		for (size_t i = 0; i < m->nchildren; i++) {
			json_t *child = model_json(m->children[i], oom);
			json_object_set_new(child, "name",
					    jstr(i < m->nchild_names ? m->child_names[i] : ""));
			json_array_append_new(c, child);
		}
		json_object_set_new(o, "children", c);
	}
	return o;
}

/* The whole report as one JSON object (docs/inspect-json.md). */
static json_t *report(const struct loaded *l, bool *oom)
{
	json_t *o = json_object(), *compiler = json_null();

	json_object_set_new(o, "inspectVersion", json_integer(INSPECT_JSON_VERSION));
	json_object_set_new(o, "path", jstr(l->path));
	json_object_set_new(o, "format", jstr(load_form_name(l->form)));
	if (l->form == FORM_BUNDLE) {
		compiler = json_object();
		json_object_set_new(compiler, "coremlc", jstr(l->coremlc));
		json_object_set_new(compiler, "mil", jstr(l->mil));
	}
	json_object_set_new(o, "compiler", compiler);
	json_t *m = model_json(l->model, oom);
	json_object_update(o, m);
	json_decref(m);
	json_object_set_new(o, "metadata", metadata_json(l->model->desc->metadata));
	json_object_set_new(o, "weights", weights_json(&l->plan));
	return o;
}

/* ---- text form ---------------------------------------------------------- */

static void text_shape(FILE *out, json_t *shape)
{
	size_t i;
	json_t *v;

	fputc('[', out);
	json_array_foreach(shape, i, v)
		fprintf(out, "%s%lld", i ? ", " : "", (long long)json_integer_value(v));
	fputc(']', out);
}

/* The string member 'key' of 'o', escaped (names come from the input). */
static size_t put(FILE *out, json_t *o, const char *key)
{
	return diag_put(out, json_string_value(json_object_get(o, key)));
}

static void text_feature(FILE *out, const char *role, json_t *f)
{
	json_t *flex = json_object_get(f, "flexibility");

	fprintf(out, "    %-6s ", role);
	for (size_t n = put(out, f, "name"); n < 24; n++)
		fputc(' ', out);
	fprintf(out, " %s", json_string_value(json_object_get(f, "type")));
	if (json_object_get(f, "dataType")) {
		fprintf(out, " %s ", json_string_value(json_object_get(f, "dataType")));
		text_shape(out, json_object_get(f, "shape"));
	}
	if (json_object_get(f, "width"))
		fprintf(out, " %lldx%lld",
			(long long)json_integer_value(json_object_get(f, "width")),
			(long long)json_integer_value(json_object_get(f, "height")));
	if (flex && !json_is_null(flex)) {
		const char *kind = json_string_value(json_object_get(flex, "kind"));
		json_t *list =
			json_object_get(flex, strcmp(kind, "range") == 0 ? "ranges" : "shapes");
		size_t i;
		json_t *v;
		fprintf(out, " %s", kind);
		json_array_foreach(list, i, v)
		{
			fputc(' ', out);
			text_shape(out, v);
		}
	}
	if (json_is_true(json_object_get(f, "optional")))
		fprintf(out, " optional");
	fputc('\n', out);
}

static void text_model(FILE *out, json_t *m, const char *indent)
{
	size_t i, k;
	json_t *f, *v;
	const char *key;

	json_array_foreach(json_object_get(m, "functions"), i, f)
	{
		fprintf(out, "%sfunction ", indent);
		put(out, f, "name");
		fprintf(out, " <%s>%s: %lld ops\n", json_string_value(json_object_get(f, "opset")),
			json_is_true(json_object_get(f, "default")) ? " (default)" : "",
			(long long)json_integer_value(json_object_get(f, "operations")));
		json_array_foreach(json_object_get(f, "inputs"), k, v)
			text_feature(out, "input", v);
		json_array_foreach(json_object_get(f, "outputs"), k, v)
			text_feature(out, "output", v);
		json_array_foreach(json_object_get(f, "states"), k, v)
			text_feature(out, "state", v);
		fprintf(out, "    ops:");
		k = 0;
		json_object_foreach(json_object_get(f, "operationTypes"), key, v)
		{
			fprintf(out, "%s ", k++ ? "," : "");
			diag_put(out, key);
			fprintf(out, " %lld", (long long)json_integer_value(v));
		}
		fputc('\n', out);
	}
	json_array_foreach(json_object_get(m, "children"), i, v)
	{
		fprintf(out, "%schild %zu '", indent, i);
		put(out, v, "name");
		fprintf(out, "': %s, specification version %lld\n",
			json_string_value(json_object_get(v, "modelType")),
			(long long)json_integer_value(json_object_get(v, "specificationVersion")));
		text_model(out, v, "    ");
	}
}

static void text_report(FILE *out, json_t *r)
{
	json_t *c = json_object_get(r, "compiler"), *md = json_object_get(r, "metadata");
	json_t *w = json_object_get(r, "weights"), *v;
	const char *key;
	size_t i;

	put(out, r, "path");
	fprintf(out, ": %s, %s, specification version %lld%s\n",
		json_string_value(json_object_get(r, "format")),
		json_string_value(json_object_get(r, "modelType")),
		(long long)json_integer_value(json_object_get(r, "specificationVersion")),
		json_is_true(json_object_get(r, "isUpdatable")) ? ", updatable" : "");
	if (!json_is_null(c) && *json_string_value(json_object_get(c, "coremlc")))
		fprintf(out, "  compiler: coremlc %s, MIL %s\n",
			json_string_value(json_object_get(c, "coremlc")),
			json_string_value(json_object_get(c, "mil")));
	else if (!json_is_null(c))
		fprintf(out, "  compiler: not named (no buildInfo in the bundle)\n");
	json_object_foreach(md, key, v) if (json_is_string(v) && *json_string_value(v))
	{
		fprintf(out, "  %s: ", key);
		diag_put(out, json_string_value(v));
		fputc('\n', out);
	}
	json_object_foreach(json_object_get(md, "userDefined"), key, v)
	{
		fprintf(out, "  userDefined ");
		diag_put(out, key);
		fprintf(out, ": ");
		diag_put(out, json_string_value(v));
		fputc('\n', out);
	}
	text_model(out, r, "  ");
	json_t *nn = json_object_get(r, "neuralNetwork");
	if (nn) {
		json_t *wb = json_object_get(nn, "weightsBytes");
		fprintf(out, "  espresso: format %lld, %lld layers, %lld shapes, weights ",
			(long long)json_integer_value(json_object_get(nn, "espressoFormatVersion")),
			(long long)json_integer_value(json_object_get(nn, "layers")),
			(long long)json_integer_value(json_object_get(nn, "shapes")));
		put(out, nn, "weightsFile");
		if (json_is_null(wb))
			fprintf(out, " (absent)\n");
		else
			fprintf(out, " (%lld bytes)\n", (long long)json_integer_value(wb));
	}
	fprintf(out, "  weights: %zu blobs\n", json_array_size(w));
	json_array_foreach(w, i, v)
	{
		json_t *el = json_object_get(v, "elements");
		fputs("    ", out);
		put(out, v, "file");
		fprintf(out, " @%lld %s",
			(long long)json_integer_value(json_object_get(v, "offset")),
			json_string_value(json_object_get(v, "dataType")));
		if (!json_is_null(el))
			fprintf(out, " %lld elements", (long long)json_integer_value(el));
		fprintf(out, " %lld bytes (",
			(long long)json_integer_value(json_object_get(v, "bytes")));
		put(out, v, "function");
		fputs(": ", out);
		put(out, v, "op");
		fputs(")\n", out);
	}
}

int mlcc_inspect(const char *path, int as_json, FILE *out, struct mlcc_diag *d)
{
	struct loaded l;
	json_t *r;
	bool oom = false;
	int rc;

	diag_clear(d);
	rc = load_input(path, &l, d);
	if (!rc) {
		r = report(&l, &oom);
		if (oom) {
			rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
		} else if (as_json) {
			char *s = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
							JSON_ENSURE_ASCII);
			if (s) {
				fprintf(out, "%s\n", s);
				free(s);
			} else {
				rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
			}
		} else {
			text_report(out, r);
		}
		json_decref(r);
	}
	load_free(&l);
	return rc;
}
