/*
** unicat.h -- the Unicode classes the tokenizer's pre-tokenizer regexes
** use: \p{L} (letters), \p{N} (numbers) and \s (White_Space).
**
** The letter/number ranges are generated (tools/gen-unicat.sh from
** Debian's unicode-data) into unicat.c; White_Space is a fixed list of 25
** code points (PropList.txt), small enough to be written by hand.
*/
#ifndef MLCC_CHAT_UNICAT_H
#define MLCC_CHAT_UNICAT_H

#include <stdbool.h>
#include <stdint.h>

enum unicat { UNICAT_OTHER = 0, UNICAT_LETTER, UNICAT_NUMBER };

struct unicat_range {
	uint32_t lo, hi; /* inclusive */
	enum unicat cat;
};

extern const struct unicat_range unicat_ranges[];
extern const unsigned unicat_nranges;

/* Canonical composition tables (uninorm.c, tools/gen-uninorm.sh). */
struct uninorm_ccc {
	uint32_t lo, hi;
	unsigned ccc; /* canonical combining class, non-zero */
};

struct uninorm_pair {
	uint32_t cp, a, b; /* cp <-> a b (b == 0: a singleton decomposition) */
};

extern const struct uninorm_ccc uninorm_ccc[];
extern const unsigned uninorm_nccc;
extern const struct uninorm_pair uninorm_decomp[]; /* sorted by cp */
extern const unsigned uninorm_ndecomp;
extern const struct uninorm_pair uninorm_comp[]; /* sorted by (a, b) */
extern const unsigned uninorm_ncomp;

/* The class of code point 'cp' (binary search over unicat_ranges). */
enum unicat unicat_of(uint32_t cp);

/* True for the White_Space code points (what \s matches in the regex
** engines Hugging Face tokenizers use). */
bool unicat_is_space(uint32_t cp);

#endif
