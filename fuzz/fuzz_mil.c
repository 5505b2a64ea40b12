/*
** fuzz_mil.c -- model.mil text -> model -> model.mil again, and the
** description derived from it.  What parses must print and describe
** without crashing.
*/
#include <string.h>

#include "bundle/bundle.h"
#include "fuzz.h"
#include "mil/mil.h"
#include "model/stamp.h"
#include "model/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m = NULL;
	struct mil_info info;

	arena_init(&a);
	if (mil_parse(&a, "fuzz.mil", (const char *)data, size, &m, &info, &d) == 0) {
		struct stamp st;
		struct emit_ctx c;
		struct wbuf w;
		memset(&c, 0, sizeof c);
		m->spec_version = strcmp(info.dialect, "1.3") == 0 ? 9 : 7;
		validate_model(m, "fuzz.mil", &d);
		if (stamp_init(&st, NULL, NULL, &d) == 0) {
			c.model = m;
			c.stamp = &st;
			c.diag = &d;
			wbuf_init(&w);
			mil_print(m, &st, &w, &d);
			wbuf_free(&w);
		}
		mil_describe(m, &d);
	}
	arena_free(&a);
	return 0;
}
