/*
** lex.c -- splitting model.mil text into tokens (grammar in lex.h).
**
** A hand-written scanner over [p, end).  Strings are only checked here
** (closing quote, valid escapes); decoding happens on demand because most
** strings the parser meets are op names it copies once.
*/
#include "mil/lex.h"

#include <stdio.h>
#include <string.h>

#include "base/hexfloat.h"

void mil_lex_init(struct lexer *lx, const char *text, size_t len)
{
	lx->p = text;
	lx->end = text + len;
	lx->line_start = text;
	lx->line = 1;
	lx->err = NULL;
	lx->err_line = lx->err_col = 0;
}

/* Character classes of the lexical grammar (lex.h). */
static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '@' || c == '.';
}

bool mil_is_ident(const char *s)
{
	if (!is_alpha(*s))
		return false;
	while (*++s)
		if (!is_ident_char(*s))
			return false;
	return true;
}

/* The 1-based byte column of 'at' on the current line. */
static unsigned col_of(const struct lexer *lx, const char *at)
{
	return (unsigned)(at - lx->line_start) + 1;
}

/* Record 'msg' at 'at'; returns -1. */
static int lex_error(struct lexer *lx, const char *at, const char *msg)
{
	lx->err = msg;
	lx->err_line = lx->line;
	lx->err_col = col_of(lx, at);
	return -1;
}

/* Skip whitespace, counting lines. */
static void skip_space(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			lx->line++;
			lx->line_start = lx->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		lx->p++;
	}
}

/* number: the leading "-" (if any) is already consumed.  Hex floats may
** carry a sign after their p/P exponent marker. */
static void scan_number(struct lexer *lx)
{
	bool hex = lx->end - lx->p >= 2 && lx->p[0] == '0' && (lx->p[1] == 'x' || lx->p[1] == 'X');

	while (lx->p < lx->end) {
		char c = *lx->p;
		if (is_alpha(c) || is_digit(c) || c == '.') {
			lx->p++;
		} else if ((c == '+' || c == '-') && hex &&
			   (lx->p[-1] == 'p' || lx->p[-1] == 'P')) {
			lx->p++;
		} else {
			break;
		}
	}
}

/* string: lx->p is at the opening quote. */
static int scan_string(struct lexer *lx)
{
	const char *open = lx->p;
	unsigned open_line = lx->line, open_col = col_of(lx, open);

	for (lx->p++; lx->p < lx->end; lx->p++) {
		char c = *lx->p;
		if (c == '"') {
			lx->p++;
			return 0;
		}
		if (c == '\n') {
			lx->line++;
			lx->line_start = lx->p + 1;
			continue;
		}
		if (c != '\\')
			continue;
		if (lx->end - lx->p < 2)
			break;
		c = lx->p[1];
		if (c == 'x') {
			if (lx->end - lx->p < 4 || hexfloat_digit(lx->p[2]) < 0 ||
			    hexfloat_digit(lx->p[3]) < 0)
				return lex_error(
					lx, lx->p,
					"malformed \\x escape in string (expected two hex digits)");
			if (hexfloat_digit(lx->p[2]) == 0 && hexfloat_digit(lx->p[3]) == 0)
				return lex_error(lx, lx->p, "NUL byte (\\x00) in string");
			lx->p += 3;
		} else if (c == '"' || c == '\\' || c == 'n' || c == 't' || c == 'r') {
			lx->p++;
		} else {
			return lex_error(lx, lx->p, "unknown escape in string");
		}
	}
	lx->err = "unterminated string";
	lx->err_line = open_line;
	lx->err_col = open_col;
	return -1;
}

int mil_lex_next(struct lexer *lx, struct token *out)
{
	const char *start;
	char c;

	skip_space(lx);
	start = lx->p;
	out->s = start;
	out->line = lx->line;
	out->col = col_of(lx, start);
	if (lx->p >= lx->end) {
		out->kind = TK_EOF;
		out->len = 0;
		return 0;
	}
	c = *lx->p;
	if (is_alpha(c)) {
		out->kind = TK_IDENT;
		while (lx->p < lx->end && is_ident_char(*lx->p))
			lx->p++;
	} else if (is_digit(c)) {
		out->kind = TK_NUMBER;
		scan_number(lx);
	} else if (c == '-' && lx->end - lx->p >= 2 && lx->p[1] == '>') {
		out->kind = TK_ARROW;
		lx->p += 2;
	} else if (c == '-' && lx->end - lx->p >= 2 && (is_digit(lx->p[1]) || is_alpha(lx->p[1]))) {
		out->kind = TK_NUMBER;
		lx->p++;
		scan_number(lx);
	} else if (c == '"') {
		out->kind = TK_STRING;
		if (scan_string(lx))
			return -1;
	} else if (c != '\0' && strchr("()[]{}<>,=;?*", c)) {
		out->kind = TK_PUNCT;
		lx->p++;
	} else {
		return lex_error(lx, start, "unexpected character");
	}
	out->len = (size_t)(lx->p - start);
	return 0;
}

bool mil_tok_is(const struct token *t, char c)
{
	return t->kind == TK_PUNCT && t->s[0] == c;
}

bool mil_tok_word(const struct token *t, const char *word)
{
	return t->kind == TK_IDENT && strlen(word) == t->len && memcmp(t->s, word, t->len) == 0;
}

char *mil_lex_string(struct arena *a, const struct token *t)
{
	char *out = arena_alloc(a, t->len), *q = out;

	if (!out)
		return NULL;
	for (size_t i = 1; i + 1 < t->len; i++) {
		char c = t->s[i];
		if (c != '\\') {
			*q++ = c;
			continue;
		}
		c = t->s[++i];
		if (c == 'x') {
			*q++ = (char)(hexfloat_digit(t->s[i + 1]) * 16 +
				      hexfloat_digit(t->s[i + 2]));
			i += 2;
		} else {
			*q++ = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
	}
	*q = '\0';
	return out;
}

void mil_tok_describe(const struct token *t, char *buf, size_t n)
{
	char text[48];
	size_t w = t->len > 40 ? 40 : t->len;

	/* Control bytes (a raw newline inside a string) would break the
	** one-line message. */
	for (size_t i = 0; i < w; i++)
		text[i] = (unsigned char)t->s[i] < 0x20 ? '?' : t->s[i];
	strcpy(text + w, t->len > 40 ? "..." : "");
	if (t->kind == TK_EOF)
		snprintf(buf, n, "end of input");
	else if (t->kind == TK_STRING)
		snprintf(buf, n, "string %s", text);
	else
		snprintf(buf, n, "'%s'", text);
}
