/*
** test_flexshape.c -- FlexibleShapeInformation and configuration keys.
**
** Expected strings are those of Apple's coremlc 3600.25.1 in the corpus
** (mil-text/mlmodelc-expor-head-flexible-enumerated and -flexible-range),
** the keys are the three VERIFIED ones of docs/spec/mlmodelc.md §4.4.
*/
#include <stdio.h>
#include <string.h>

#include "mil/flexshape.h"
#include "testkit.h"

static void expect_key(const char *raw, const char *want)
{
	char key[9];

	flexshape_config_key(raw, strlen(raw), key);
	if (strcmp(key, want) != 0) {
		fprintf(stderr, "key(%s) = %s, want %s\n", raw, key, want);
		tk_failures++;
	}
}

static void expect_raw(const int64_t *shape, size_t rank, const char *want)
{
	struct wbuf w;

	wbuf_init(&w);
	flexshape_raw_name(&w, "x", shape, rank);
	wbuf_putc(&w, '\0');
	if (strcmp((char *)w.data, want) != 0) {
		fprintf(stderr, "raw name %s, want %s\n", (char *)w.data, want);
		tk_failures++;
	}
	wbuf_free(&w);
}

static void expect_attr(const struct func_desc *fd, bool v13, const char *want)
{
	struct wbuf w;

	wbuf_init(&w);
	CHECK(flexshape_print(&w, fd, v13) == 0);
	wbuf_putc(&w, '\0');
	if (strcmp((char *)w.data, want) != 0) {
		fprintf(stderr, "got  %s\nwant %s\n", (char *)w.data, want);
		tk_failures++;
	}
	wbuf_free(&w);
}

int main(void)
{
	expect_key("input_1_1_1_1_1_", "543d0f94");
	expect_key("input_1_1_1_1_2_", "697b758f");
	expect_key("input_1_1_1_1_4_", "9e38c1a4");

	int64_t s4[] = {4}, s14[] = {1, 4}, s6[] = {2, 3, 4, 5, 6, 7};
	expect_raw(s4, 1, "x_1_1_1_1_4_");
	expect_raw(s14, 2, "x_1_1_1_1_4_");
	expect_raw(s6, 6, "x_6_4_5_6_7_"); /* seq = 2 * 3 */

	/* Enumerated: shapes [1], [2], [4], default [4]. */
	int64_t e1[] = {1}, e2[] = {2}, e4[] = {4};
	CoreML__Specification__ArrayFeatureType__Shape sh[3] = {
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE__INIT,
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE__INIT,
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE__INIT};
	sh[0].n_shape = sh[1].n_shape = sh[2].n_shape = 1;
	sh[0].shape = e1;
	sh[1].shape = e2;
	sh[2].shape = e4;
	CoreML__Specification__ArrayFeatureType__Shape *shp[] = {&sh[0], &sh[1], &sh[2]};
	CoreML__Specification__ArrayFeatureType__EnumeratedShapes es =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ENUMERATED_SHAPES__INIT;
	es.n_shapes = 3;
	es.shapes = shp;
	ArrayFeatureType arr = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__INIT;
	arr.n_shape = 1;
	arr.shape = e4;
	arr.datatype = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32;
	arr.shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_ENUMERATED_SHAPES;
	arr.enumeratedshapes = &es;
	FeatureType ft = CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT;
	ft.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	ft.multiarraytype = &arr;
	FeatureDescription in = CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT;
	in.name = "input";
	in.type = &ft;
	FeatureDescription *ins[] = {&in};
	ModelDescription desc = CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	desc.n_input = 1;
	desc.input = ins;
	struct func_desc fd;
	desc_function(&desc, "main", &fd);
	CHECK(flexshape_any(&fd));
	expect_attr(&fd, true,
		    "tuple<tuple<string, dict<string, tensor<int32, [?]>>>, "
		    "tuple<string, dict<string, dict<string, tensor<int32, [?]>>>>>"
		    "(((\"DefaultShapes\", {{\"input\", [4]}}), (\"EnumeratedShapes\", "
		    "{{\"543d0f94\", {{\"input\", [1]}}}, {\"697b758f\", {{\"input\", [2]}}}, "
		    "{\"9e38c1a4\", {{\"input\", [4]}}}})))");

	/* Range: [0, 4], default [4]; 1.3 and 1.0 spellings. */
	CoreML__Specification__SizeRange r = CORE_ML__SPECIFICATION__SIZE_RANGE__INIT;
	r.lowerbound = 0;
	r.upperbound = 4;
	CoreML__Specification__SizeRange *rs[] = {&r};
	CoreML__Specification__ArrayFeatureType__ShapeRange sr =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_RANGE__INIT;
	sr.n_sizeranges = 1;
	sr.sizeranges = rs;
	arr.shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE;
	arr.shaperange = &sr;
	expect_attr(&fd, true,
		    "tuple<tuple<string, dict<string, tensor<int32, [?]>>>, "
		    "tuple<string, dict<string, list<tensor<int32, [2]>, ?>>>>"
		    "(((\"DefaultShapes\", {{\"input\", [4]}}), (\"RangeDims\", "
		    "{{\"input\", [[0, 4]]}})))");
	expect_attr(
		&fd, false,
		"tuple<tuple<tensor<string, []>, dict<tensor<string, []>, tensor<int32, [?]>>>, "
		"tuple<tensor<string, []>, dict<tensor<string, []>, list<tensor<int32, [2]>, ?>>>>"
		"(((\"DefaultShapes\", {{\"input\", [4]}}), (\"RangeDims\", "
		"{{\"input\", [[0, 4]]}})))");

	/* Without flexibility nothing is printed. */
	arr.shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY__NOT_SET;
	CHECK(!flexshape_any(&fd));
	if (!tk_failures)
		printf("test_flexshape: keys, raw names and both attribute forms ok\n");
	return tk_failures != 0;
}
