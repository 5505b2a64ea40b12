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
**
** usage: mkpkg OUT.mlpackage [options]
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "Model.pb-c.h"

typedef CoreML__Specification__MILSpec__Value Value;
typedef CoreML__Specification__MILSpec__ValueType ValueType;
typedef CoreML__Specification__MILSpec__TensorType TensorType;
typedef CoreML__Specification__MILSpec__Dimension Dimension;

static void die(const char *what)
{
	fprintf(stderr, "mkpkg: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die(path);
}

/* fp32 tensor type [1, 4] (or scalar string when 'str'). */
static ValueType *tensor_type(int dtype, int rank)
{
	static CoreML__Specification__MILSpec__Dimension__ConstantDimension c1 =
		CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__CONSTANT_DIMENSION__INIT;
	static CoreML__Specification__MILSpec__Dimension__ConstantDimension c4 =
		CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__CONSTANT_DIMENSION__INIT;
	static Dimension d1 = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__INIT;
	static Dimension d4 = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__INIT;
	static Dimension *dims[2] = {&d1, &d4};
	TensorType *t = malloc(sizeof *t);
	ValueType *v = malloc(sizeof *v);

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
	Value *v = malloc(sizeof *v);
	CoreML__Specification__MILSpec__Value__ImmediateValue *iv = malloc(sizeof *iv);
	CoreML__Specification__MILSpec__TensorValue *tv = malloc(sizeof *tv);
	CoreML__Specification__MILSpec__TensorValue__RepeatedStrings *rs =
		malloc(sizeof *rs);
	char **vals = malloc(sizeof *vals);

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

static CoreML__Specification__MILSpec__Operation__AttributesEntry *
attr(const char *key, Value *v)
{
	CoreML__Specification__MILSpec__Operation__AttributesEntry *e = malloc(sizeof *e);

	core_ml__specification__milspec__operation__attributes_entry__init(e);
	e->key = (char *)key;
	e->value = v;
	return e;
}

static CoreML__Specification__MILSpec__Operation__InputsEntry *
input(const char *param, const char *var)
{
	CoreML__Specification__MILSpec__Operation__InputsEntry *e = malloc(sizeof *e);
	CoreML__Specification__MILSpec__Argument *a = malloc(sizeof *a);
	CoreML__Specification__MILSpec__Argument__Binding *b = malloc(sizeof *b);
	CoreML__Specification__MILSpec__Argument__Binding **bs = malloc(sizeof *bs);

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
	CoreML__Specification__MILSpec__NamedValueType *nv = malloc(sizeof *nv);

	core_ml__specification__milspec__named_value_type__init(nv);
	nv->name = (char *)n;
	nv->type = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32, 2);
	return nv;
}

static CoreML__Specification__MILSpec__Operation *
op(const char *type, const char *out, int nin, ...)
{
	CoreML__Specification__MILSpec__Operation *o = malloc(sizeof *o);
	va_list ap;

	core_ml__specification__milspec__operation__init(o);
	o->type = (char *)type;
	o->n_outputs = 1;
	o->outputs = malloc(sizeof *o->outputs);
	o->outputs[0] = named(out);
	o->n_inputs = (size_t)nin;
	o->inputs = malloc((size_t)(nin + 1) * sizeof *o->inputs);
	va_start(ap, nin);
	for (int i = 0; i < nin; i++) {
		const char *p = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);
		o->inputs[i] = input(p, v);
	}
	va_end(ap);
	o->n_attributes = 1;
	o->attributes = malloc(2 * sizeof *o->attributes);
	o->attributes[0] = attr("name", string_value(out));
	return o;
}

static CoreML__Specification__FeatureDescription *feature(const char *n)
{
	CoreML__Specification__FeatureDescription *f = malloc(sizeof *f);
	CoreML__Specification__FeatureType *t = malloc(sizeof *t);
	CoreML__Specification__ArrayFeatureType *a = malloc(sizeof *a);
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

static size_t build_spec(unsigned char **out, const char *blob_path,
			 uint64_t blob_offset)
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
	CoreML__Specification__MILSpec__Operation *ops[3];
	CoreML__Specification__FeatureDescription *in[1], *outf[1];
	CoreML__Specification__MILSpec__Program__FunctionsEntry *fes[] = {&fe};
	CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry *bes[] = {&be};
	CoreML__Specification__MILSpec__NamedValueType *fin[1];
	size_t n;

	bf.filename = (char *)blob_path;
	bf.offset = blob_offset;
	wv.type = tensor_type(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32, 2);
	wv.value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE;
	wv.blobfilevalue = &bf;
	ops[0] = op("const", "w", 0);
	ops[0]->n_attributes = 2;
	ops[0]->attributes[1] = attr("val", &wv);
	ops[1] = op("add", "y", 2, "x", "x", "y", "w");
	ops[2] = op("relu", "out", 1, "x", "y");
	block.n_operations = 3;
	block.operations = ops;
	block.n_outputs = 1;
	block.outputs = outs;
	be.key = "CoreML6";
	be.value = &block;
	fin[0] = named("x");
	fn.n_inputs = 1;
	fn.inputs = fin;
	fn.opset = "CoreML6";
	fn.n_block_specializations = 1;
	fn.block_specializations = bes;
	fe.key = "main";
	fe.value = &fn;
	prog.version = 1;
	prog.n_functions = 1;
	prog.functions = fes;
	in[0] = feature("x");
	outf[0] = feature("out");
	desc.n_input = 1;
	desc.input = in;
	desc.n_output = 1;
	desc.output = outf;
	model.specificationversion = 7;
	model.description = &desc;
	model.type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
	model.mlprogram = &prog;
	n = core_ml__specification__model__get_packed_size(&model);
	*out = malloc(n);
	core_ml__specification__model__pack(&model, *out);
	return n;
}

/* A blob file: header, one fp32 [1,4] blob record at 64, data at 128. */
static void write_weights(const char *path, long truncate)
{
	unsigned char b[144] = {0};
	float w[4] = {1.0f, -2.0f, 0.5f, 0.0f};
	uint32_t u;
	uint64_t q;

	u = 1;
	memcpy(b, &u, 4); /* count */
	u = 2;
	memcpy(b + 4, &u, 4); /* version */
	u = 0xDEADBEEFu;
	memcpy(b + 64, &u, 4);
	u = 2; /* Float32 */
	memcpy(b + 68, &u, 4);
	q = 16;
	memcpy(b + 72, &q, 8);
	q = 128;
	memcpy(b + 80, &q, 8);
	memcpy(b + 128, w, 16);
	write_file(path, b, truncate >= 0 && truncate < 144 ? (size_t)truncate : 144);
}

int main(int argc, char **argv)
{
	const char *root = "ROOT-ID", *blob_path = "@model_path/weights/weight.bin";
	const char *spec_file = NULL;
	uint64_t offset = 64;
	long trunc_w = -1, trunc_s = -1;
	int manifest = 1, weights = 1;
	char path[4096];
	unsigned char *spec;
	size_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: mkpkg OUT.mlpackage [options]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--blob-path") && v)
			blob_path = v, i++;
		else if (!strcmp(a, "--blob-offset") && v)
			offset = strtoull(v, NULL, 10), i++;
		else if (!strcmp(a, "--no-weight-file"))
			weights = 0;
		else if (!strcmp(a, "--truncate-weights") && v)
			trunc_w = atol(v), i++;
		else if (!strcmp(a, "--root") && v)
			root = v, i++;
		else if (!strcmp(a, "--no-manifest"))
			manifest = 0;
		else if (!strcmp(a, "--spec-bytes") && v)
			spec_file = v, i++;
		else if (!strcmp(a, "--truncate-spec") && v)
			trunc_s = atol(v), i++;
		else {
			fprintf(stderr, "mkpkg: bad option %s\n", a);
			return 2;
		}
	}
	snprintf(path, sizeof path, "%s/Data/com.apple.CoreML/weights", argv[1]);
	for (char *s = path + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(path, 0777) && errno != EEXIST)
				die(path);
			*s = '/';
		}
	if (mkdir(path, 0777) && errno != EEXIST)
		die(path);
	if (manifest) {
		char m[1024];
		int k = snprintf(m, sizeof m,
				 "{\n    \"fileFormatVersion\": \"1.0.0\",\n"
				 "    \"itemInfoEntries\": {\n"
				 "        \"ROOT-ID\": {\n"
				 "            \"author\": \"com.apple.CoreML\",\n"
				 "            \"description\": \"CoreML Model Specification\",\n"
				 "            \"name\": \"model.mlmodel\",\n"
				 "            \"path\": \"com.apple.CoreML/model.mlmodel\"\n"
				 "        }\n    },\n"
				 "    \"rootModelIdentifier\": \"%s\"\n}\n",
				 root);
		snprintf(path, sizeof path, "%s/Manifest.json", argv[1]);
		write_file(path, m, (size_t)k);
	}
	n = build_spec(&spec, blob_path, offset);
	if (spec_file) {
		FILE *f = fopen(spec_file, "rb");
		if (!f)
			die(spec_file);
		free(spec);
		spec = malloc(1 << 20);
		n = fread(spec, 1, 1 << 20, f);
		fclose(f);
	}
	if (trunc_s >= 0 && (size_t)trunc_s < n)
		n = (size_t)trunc_s;
	snprintf(path, sizeof path, "%s/Data/com.apple.CoreML/model.mlmodel", argv[1]);
	write_file(path, spec, n);
	free(spec);
	if (weights) {
		snprintf(path, sizeof path,
			 "%s/Data/com.apple.CoreML/weights/weight.bin", argv[1]);
		write_weights(path, trunc_w);
	}
	return 0;
}
