/*
** lex.h -- the tokens of model.mil text.
**
** Lexical grammar (what print.c prints, plus free whitespace):
**
**   ident   = [A-Za-z_] [A-Za-z0-9_@.]*
**   number  = ["-"] DIGIT {ALNUM | "."}          decimal ints, `1.0`,
**             with "+"/"-" allowed after p/P       hex floats `-0x1.8p-3`
**           | "-" ALPHA {ALNUM}                  `-inf`
**   string  = '"' {char | escape} '"'            escape = \" \\ \n \t \r \xHH
**   arrow   = "->"
**   punct   = one of ( ) [ ] { } < > , = ; ? *
**
** Whitespace is space, tab, CR and LF.  Positions are 1-based lines and
** 1-based byte columns.  The lexer never reads past the end it was given
** (the text need not be NUL-terminated) and allocates nothing: tokens point
** into the text; mil_lex_string() decodes a string token into an arena.
*/
#ifndef MLCC_MIL_LEX_H
#define MLCC_MIL_LEX_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"

enum tok_kind { TK_EOF, TK_IDENT, TK_NUMBER, TK_STRING, TK_ARROW, TK_PUNCT };

struct token {
	enum tok_kind kind;
	const char *s; /* the token's text (strings: with their quotes) */
	size_t len;
	unsigned line, col;
};

struct lexer {
	const char *p, *end;
	const char *line_start;
	unsigned line;
	const char *err; /* after a failed mil_lex_next: what went wrong */
	unsigned err_line, err_col;
};

/* A lexer over 'len' bytes of 'text'. */
void mil_lex_init(struct lexer *lx, const char *text, size_t len);

/* The next token into 'out'.  Returns 0, or -1 with lx->err (a static
** message) and its position set: an unexpected character, an unterminated
** string or a bad escape. */
MLCC_MUST_CHECK int mil_lex_next(struct lexer *lx, struct token *out);

/* True when 't' is the punctuation character 'c'. */
bool mil_tok_is(const struct token *t, char c);

/* True when 't' is the identifier 'word'. */
bool mil_tok_word(const struct token *t, const char *word);

/* The decoded text of string token 't' (escapes resolved), NUL-terminated,
** in 'a'; NULL when out of memory.  't' must come from mil_lex_next. */
char *mil_lex_string(struct arena *a, const struct token *t);

/* A short printable description of 't' for messages: `';'`, `'foo'`,
** `string "abc"`, `end of input` (truncated to fit 'n' bytes). */
void mil_tok_describe(const struct token *t, char *buf, size_t n);

/* True when NUL-terminated 's' is one whole ident token: the names that
** model.mil can print bare (MIL has no quoting for names). */
bool mil_is_ident(const char *s);

#endif
