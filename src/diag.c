/*
** diag.c -- recording the first error of an operation.
*/
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
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

int diag_errno(struct mlcc_diag *d, const char *path, const char *what,
	       int err)
{
	int status = err == ENOMEM ? MLCC_E_NOMEM : MLCC_E_IO;

	return diag_fail(d, status, "%s: %s: %s", path, what, strerror(err));
}

void diag_clear(struct mlcc_diag *d)
{
	if (d) {
		d->status = MLCC_OK;
		d->message[0] = '\0';
	}
}

const char *mlcc_status_name(int status)
{
	switch (status) {
	case MLCC_OK: return "ok";
	case MLCC_E_IO: return "I/O error";
	case MLCC_E_CORRUPT: return "malformed input";
	case MLCC_E_UNSUPPORTED: return "unsupported input";
	case MLCC_E_NOMEM: return "out of memory";
	case MLCC_E_USAGE: return "usage error";
	case MLCC_E_INTERNAL: return "internal error";
	}
	return "unknown status";
}
