/*
** test_nfc.c -- the NFC normalizer (src/chat/nfc.c).
**
** Fixed cases worked out from the Unicode Standard's definitions
** (composition of a base and its marks, canonical reordering, blocking,
** composition exclusions, singletons, Hangul), then -- when Debian's
** unicode-data is installed -- Unicode's own conformance file
** NormalizationTest.txt: for every line c1;c2;c3;c4;c5 the NFC of c1, c2
** and c3 is c2 and the NFC of c4 and c5 is c4 (the independent oracle;
** "nfc conformance N/N" is printed).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wbuf.h"
#include "chat/nfc.h"
#include "chat/pretok.h"
#include "testkit.h"

static int check(const char *in, const char *want, const char *what)
{
	struct wbuf w;
	int ok;

	wbuf_init(&w);
	nfc_append(in, strlen(in), &w);
	wbuf_putc(&w, '\0');
	ok = !wbuf_error(&w) && strcmp((const char *)w.data, want) == 0;
	if (!ok && what) {
		tk_failures++;
		fprintf(stderr, "nfc %s: got \"%s\", want \"%s\"\n", what, (const char *)w.data,
			want);
	}
	wbuf_free(&w);
	return ok;
}

static void fixed_cases(void)
{
	check("", "", "empty");
	check("hello", "hello", "ASCII");
	/* e + COMBINING ACUTE -> é (U+00E9). */
	check("e\xcc\x81", "\xc3\xa9", "e + acute");
	/* Already composed stays. */
	check("\xc3\xa9", "\xc3\xa9", "precomposed");
	/* a + dot below (220) + circumflex (230) in either order -> ậ
	** (U+1EAD): reordering puts the 220 mark first. */
	check("a\xcc\x82\xcc\xa3", "\xe1\xba\xad", "reordered marks");
	check("a\xcc\xa3\xcc\x82", "\xe1\xba\xad", "ordered marks");
	/* A + ring above -> Å (U+00C5); ANGSTROM SIGN (U+212B, a singleton)
	** becomes U+00C5 too. */
	check("A\xcc\x8a", "\xc3\x85", "A + ring");
	check("\xe2\x84\xab", "\xc3\x85", "Angstrom sign");
	/* U+0958 (DEVANAGARI QA) is excluded: it stays decomposed as
	** U+0915 U+093C. */
	check("\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc", "composition exclusion");
	/* Hangul: L V T jamo compose to 한 (U+D55C); the syllable stays. */
	check("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c", "Hangul LVT");
	check("\xed\x95\x9c", "\xed\x95\x9c", "Hangul syllable");
	/* A mark with nothing to attach to stays; bytes that are not UTF-8
	** pass through. */
	check("\xcc\x81x", "\xcc\x81x", "leading mark");
	check("a\xff\x80z", "a\xff\x80z", "invalid bytes");
}

/* Hex code points "0041 0301" -> UTF-8. */
static void from_hex(const char *field, char *out, size_t cap)
{
	size_t n = 0;
	char *end;

	for (const char *p = field; *p;) {
		unsigned long cp = strtoul(p, &end, 16);
		if (end == p)
			break;
		if (n + 5 < cap)
			n += utf8_encode((uint32_t)cp, out + n);
		p = end;
	}
	out[n] = '\0';
}

static void conformance(void)
{
	FILE *f = popen("bzcat /usr/share/unicode/NormalizationTest.txt.bz2 2>/dev/null", "r");
	char line[2048], c[5][512];
	size_t total = 0, good = 0;

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *field[5];
		int k = 0;
		if (line[0] == '#' || line[0] == '@' || line[0] == '\n')
			continue;
		for (; k < 5; k++) {
			char *semi = strchr(p, ';');
			if (!semi)
				break;
			*semi = '\0';
			field[k] = p;
			p = semi + 1;
		}
		if (k < 5)
			continue;
		for (k = 0; k < 5; k++)
			from_hex(field[k], c[k], sizeof c[k]);
		total++;
		if (check(c[0], c[1], NULL) && check(c[1], c[1], NULL) && check(c[2], c[1], NULL) &&
		    check(c[3], c[3], NULL) && check(c[4], c[3], NULL))
			good++;
		else if (total - good <= 5)
			fprintf(stderr, "nfc conformance: line %s;%s;%s;%s;%s fails\n", field[0],
				field[1], field[2], field[3], field[4]);
	}
	pclose(f);
	if (total) {
		printf("nfc conformance %zu/%zu\n", good, total);
		if (good != total)
			tk_failures++;
	} else
		printf("nfc conformance: NormalizationTest.txt not found (apt-get install "
		       "unicode-data), fixed cases only\n");
}

int main(void)
{
	fixed_cases();
	conformance();
	if (tk_failures)
		fprintf(stderr, "test_nfc: %d failure(s)\n", tk_failures);
	return tk_failures ? 1 : 0;
}
