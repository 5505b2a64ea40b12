/*
** diag.c -- recording the first error of an operation.
*/
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at 's' (1..4; 'n' bytes there), or 0
** when it is not one: overlong forms, surrogates and code points past
** U+10FFFF are invalid, as RFC 3629 says. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], need, cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < need + 1)
		return 0;
	for (unsigned i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

bool diag_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0, k; i < n; i += k)
		if (!(k = utf8_len(p + i, n - i)))
			return false;
	return true;
}

/* THE escaping rule of mlcc, for everything from an input that is printed
** (diag_quote, the message net in diag_fail, diag_put): the character at
** 's' (at most 'n' bytes) as it may be shown, written to 'out' (up to 4
** bytes, not terminated); returns how many bytes of 's' it took and sets
** '*len' to the bytes written.  Control characters and DEL become C
** escapes, bytes that are not valid UTF-8 become \xNN (a terminal never
** sees them raw), valid UTF-8 passes whole.  With 'quotes', quotes and
** backslashes are escaped too, so a quoted name cannot end early. */
static size_t escape1(const char *s, size_t n, bool quotes, char out[4], size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch = (unsigned char)*s;
	size_t k = utf8_len((const unsigned char *)s, n);

	out[0] = '\\';
	*len = 2;
	if (ch == '\n')
		out[1] = 'n';
	else if (ch == '\t')
		out[1] = 't';
	else if (ch == '\r')
		out[1] = 'r';
	else if (quotes && (ch == '\\' || ch == '\'' || ch == '"'))
		out[1] = (char)ch;
	else if (ch < 0x20 || ch == 0x7f || k == 0) {
		out[1] = 'x';
		out[2] = hex[ch >> 4];
		out[3] = hex[ch & 15];
		*len = 4;
	} else {
		memcpy(out, s, k);
		*len = k;
		return k;
	}
	return 1;
}

/* Rewrite the message in place through escape1 (no quote escaping): a
** message stays one line even when a name reached it without diag_quote(),
** so no input can print a second "mlcc: error:" line. */
static void escape_message(char *msg, size_t cap)
{
	char raw[sizeof((struct mlcc_diag *)0)->message];
	size_t n = strlen(msg), o = 0;

	if (n >= sizeof raw || n == 0)
		return;
	if (diag_utf8_valid(msg, n)) {
		bool clean = true;
		for (size_t i = 0; i < n && clean; i++)
			clean = (unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f;
		if (clean)
			return;
	}
	memcpy(raw, msg, n + 1);
	for (size_t i = 0; i < n;) {
		char e[4];
		size_t len, took = escape1(raw + i, n - i, false, e, &len);
		if (o + len >= cap)
			break;
		memcpy(msg + o, e, len);
		o += len;
		i += took;
	}
	msg[o] = '\0';
}

int diag_fail(struct mlcc_diag *d, int status, const char *fmt, ...)
{
	va_list ap;

	if (!d || d->status != MLCC_OK)
		return status;
	d->status = status;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
	escape_message(d->message, sizeof d->message);
	return status;
}

int diag_errno(struct mlcc_diag *d, const char *path, const char *what, int err)
{
	/* Out of memory reads the same wherever it happens. */
	if (err == ENOMEM)
		return diag_fail(d, MLCC_E_NOMEM, "%s: %s: out of memory", path, what);
	return diag_fail(d, MLCC_E_IO, "%s: %s: %s", path, what, strerror(err));
}

void diag_name_file(struct mlcc_diag *d, const char *name, const char *path)
{
	size_t n = name ? strlen(name) : 0;

	if (d && d->status != MLCC_OK && n && strncmp(d->message, name, n) == 0 &&
	    d->message[n] == ':')
		diag_replace(d, name, path);
}

/* 's' escaped into buf[cap] (escape1's rule, 'quoted' as there), cut with
** "..." when it does not fit. */
static const char *escape_into(char *buf, size_t cap, const char *s, bool quoted)
{
	size_t n = 0, left = strlen(s);

	MLCC_ASSERT(cap >= 8);
	while (left) {
		char e[4];
		size_t len, took = escape1(s, left, quoted, e, &len);
		if (n + len > cap - 4) /* room for "...\0" */
			break;
		memcpy(buf + n, e, len);
		n += len;
		s += took;
		left -= took;
	}
	if (left)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

const char *diag_quote(char buf[DIAG_QUOTE_MAX], const char *s)
{
	return escape_into(buf, DIAG_QUOTE_MAX - 1, s, true);
}

const char *diag_escape(char *buf, size_t cap, const char *s)
{
	return escape_into(buf, cap, s, false);
}

size_t diag_put(FILE *out, const char *s)
{
	size_t left = s ? strlen(s) : 0, put = 0;

	while (left) {
		char e[4];
		size_t len, took = escape1(s, left, false, e, &len);
		fwrite(e, 1, len, out);
		put += len;
		s += took;
		left -= took;
	}
	return put;
}

void diag_replace(struct mlcc_diag *d, const char *from, const char *to)
{
	char *at = d && from && *from ? strstr(d->message, from) : NULL;
	char rest[sizeof d->message];

	if (!at)
		return;
	snprintf(rest, sizeof rest, "%s", at + strlen(from));
	*at = '\0';
	snprintf(at, sizeof d->message - (size_t)(at - d->message), "%s%s", to, rest);
	escape_message(d->message, sizeof d->message);
}

void diag_clear(struct mlcc_diag *d)
{
	if (d) {
		d->status = MLCC_OK;
		d->message[0] = '\0';
	}
}

#ifdef MLCC_DEBUG
void mlcc_assert_fail(const char *cond, const char *file, int line)
{
	fprintf(stderr, "mlcc: internal error: %s:%d: assertion '%s' failed\n", file, line, cond);
	abort();
}
#endif
