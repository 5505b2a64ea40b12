/*
** pretok.c -- the regex splits of pretok.h as hand-written scanners.
**
** The text is decoded once into code points with their byte offsets and
** classes; each alternative of the regex is a function that returns where
** its match at position i ends (== i: no match), tried in the regex's
** order.  Greedy quantifiers followed by something that must match are
** resolved the way a backtracking engine would (comments at each one).
*/
#include "chat/pretok.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chat/unicat.h"

enum cls { C_OTHER, C_LETTER, C_NUMBER, C_SPACE };

struct scan {
	size_t n;	    /* code points */
	uint32_t *cp;	    /* n code points */
	size_t *off;	    /* n+1 byte offsets */
	unsigned char *cls; /* n enum cls */
};

/* The regexes as tokenizer.json spells them (after JSON unescaping). */
static const char re_gpt2[] =
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
static const char re_llama3[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
	"?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char re_qwen2[] = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
			       "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

enum pretok_split pretok_from_regex(const char *pattern)
{
	if (strcmp(pattern, re_gpt2) == 0)
		return PRETOK_GPT2;
	if (strcmp(pattern, re_llama3) == 0)
		return PRETOK_LLAMA3;
	if (strcmp(pattern, re_qwen2) == 0)
		return PRETOK_QWEN2;
	return PRETOK_NONE;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, v = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, v = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, v = s[0] & 0x07, min = 0x10000;
	else
		goto bad;
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = v << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The scanner class of a code point. */
static unsigned char class_of(uint32_t cp)
{
	if (unicat_is_space(cp))
		return C_SPACE;
	switch (unicat_of(cp)) {
	case UNICAT_LETTER: return C_LETTER;
	case UNICAT_NUMBER: return C_NUMBER;
	default: return C_OTHER;
	}
}

/* Decode 'text' into s (code points, offsets, classes); -1 when out of memory. */
static int scan_init(struct scan *s, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0;

	s->n = 0;
	s->cp = malloc((len + 1) * sizeof *s->cp);
	s->off = malloc((len + 1) * sizeof *s->off);
	s->cls = malloc(len + 1);
	if (!s->cp || !s->off || !s->cls)
		return -1;
	while (i < len) {
		s->off[s->n] = i;
		i += utf8_decode(t + i, len - i, &s->cp[s->n]);
		s->cls[s->n] = class_of(s->cp[s->n]);
		s->n++;
	}
	s->off[s->n] = len;
	return 0;
}

/* Release what scan_init allocated. */
static void scan_free(struct scan *s)
{
	free(s->cp);
	free(s->off);
	free(s->cls);
}

/* Whether code point i exists and is \r or \n. */
static bool is_nl(const struct scan *s, size_t i)
{
	return i < s->n && (s->cp[i] == '\r' || s->cp[i] == '\n');
}

/* Whether code point i exists and is of class 'c'. */
static bool is(const struct scan *s, size_t i, enum cls c)
{
	return i < s->n && s->cls[i] == c;
}

/* The end of the run of class 'c' from i, at most 'max' long. */
static size_t run(const struct scan *s, size_t i, enum cls c, size_t max)
{
	size_t j = i;

	while (j < s->n && s->cls[j] == c && j - i < max)
		j++;
	return j;
}

/* ASCII lower case (what (?i:) folds for the contractions). */
static uint32_t lower(uint32_t cp)
{
	return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

/* 's|'t|'re|'ve|'m|'ll|'d, case-insensitive when 'fold' (the (?i:...)
** group folds only these ASCII letters that matter here). */
static size_t m_contraction(const struct scan *s, size_t i, bool fold)
{
	uint32_t a, b;

	if (s->cp[i] != '\'' || i + 1 >= s->n)
		return i;
	a = fold ? lower(s->cp[i + 1]) : s->cp[i + 1];
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	if (i + 2 >= s->n)
		return i;
	b = fold ? lower(s->cp[i + 2]) : s->cp[i + 2];
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
		return i + 3;
	return i;
}

/* ' ?' followed by a non-empty run of class 'c' (unbounded when 'c' is
** C_OTHER, which here means [^\s\p{L}\p{N}]).  The optional space is
** greedy: taken when the run follows it. */
static size_t m_space_run(const struct scan *s, size_t i, enum cls c)
{
	size_t j = i;

	if (s->cp[j] == ' ' && is(s, j + 1, c))
		j++;
	if (!is(s, j, c))
		return i;
	return run(s, j, c, SIZE_MAX);
}

/* \s+(?!\S): the whitespace run, less its last character when a
** non-space follows (that character then starts the next piece, as
** backtracking finds); no match when that leaves nothing. */
static size_t m_space_not_before_nonspace(const struct scan *s, size_t i)
{
	size_t j = run(s, i, C_SPACE, SIZE_MAX);

	if (j == i)
		return i;
	if (j == s->n)
		return j;
	return j - 1 > i ? j - 1 : i;
}

/* The end of the GPT-2 piece that starts at i. */
static size_t next_gpt2(const struct scan *s, size_t i)
{
	size_t e;

	if ((e = m_contraction(s, i, false)) > i)
		return e;
	if ((e = m_space_run(s, i, C_LETTER)) > i)
		return e;
	if ((e = m_space_run(s, i, C_NUMBER)) > i)
		return e;
	if ((e = m_space_run(s, i, C_OTHER)) > i)
		return e;
	if ((e = m_space_not_before_nonspace(s, i)) > i)
		return e;
	return run(s, i, C_SPACE, SIZE_MAX);
}

/* [^\r\n\p{L}\p{N}]?\p{L}+ : one optional leading character that is not a
** newline, letter or number (so a space or punctuation), then letters. */
static size_t m_letters(const struct scan *s, size_t i)
{
	size_t j = i;

	if (!is_nl(s, i) && (s->cls[i] == C_OTHER || s->cls[i] == C_SPACE) &&
	    is(s, i + 1, C_LETTER))
		j++;
	if (!is(s, j, C_LETTER))
		return i;
	return run(s, j, C_LETTER, SIZE_MAX);
}

/* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
static size_t m_punct(const struct scan *s, size_t i)
{
	size_t e = m_space_run(s, i, C_OTHER);

	if (e == i)
		return i;
	while (is_nl(s, e))
		e++;
	return e;
}

/* \s*[\r\n]+ : the greedy \s* gives back characters until [\r\n]+ can
** match, so the piece ends just after the last newline of the whitespace
** run. */
static size_t m_space_newlines(const struct scan *s, size_t i)
{
	size_t j = run(s, i, C_SPACE, SIZE_MAX), end = i;

	for (size_t k = i; k < j; k++)
		if (is_nl(s, k))
			end = k + 1;
	return end;
}

/* The end of the Llama 3 (max_digits 3) or Qwen2 (1) piece that starts at i. */
static size_t next_llama3(const struct scan *s, size_t i, size_t max_digits)
{
	size_t e;

	if ((e = m_contraction(s, i, true)) > i)
		return e;
	if ((e = m_letters(s, i)) > i)
		return e;
	if (s->cls[i] == C_NUMBER)
		return run(s, i, C_NUMBER, max_digits);
	if ((e = m_punct(s, i)) > i)
		return e;
	if ((e = m_space_newlines(s, i)) > i)
		return e;
	if ((e = m_space_not_before_nonspace(s, i)) > i)
		return e;
	return run(s, i, C_SPACE, SIZE_MAX);
}

int pretok_run(enum pretok_split kind, const char *text, size_t len, pretok_fn fn, void *ctx)
{
	struct scan s;
	int rc = 0;

	if (kind == PRETOK_NONE)
		return len ? fn(ctx, 0, len) : 0;
	if (scan_init(&s, text, len) != 0) {
		scan_free(&s);
		return MLCC_E_NOMEM;
	}
	for (size_t i = 0; i < s.n && rc == 0;) {
		size_t e = kind == PRETOK_GPT2	   ? next_gpt2(&s, i)
			   : kind == PRETOK_LLAMA3 ? next_llama3(&s, i, 3)
						   : next_llama3(&s, i, 1);
		/* Every alternation ends in \s+ or a class that covers the
		** rest, so e > i; one character is the safe fallback. */
		if (e <= i)
			e = i + 1;
		rc = fn(ctx, s.off[i], s.off[e] - s.off[i]);
		i = e;
	}
	scan_free(&s);
	return rc;
}
