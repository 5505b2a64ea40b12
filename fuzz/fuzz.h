/*
** fuzz.h -- shared by the fuzz targets.
**
** Each fuzz_<name>.c defines LLVMFuzzerTestOneInput for one parser of
** mlcc.  Built with clang -fsanitize=fuzzer (MLCC_FUZZ=ON) they are
** libFuzzer targets; otherwise they link with replay.c into programs that
** run the target on the files named on the command line -- how the saved
** crashes in fuzz/regressions/<name>/ run as tests under gcc.
*/
#ifndef MLCC_FUZZ_H
#define MLCC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A status a target does not act on: any outcome is fine as long as
** nothing crashes (the sanitizers watch the rest). */
static inline void fuzz_any(int status)
{
	(void)status;
}

/* An oracle: what must hold for every input, or the target aborts (a
** finding, like a crash). */
#define FUZZ_REQUIRE(cond, what)                                                                   \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz oracle failed: %s\n", what);                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The oracle every target applies to a failure: its message is one line
** of valid UTF-8 (diag.c escapes whatever an input put in a name), so no
** input can forge a second "mlcc: error:" line. */
#define FUZZ_MESSAGE_OK(d)                                                                         \
	FUZZ_REQUIRE(!strchr((d)->message, '\n') &&                                                \
			     diag_utf8_valid((d)->message, strlen((d)->message)),                  \
		     "message is not one line of UTF-8")

#endif
