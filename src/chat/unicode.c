/*
** unicode.c -- class lookups over the generated tables (unicat.c) and the
** White_Space list.
*/
#include "chat/unicat.h"

enum unicat unicat_of(uint32_t cp)
{
	unsigned lo = 0, hi = unicat_nranges;

	/* ASCII is most of every prompt: answer it without the search. */
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return UNICAT_LETTER;
		return cp >= '0' && cp <= '9' ? UNICAT_NUMBER : UNICAT_OTHER;
	}
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (cp < unicat_ranges[mid].lo)
			hi = mid;
		else if (cp > unicat_ranges[mid].hi)
			lo = mid + 1;
		else
			return unicat_ranges[mid].cat;
	}
	return UNICAT_OTHER;
}

bool unicat_is_space(uint32_t cp)
{
	/* PropList.txt White_Space: 0009..000D, 0020, 0085, 00A0, 1680,
	** 2000..200A, 2028, 2029, 202F, 205F, 3000. */
	if (cp <= 0x20)
		return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
	if (cp < 0x85)
		return false;
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}
