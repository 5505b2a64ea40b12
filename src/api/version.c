/*
** version.c -- what the library says about itself.
*/
#include "mlcc.h"

unsigned mlcc_version_number(void)
{
	return MLCC_VERSION_NUMBER;
}

const char *mlcc_version(void)
{
	return MLCC_VERSION_STRING;
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
