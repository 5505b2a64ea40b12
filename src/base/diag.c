/*
** diag.c -- recording the first error of an operation.
*/
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int diag_fail(struct mlcc_diag *d, int status, const char *fmt, ...)
{
	va_list ap;

	if (!d || d->status != MLCC_OK)
		return status;
	d->status = status;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
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

const char *diag_quote(char buf[DIAG_QUOTE_MAX], const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, limit = DIAG_QUOTE_MAX - 5; /* room for "...\0" */

	for (; *s && n < limit; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[4] = {'\\', 0, 0, 0};
		size_t len = 2;
		if (ch == '\n')
			esc[1] = 'n';
		else if (ch == '\t')
			esc[1] = 't';
		else if (ch == '\r')
			esc[1] = 'r';
		else if (ch == '\\' || ch == '\'' || ch == '"')
			esc[1] = (char)ch;
		else if (ch < 0x20 || ch == 0x7f) {
			esc[1] = 'x';
			esc[2] = hex[ch >> 4];
			esc[3] = hex[ch & 15];
			len = 4;
		} else {
			esc[0] = (char)ch;
			len = 1;
		}
		if (n + len > limit)
			break;
		memcpy(buf + n, esc, len);
		n += len;
	}
	if (*s)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
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
