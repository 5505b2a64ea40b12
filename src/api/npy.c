/*
** npy.c -- NumPy .npy files: mlcc_npy_read (format 1.0, 2.0 and 3.0) and
** mlcc_npy_write (1.0, atomic).
**
** The format: the magic "\x93NUMPY", major and minor version bytes, the
** header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0),
** then the header, a Python dict literal
**   {'descr': '<f2', 'fortran_order': False, 'shape': (1, 4), }
** padded with spaces and ending in '\n' so that the data starts 64-byte
** aligned (16 in old writers: any alignment is accepted), then the
** elements in C order.  Accepted element types: f2 f4 f8 i1 u1 i2 u2 i4 u4
** i8 u8 b1, little-endian ('<'), not applicable ('|') or native ('=', the
** hosts mlcc runs on are little-endian).  Refused with a message naming
** the file: big-endian data, Fortran order, any other type, a malformed
** header, a data size that is not exactly shape x element size.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/os.h"
#include "runtime/rt.h"

#define NPY_MAX_FILE ((size_t)1 << 40)

static const struct {
	char kind;
	int size;
	enum mlcc_dtype dtype;
} npy_types[] = {
	{'f', 2, MLCC_FLOAT16}, {'f', 4, MLCC_FLOAT32}, {'f', 8, MLCC_FLOAT64},
	{'i', 1, MLCC_INT8},	{'u', 1, MLCC_UINT8},	{'i', 2, MLCC_INT16},
	{'u', 2, MLCC_UINT16},	{'i', 4, MLCC_INT32},	{'u', 4, MLCC_UINT32},
	{'i', 8, MLCC_INT64},	{'u', 8, MLCC_UINT64},	{'b', 1, MLCC_BOOL},
};

/* The value text after key 'key' in the header dict, or NULL. */
static const char *dict_value(const char *h, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof pat, "'%s'", key);
	if ((p = strstr(h, pat)) == NULL) {
		snprintf(pat, sizeof pat, "\"%s\"", key);
		if ((p = strstr(h, pat)) == NULL)
			return NULL;
	}
	p += strlen(pat);
	while (isspace((unsigned char)*p))
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int bad(struct mlcc_diag *d, const char *path, const char *what)
{
	return diag_fail(d, MLCC_E_CORRUPT, "%s: not a valid .npy file: %s", path, what);
}

/* 'descr' -> dtype. */
static int parse_descr(const char *p, const char *path, enum mlcc_dtype *dt, struct mlcc_diag *d)
{
	char q = *p, order, kind;
	int size;

	if (q != '\'' && q != '"')
		return bad(d, path, "'descr' is not a string");
	order = p[1];
	kind = p[2];
	if (!isdigit((unsigned char)p[3]) || p[4] != q)
		return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: unsupported .npy element type", path);
	size = p[3] - '0';
	if (order == '>' && size > 1)
		return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: big-endian .npy data is not supported",
				 path);
	if (order != '<' && order != '|' && order != '=' && order != '>')
		return bad(d, path, "'descr' has no byte order");
	for (size_t i = 0; i < sizeof npy_types / sizeof *npy_types; i++)
		if (npy_types[i].kind == kind && npy_types[i].size == size) {
			*dt = npy_types[i].dtype;
			return MLCC_OK;
		}
	return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: unsupported .npy element type '%c%d'", path,
			 kind, size);
}

/* 'shape' tuple -> rank and dimensions. */
static int parse_shape(const char *p, const char *path, struct mlcc_tensor *t, struct mlcc_diag *d)
{
	if (*p++ != '(')
		return bad(d, path, "'shape' is not a tuple");
	t->rank = 0;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ')')
			return MLCC_OK;
		if (!isdigit((unsigned char)*p))
			return bad(d, path, "'shape' holds something other than sizes");
		if (t->rank == MLCC_MAX_RANK)
			return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: more than %d dimensions", path,
					 MLCC_MAX_RANK);
		int64_t v = 0;
		while (isdigit((unsigned char)*p)) {
			if (v > (INT64_MAX - 9) / 10)
				return bad(d, path, "a dimension is too large");
			v = v * 10 + (*p++ - '0');
		}
		t->shape[t->rank++] = v;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		else if (*p != ')')
			return bad(d, path, "'shape' is malformed");
	}
}

/* Parse the header text (NUL-terminated) into 't' (no data yet). */
static int parse_header(const char *h, const char *path, struct mlcc_tensor *t, struct mlcc_diag *d)
{
	const char *descr = dict_value(h, "descr"), *fo = dict_value(h, "fortran_order"),
		   *shape = dict_value(h, "shape");
	int rc;

	if (*h != '{' || !descr || !fo || !shape)
		return bad(d, path, "header lacks 'descr', 'fortran_order' or 'shape'");
	if (strncmp(fo, "True", 4) == 0)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: Fortran-order .npy data is not supported", path);
	if (strncmp(fo, "False", 5) != 0)
		return bad(d, path, "'fortran_order' is not True or False");
	if ((rc = parse_descr(descr, path, &t->dtype, d)) != MLCC_OK)
		return rc;
	return parse_shape(shape, path, t, d);
}

int mlcc_npy_read(const char *path, struct mlcc_tensor *t, struct mlcc_diag *diag)
{
	uint8_t *buf;
	size_t len, hlen, start, count, es;
	char *h;
	int rc;

	diag_clear(diag);
	memset(t, 0, sizeof *t);
	if ((rc = os_read_file(path, NPY_MAX_FILE, &buf, &len, diag)) != MLCC_OK)
		return rc;
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
		free(buf);
		return bad(diag, path, "no \\x93NUMPY magic");
	}
	if (buf[6] == 1) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		start = 10;
	} else if ((buf[6] == 2 || buf[6] == 3) && len >= 12) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
		       (size_t)buf[11] << 24;
		start = 12;
	} else {
		free(buf);
		return diag_fail(diag, MLCC_E_UNSUPPORTED, "%s: .npy format version %u.%u", path,
				 buf[6], buf[7]);
	}
	if (hlen > len - start) {
		free(buf);
		return bad(diag, path, "header runs past the end of the file");
	}
	if ((h = malloc(hlen + 1)) == NULL) {
		free(buf);
		return diag_fail(diag, MLCC_E_NOMEM, "%s: out of memory", path);
	}
	memcpy(h, buf + start, hlen);
	h[hlen] = '\0';
	rc = parse_header(h, path, t, diag);
	free(h);
	start += hlen;
	if (rc == MLCC_OK) {
		es = mlcc_dtype_size(t->dtype);
		count = rt_shape_count(t->rank, t->shape);
		if (count == SIZE_MAX || count > SIZE_MAX / es || len - start != count * es)
			rc = diag_fail(diag, MLCC_E_CORRUPT,
				       "%s: not a valid .npy file: %zu data bytes for the shape's "
				       "%zu",
				       path, len - start, count == SIZE_MAX ? 0 : count * es);
	}
	if (rc != MLCC_OK) {
		free(buf);
		memset(t, 0, sizeof *t);
		return rc;
	}
	memmove(buf, buf + start, len - start);
	t->data = buf;
	if (t->dtype == MLCC_BOOL)
		for (size_t i = 0; i < len - start; i++)
			buf[i] = buf[i] != 0;
	return MLCC_OK;
}

int mlcc_npy_write(const char *path, const struct mlcc_tensor *t, struct mlcc_diag *diag)
{
	char h[64 + MLCC_MAX_RANK * 24 + 64];
	size_t n, es = mlcc_dtype_size(t->dtype), count;
	char kind = 0;
	int size = 0;

	diag_clear(diag);
	for (size_t i = 0; i < sizeof npy_types / sizeof *npy_types; i++)
		if (npy_types[i].dtype == t->dtype) {
			kind = npy_types[i].kind;
			size = npy_types[i].size;
		}
	if (kind == 0 || t->rank < 0 || t->rank > MLCC_MAX_RANK)
		return diag_fail(diag, MLCC_E_USAGE, "%s: tensor of unknown type or rank", path);
	count = rt_shape_count(t->rank, t->shape);
	if (count == SIZE_MAX || count > SIZE_MAX / es)
		return diag_fail(diag, MLCC_E_USAGE, "%s: tensor shape is invalid", path);
	/* magic, version 1.0, 2 length bytes filled in below */
	memcpy(h, "\x93NUMPY\x01\x00\x00\x00", 10);
	n = 10 + (size_t)snprintf(h + 10, sizeof h - 10,
				  "{'descr': '%c%c%d', 'fortran_order': False, 'shape': (",
				  size == 1 ? '|' : '<', kind, size);
	for (int i = 0; i < t->rank; i++)
		n += (size_t)snprintf(h + n, sizeof h - n, "%lld%s", (long long)t->shape[i],
				      t->rank == 1	? ","
				      : i + 1 < t->rank ? ", "
							: "");
	n += (size_t)snprintf(h + n, sizeof h - n, "), }");
	while ((n + 1) % 64 != 0)
		h[n++] = ' ';
	h[n++] = '\n';
	h[8] = (char)((n - 10) & 0xff);
	h[9] = (char)((n - 10) >> 8);
	return os_write_file_atomic(path, h, n, t->data, count * es, diag);
}
