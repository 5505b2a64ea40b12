/*
** mkpkg.c -- write a small, valid .mlpackage for tests, optionally broken.
**
** The model: spec 7, function main<CoreML6>(x: fp32[1,4]) ->
**   w = const(val = BLOBFILE(@model_path/weights/weight.bin, 64)) fp32[1,4]
**   y = add(x, w); out = relu(y)
** with a valid blob file holding w.  Options break one thing each:
**   --blob-path P      BLOBFILE path of w
**   --blob-offset N    BLOBFILE offset of w
**   --no-weight-file   do not write weights/weight.bin
**   --truncate-weights N  cut weight.bin to N bytes
**   --root ID          rootModelIdentifier written in the manifest
**   --no-manifest      no Manifest.json
**   --spec-bytes FILE  use FILE's bytes as model.mlmodel (garbage, ...)
**   --truncate-spec N  cut model.mlmodel to N bytes
**   --manifest-bytes FILE  use FILE's bytes as Manifest.json
**   --item-path P      manifest path of the root item
**   --spec-link T      model.mlmodel is a symlink to T (T is written with
**                      the model's bytes when it does not exist)
**   --weights-link T   weights/weight.bin is a symlink to T (written likewise)
**   --blob-dtype N     data type code in w's blob record
**   --blob-data N      data offset in w's blob record
**   --blob-size N      data size in w's blob record
**   --opset S          opset of main (not CoreML6)
**   --input-name S     name of the input x (function input and feature)
**   --w-dims A,B       shape of w's type (not [1, 4]): a shape whose
**                      element count overflows, say
**   --var-name NAME    name of y (defined by add, used by relu)
**   --undefined        relu reads 'nope', which nothing defines
**   --use-before-def   relu comes before the add that defines y
**   --dup-var          add's output is named w, like the const
**   --op-type T        the add op is of type T instead (an op that does not
**                      take fp32 x and y fails the op check; an unknown type
**                      is a warning)
**   --dup-function     two functions named main
**   --pipeline         a pipeline of two copies of the program
**   --nest N           an extra op: N `cond` ops nested in one another
**   --text S           S as relu's name attribute, the author, short
**                      description and a user-defined key and value
**
** usage: mkpkg OUT.mlpackage [options]
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "Model.pb-c.h"

typedef CoreML__Specification__MILSpec__Value Value;
typedef CoreML__Specification__MILSpec__ValueType ValueType;
typedef CoreML__Specification__MILSpec__TensorType TensorType;
typedef CoreML__Specification__MILSpec__Dimension Dimension;

struct opts {
	const char *root, *blob_path, *spec_file, *manifest_file, *item_path;
	const char *spec_link, *weights_link, *var, *text, *op_type;
	uint64_t offset, blob_dtype, blob_data, blob_size;
	const char *w_dims, *opset, *input;
	long trunc_w, trunc_s, nest;
	int manifest, weights, undefined, use_before_def, dup_var, dup_func;
	int pipeline;
};

static void die(const char *what)
{
	fprintf(stderr, "mkpkg: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Every node of the message tree comes from tmalloc() and is released at
** exit by free_all(), so that mkpkg is clean under LeakSanitizer. */
static void **allocs;
static size_t nallocs, capallocs;

static void *tmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p || (nallocs == capallocs &&
		   !(allocs = realloc(allocs, (capallocs = capallocs * 2 + 64) * sizeof *allocs))))
		die("malloc");
	return allocs[nallocs++] = p;
}

static char *tstrdup(const char *s)
{
	return strcpy(tmalloc(strlen(s) + 1), s);
}

static void free_all(void)
{
	while (nallocs)
		free(allocs[--nallocs]);
	free(allocs);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/* fp32 tensor type [1, 4] (or scalar string when 'str'). */
static ValueType *tensor_type(int dtype, int rank);

/* fp32 tensor type of the shape "A,B" (decimal or 0x). */
static ValueType *dims_type(const char *spec)
{
	ValueType *v = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32, 2);
	TensorType *t = v->tensortype;
	char *end;

	t->dimensions = tmalloc(2 * sizeof *t->dimensions);
	for (int i = 0; i < 2; i++) {
		Dimension *d = tmalloc(sizeof *d);
		CoreML__Specification__MILSpec__Dimension__ConstantDimension *c =
			tmalloc(sizeof *c);
		core_ml__specification__milspec__dimension__init(d);
		core_ml__specification__milspec__dimension__constant_dimension__init(c);
		c->size = strtoull(spec, &end, 0);
		spec = *end == ',' ? end + 1 : end;
		d->dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT;
		d->constant = c;
		t->dimensions[i] = d;
	}
	return v;
}

static ValueType *tensor_type(int dtype, int rank)
{
	static CoreML__Specification__MILSpec__Dimension__ConstantDimension c1 =
		CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__CONSTANT_DIMENSION__INIT;
	static CoreML__Specification__MILSpec__Dimension__ConstantDimension c4 =
		CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__CONSTANT_DIMENSION__INIT;
	static Dimension d1 = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__INIT;
	static Dimension d4 = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__INIT;
	static Dimension *dims[2] = {&d1, &d4};
	TensorType *t = tmalloc(sizeof *t);
	ValueType *v = tmalloc(sizeof *v);

	c1.size = 1;
	c4.size = 4;
	d1.dimension_case = d4.dimension_case =
		CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT;
	d1.constant = &c1;
	d4.constant = &c4;
	core_ml__specification__milspec__tensor_type__init(t);
	t->datatype = dtype;
	t->rank = rank;
	t->n_dimensions = (size_t)rank;
	t->dimensions = rank ? dims : NULL;
	core_ml__specification__milspec__value_type__init(v);
	v->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE;
	v->tensortype = t;
	return v;
}

static Value *string_value(const char *s)
{
	Value *v = tmalloc(sizeof *v);
	CoreML__Specification__MILSpec__Value__ImmediateValue *iv = tmalloc(sizeof *iv);
	CoreML__Specification__MILSpec__TensorValue *tv = tmalloc(sizeof *tv);
	CoreML__Specification__MILSpec__TensorValue__RepeatedStrings *rs = tmalloc(sizeof *rs);
	char **vals = tmalloc(sizeof *vals);

	core_ml__specification__milspec__value__init(v);
	core_ml__specification__milspec__value__immediate_value__init(iv);
	core_ml__specification__milspec__tensor_value__init(tv);
	core_ml__specification__milspec__tensor_value__repeated_strings__init(rs);
	vals[0] = (char *)s;
	rs->n_values = 1;
	rs->values = vals;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS;
	tv->strings = rs;
	iv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR;
	iv->tensor = tv;
	v->type = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__STRING, 0);
	v->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE;
	v->immediatevalue = iv;
	return v;
}

static CoreML__Specification__MILSpec__Operation__AttributesEntry *attr(const char *key, Value *v)
{
	CoreML__Specification__MILSpec__Operation__AttributesEntry *e = tmalloc(sizeof *e);

	core_ml__specification__milspec__operation__attributes_entry__init(e);
	e->key = (char *)key;
	e->value = v;
	return e;
}

static CoreML__Specification__MILSpec__Operation__InputsEntry *input(const char *param,
								     const char *var)
{
	CoreML__Specification__MILSpec__Operation__InputsEntry *e = tmalloc(sizeof *e);
	CoreML__Specification__MILSpec__Argument *a = tmalloc(sizeof *a);
	CoreML__Specification__MILSpec__Argument__Binding *b = tmalloc(sizeof *b);
	CoreML__Specification__MILSpec__Argument__Binding **bs = tmalloc(sizeof *bs);

	core_ml__specification__milspec__argument__binding__init(b);
	b->binding_case = CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME;
	b->name = (char *)var;
	bs[0] = b;
	core_ml__specification__milspec__argument__init(a);
	a->n_arguments = 1;
	a->arguments = bs;
	core_ml__specification__milspec__operation__inputs_entry__init(e);
	e->key = (char *)param;
	e->value = a;
	return e;
}

static CoreML__Specification__MILSpec__NamedValueType *named(const char *n)
{
	CoreML__Specification__MILSpec__NamedValueType *nv = tmalloc(sizeof *nv);

	core_ml__specification__milspec__named_value_type__init(nv);
	nv->name = (char *)n;
	nv->type = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32, 2);
	return nv;
}

static CoreML__Specification__MILSpec__Operation *op(const char *type, const char *out, int nin,
						     ...)
{
	CoreML__Specification__MILSpec__Operation *o = tmalloc(sizeof *o);
	va_list ap;

	core_ml__specification__milspec__operation__init(o);
	o->type = (char *)type;
	o->n_outputs = 1;
	o->outputs = tmalloc(sizeof *o->outputs);
	o->outputs[0] = named(out);
	o->n_inputs = (size_t)nin;
	o->inputs = tmalloc((size_t)(nin + 1) * sizeof *o->inputs);
	va_start(ap, nin);
	for (int i = 0; i < nin; i++) {
		const char *p = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);
		o->inputs[i] = input(p, v);
	}
	va_end(ap);
	o->n_attributes = 1;
	o->attributes = tmalloc(2 * sizeof *o->attributes);
	o->attributes[0] = attr("name", string_value(out));
	return o;
}

static CoreML__Specification__FeatureDescription *feature(const char *n)
{
	CoreML__Specification__FeatureDescription *f = tmalloc(sizeof *f);
	CoreML__Specification__FeatureType *t = tmalloc(sizeof *t);
	CoreML__Specification__ArrayFeatureType *a = tmalloc(sizeof *a);
	static int64_t shape[2] = {1, 4};

	core_ml__specification__array_feature_type__init(a);
	a->n_shape = 2;
	a->shape = shape;
	a->datatype = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32;
	core_ml__specification__feature_type__init(t);
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	t->multiarraytype = a;
	core_ml__specification__feature_description__init(f);
	f->name = (char *)n;
	f->type = t;
	return f;
}

/* A literal bool scalar (true). */
static Value *bool_value(void)
{
	Value *v = tmalloc(sizeof *v);
	CoreML__Specification__MILSpec__Value__ImmediateValue *iv = tmalloc(sizeof *iv);
	CoreML__Specification__MILSpec__TensorValue *tv = tmalloc(sizeof *tv);
	CoreML__Specification__MILSpec__TensorValue__RepeatedBools *rb = tmalloc(sizeof *rb);
	protobuf_c_boolean *vals = tmalloc(sizeof *vals);

	core_ml__specification__milspec__value__init(v);
	core_ml__specification__milspec__value__immediate_value__init(iv);
	core_ml__specification__milspec__tensor_value__init(tv);
	core_ml__specification__milspec__tensor_value__repeated_bools__init(rb);
	vals[0] = 1;
	rb->n_values = 1;
	rb->values = vals;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS;
	tv->bools = rb;
	iv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR;
	iv->tensor = tv;
	v->type = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__BOOL, 0);
	v->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE;
	v->immediatevalue = iv;
	return v;
}

/* 'depth' cond ops (pred = true), each holding the next in its then block;
** the else blocks are empty. */
static CoreML__Specification__MILSpec__Operation *nested_conds(long depth)
{
	CoreML__Specification__MILSpec__Operation *top = NULL;
	char name[32];

	for (long i = depth; i > 0; i--) {
		CoreML__Specification__MILSpec__Operation *o;
		CoreML__Specification__MILSpec__Block *b = tmalloc(sizeof *b);
		snprintf(name, sizeof name, "c%ld", i);
		CoreML__Specification__MILSpec__Block *e = tmalloc(sizeof *e);
		o = op("cond", tstrdup(name), 1, "pred", "");
		o->inputs[0]->value->arguments[0]->binding_case =
			CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_VALUE;
		o->inputs[0]->value->arguments[0]->value = bool_value();
		o->n_outputs = 0;
		core_ml__specification__milspec__block__init(b);
		core_ml__specification__milspec__block__init(e);
		if (top) {
			b->n_operations = 1;
			b->operations = tmalloc(sizeof *b->operations);
			b->operations[0] = top;
		}
		o->n_blocks = 2;
		o->blocks = tmalloc(2 * sizeof *o->blocks);
		o->blocks[0] = b;
		o->blocks[1] = e;
		top = o;
	}
	return top;
}

static void set_text(CoreML__Specification__ModelDescription *desc,
		     CoreML__Specification__MILSpec__Operation *relu, const char *text)
{
	static CoreML__Specification__Metadata md = CORE_ML__SPECIFICATION__METADATA__INIT;
	static CoreML__Specification__Metadata__UserDefinedEntry ue =
		CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT;
	static CoreML__Specification__Metadata__UserDefinedEntry *ues[] = {&ue};

	relu->attributes[0] = attr("name", string_value(text));
	md.author = md.shortdescription = (char *)text;
	ue.key = ue.value = (char *)text;
	md.n_userdefined = 1;
	md.userdefined = ues;
	desc->metadata = &md;
}

static size_t build_spec(unsigned char **out, const struct opts *o)
{
	static CoreML__Specification__Model model = CORE_ML__SPECIFICATION__MODEL__INIT;
	static CoreML__Specification__ModelDescription desc =
		CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	static CoreML__Specification__MILSpec__Program prog =
		CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__INIT;
	static CoreML__Specification__MILSpec__Function fn =
		CORE_ML__SPECIFICATION__MILSPEC__FUNCTION__INIT;
	static CoreML__Specification__MILSpec__Block block =
		CORE_ML__SPECIFICATION__MILSPEC__BLOCK__INIT;
	static CoreML__Specification__MILSpec__Program__FunctionsEntry fe =
		CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__FUNCTIONS_ENTRY__INIT;
	static CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry be =
		CORE_ML__SPECIFICATION__MILSPEC__FUNCTION__BLOCK_SPECIALIZATIONS_ENTRY__INIT;
	static CoreML__Specification__MILSpec__Value__BlobFileValue bf =
		CORE_ML__SPECIFICATION__MILSPEC__VALUE__BLOB_FILE_VALUE__INIT;
	static Value wv = CORE_ML__SPECIFICATION__MILSPEC__VALUE__INIT;
	static char *outs[] = {"out"};
	CoreML__Specification__MILSpec__Operation *ops[4];
	CoreML__Specification__FeatureDescription *in[1], *outf[1];
	CoreML__Specification__MILSpec__Program__FunctionsEntry *fes[] = {&fe, &fe};
	CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry *bes[] = {&be};
	CoreML__Specification__MILSpec__NamedValueType *fin[1];
	size_t n;

	const char *y = o->dup_var ? "w" : o->var;

	bf.filename = (char *)o->blob_path;
	bf.offset = o->offset;
	wv.type = o->w_dims ? dims_type(o->w_dims)
			    : tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32, 2);
	wv.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE;
	wv.blobfilevalue = &bf;
	ops[0] = op("const", "w", 0);
	ops[0]->n_attributes = 2;
	ops[0]->attributes[1] = attr("val", &wv);
	ops[1] = op(o->op_type, y, 2, "x", o->input ? o->input : "x", "y", "w");
	ops[2] = op("relu", "out", 1, "x", o->undefined ? "nope" : y);
	if (o->use_before_def) {
		CoreML__Specification__MILSpec__Operation *t = ops[1];
		ops[1] = ops[2];
		ops[2] = t;
	}
	block.n_operations = 3;
	if (o->nest > 0)
		ops[block.n_operations++] = nested_conds(o->nest);
	if (o->text)
		set_text(&desc, o->use_before_def ? ops[1] : ops[2], o->text);
	block.operations = ops;
	block.n_outputs = 1;
	block.outputs = outs;
	be.key = (char *)(o->opset ? o->opset : "CoreML6");
	be.value = &block;
	fin[0] = named(o->input ? o->input : "x");
	fn.n_inputs = 1;
	fn.inputs = fin;
	fn.opset = (char *)(o->opset ? o->opset : "CoreML6");
	fn.n_block_specializations = 1;
	fn.block_specializations = bes;
	fe.key = "main";
	fe.value = &fn;
	prog.version = 1;
	prog.n_functions = o->dup_func ? 2 : 1;
	prog.functions = fes;
	in[0] = feature(o->input ? o->input : "x");
	outf[0] = feature("out");
	desc.n_input = 1;
	desc.input = in;
	desc.n_output = 1;
	desc.output = outf;
	model.specificationversion = 7;
	model.description = &desc;
	model.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
	model.mlprogram = &prog;
	if (o->pipeline) {
		/* The same program twice, as the two models of a pipeline. */
		static CoreML__Specification__Model top = CORE_ML__SPECIFICATION__MODEL__INIT;
		static CoreML__Specification__Pipeline pl = CORE_ML__SPECIFICATION__PIPELINE__INIT;
		static CoreML__Specification__Model *kids[] = {&model, &model};
		pl.n_models = 2;
		pl.models = kids;
		top.specificationversion = 7;
		top.description = &desc;
		top.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
		top.pipeline = &pl;
		n = core_ml__specification__model__get_packed_size(&top);
		*out = malloc(n);
		core_ml__specification__model__pack(&top, *out);
		return n;
	}
	n = core_ml__specification__model__get_packed_size(&model);
	*out = malloc(n);
	core_ml__specification__model__pack(&model, *out);
	return n;
}

/* The blob file: header, one fp32 [1,4] blob record at 64, data at 128. */
static size_t write_weights(unsigned char b[144], const struct opts *o)
{
	long truncate = o->trunc_w;
	float w[4] = {1.0f, -2.0f, 0.5f, 0.0f};
	uint32_t u;
	uint64_t q;

	memset(b, 0, 144);
	u = 1;
	memcpy(b, &u, 4); /* count */
	u = 2;
	memcpy(b + 4, &u, 4); /* version */
	u = 0xDEADBEEFu;
	memcpy(b + 64, &u, 4);
	u = (uint32_t)o->blob_dtype; /* 2: Float32 */
	memcpy(b + 68, &u, 4);
	q = o->blob_size;
	memcpy(b + 72, &q, 8);
	q = o->blob_data;
	memcpy(b + 80, &q, 8);
	memcpy(b + 128, w, 16);
	return truncate >= 0 && truncate < 144 ? (size_t)truncate : 144;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int used = 1;
		if (!strcmp(a, "--no-weight-file"))
			o->weights = 0, used = 0;
		else if (!strcmp(a, "--no-manifest"))
			o->manifest = 0, used = 0;
		else if (!strcmp(a, "--undefined"))
			o->undefined = 1, used = 0;
		else if (!strcmp(a, "--use-before-def"))
			o->use_before_def = 1, used = 0;
		else if (!strcmp(a, "--op-type") && v)
			o->op_type = v;
		else if (!strcmp(a, "--dup-var"))
			o->dup_var = 1, used = 0;
		else if (!strcmp(a, "--dup-function"))
			o->dup_func = 1, used = 0;
		else if (!strcmp(a, "--pipeline"))
			o->pipeline = 1, used = 0;
		else if (!v)
			used = -1;
		else if (!strcmp(a, "--blob-path"))
			o->blob_path = v;
		else if (!strcmp(a, "--blob-offset"))
			o->offset = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--blob-dtype"))
			o->blob_dtype = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--blob-data"))
			o->blob_data = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--opset"))
			o->opset = v;
		else if (!strcmp(a, "--input-name"))
			o->input = v;
		else if (!strcmp(a, "--w-dims"))
			o->w_dims = v;
		else if (!strcmp(a, "--blob-size"))
			o->blob_size = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--truncate-weights"))
			o->trunc_w = atol(v);
		else if (!strcmp(a, "--root"))
			o->root = v;
		else if (!strcmp(a, "--spec-bytes"))
			o->spec_file = v;
		else if (!strcmp(a, "--manifest-bytes"))
			o->manifest_file = v;
		else if (!strcmp(a, "--item-path"))
			o->item_path = v;
		else if (!strcmp(a, "--spec-link"))
			o->spec_link = v;
		else if (!strcmp(a, "--weights-link"))
			o->weights_link = v;
		else if (!strcmp(a, "--truncate-spec"))
			o->trunc_s = atol(v);
		else if (!strcmp(a, "--var-name"))
			o->var = v;
		else if (!strcmp(a, "--nest"))
			o->nest = atol(v);
		else if (!strcmp(a, "--text"))
			o->text = v;
		else
			used = -1;
		if (used < 0) {
			fprintf(stderr, "mkpkg: bad option %s\n", a);
			return -1;
		}
		i += used;
	}
	return 0;
}

static void mkdirs(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof path, "%s", dir);
	for (char *s = path + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(path, 0777) && errno != EEXIST)
				die(path);
			*s = '/';
		}
	if (mkdir(path, 0777) && errno != EEXIST)
		die(path);
}

static void write_manifest(const char *pkg, const struct opts *o)
{
	char m[2048], path[4096];
	int k = snprintf(m, sizeof m,
			 "{\n    \"fileFormatVersion\": \"1.0.0\",\n"
			 "    \"itemInfoEntries\": {\n"
			 "        \"ROOT-ID\": {\n"
			 "            \"author\": \"com.apple.CoreML\",\n"
			 "            \"description\": \"CoreML Model Specification\",\n"
			 "            \"name\": \"model.mlmodel\",\n"
			 "            \"path\": \"%s\"\n"
			 "        }\n    },\n"
			 "    \"rootModelIdentifier\": \"%s\"\n}\n",
			 o->item_path, o->root);

	snprintf(path, sizeof path, "%s/Manifest.json", pkg);
	if (o->manifest_file) {
		FILE *f = fopen(o->manifest_file, "rb");
		if (!f)
			die(o->manifest_file);
		k = (int)fread(m, 1, sizeof m, f);
		fclose(f);
	}
	write_file(path, m, (size_t)k);
}

/* Write 'path', or make it a symlink to 'link' whose target is written
** instead (when it does not exist yet). */
static void write_or_link(const char *path, const char *link, const void *p, size_t n)
{
	struct stat st;

	if (!link) {
		write_file(path, p, n);
		return;
	}
	if (stat(link, &st) != 0)
		write_file(link, p, n);
	if (symlink(link, path) != 0)
		die(path);
}

int main(int argc, char **argv)
{
	struct opts o = {
		.root = "ROOT-ID",
		.blob_path = "@model_path/weights/weight.bin",
		.item_path = "com.apple.CoreML/model.mlmodel",
		.var = "y",
		.op_type = "add",
		.offset = 64,
		.blob_dtype = 2,
		.blob_data = 128,
		.blob_size = 16,
		.trunc_w = -1,
		.trunc_s = -1,
		.manifest = 1,
		.weights = 1,
	};
	char path[4096];
	unsigned char *spec;
	size_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: mkpkg OUT.mlpackage [options]\n");
		return 2;
	}
	if (parse_args(argc, argv, &o))
		return 2;
	atexit(free_all);
	snprintf(path, sizeof path, "%s/Data/com.apple.CoreML/weights", argv[1]);
	mkdirs(path);
	if (o.manifest)
		write_manifest(argv[1], &o);
	n = build_spec(&spec, &o);
	if (o.spec_file) {
		FILE *f = fopen(o.spec_file, "rb");
		if (!f)
			die(o.spec_file);
		free(spec);
		spec = malloc(1 << 20);
		n = fread(spec, 1, 1 << 20, f);
		fclose(f);
	}
	if (o.trunc_s >= 0 && (size_t)o.trunc_s < n)
		n = (size_t)o.trunc_s;
	snprintf(path, sizeof path, "%s/Data/com.apple.CoreML/model.mlmodel", argv[1]);
	write_or_link(path, o.spec_link, spec, n);
	free(spec);
	if (o.weights) {
		unsigned char b[144];
		size_t wn = write_weights(b, &o);
		snprintf(path, sizeof path, "%s/Data/com.apple.CoreML/weights/weight.bin", argv[1]);
		write_or_link(path, o.weights_link, b, wn);
	}
	return 0;
}
