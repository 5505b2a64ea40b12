/*
** fuzz_mil.c -- model.mil text -> model -> model.mil again, and the
** description derived from it.  What parses must print and describe
** without crashing, and a valid program must round-trip: its printed text
** parses again and prints to the same bytes; a refusal is one line.
*/
#include <string.h>

#include "base/wbuf.h"
#include "fuzz.h"
#include "mil/mil.h"
#include "model/stamp.h"
#include "mil/validate.h"
#include "ops/ops.h"

/* Print 'm' stamped as its text said; NULL when printing failed. */
static char *print(struct model *m, const struct mil_info *info, size_t *len)
{
	struct mlcc_diag d = {0, ""};
	struct stamp st;
	struct wbuf w;
	char *out = NULL;

	if (stamp_init_any(&st, info->coremlc_version, info->coremlc_mil, &d))
		return NULL;
	wbuf_init(&w);
	if (mil_print(m, &st, &w, &d) == 0 && !wbuf_error(&w)) {
		out = (char *)w.data;
		*len = w.len;
		return out;
	}
	wbuf_free(&w);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m = NULL, *m2 = NULL;
	struct mil_info info, info2;

	arena_init(&a);
	if (mil_parse(&a, "fuzz.mil", (const char *)data, size, &m, &info, &d) == 0) {
		size_t n1 = 0, n2 = 0;
		char *t1, *t2;
		m->spec_version = strcmp(info.dialect, "1.3") == 0 ? 9 : 7;
		if (validate_model(m, "fuzz.mil", &d) == 0 && (t1 = print(m, &info, &n1))) {
			FUZZ_REQUIRE(mil_parse(&a, "printed.mil", t1, n1, &m2, &info2, &d) == 0,
				     d.message);
			m2->spec_version = m->spec_version;
			t2 = print(m2, &info2, &n2);
			FUZZ_REQUIRE(t2 && n1 == n2 && memcmp(t1, t2, n1) == 0,
				     "printed text prints differently");
			free(t1);
			free(t2);
		}
		if (validate_model(m, "fuzz.mil", &d) == 0) {
			if (ops_check(m, "fuzz.mil", NULL, NULL, NULL, &d) != 0)
				FUZZ_MESSAGE_OK(&d);
		}
		if (mil_describe(m, &d) != 0)
			FUZZ_MESSAGE_OK(&d);
	} else {
		FUZZ_MESSAGE_OK(&d);
	}
	arena_free(&a);
	return 0;
}
