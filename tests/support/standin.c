/*
** standin.c -- stand-in weight files for corpus items whose weights were
** never published.
**
** Apple's model.mil names every blob it reads: BLOBFILE(path, offset) with
** the blob's type.  From that alone a blob storage v2 file can be laid out
** that every weight check accepts: the 64-byte header, and at each named
** offset a 64-byte record (sentinel, type code, size, data offset, padding
** bits) followed by zero data.  The file is sparse (ftruncate), so even
** GiB-scale weights cost nothing.  The bytes are not Apple's: tests that use
** stand-ins never compare weights.
*/
#include "standin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "mil/mil.h"
#include "model/dtype.h"
#include "package/blobfile.h"
#include "testkit.h"

struct blob_ref {
	const char *file; /* relative to @model_path */
	uint64_t offset;
	enum dtype dt;
	int64_t count;
};

struct refs {
	struct blob_ref *v;
	size_t n;
};

static void add_value(struct refs *r, const struct mvalue *v)
{
	if (!v)
		return;
	if (v->kind == VAL_BLOB && v->blob_file && strncmp(v->blob_file, "@model_path/", 12) == 0) {
		r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
		r->v[r->n++] = (struct blob_ref){v->blob_file + 12, v->blob_offset, v->type->dtype,
						 model_tensor_count(v->type)};
		return;
	}
	for (size_t i = 0;
	     (v->kind == VAL_TUPLE || v->kind == VAL_LIST || v->kind == VAL_DICT) && i < v->count;
	     i++) {
		add_value(r, v->items[i]);
		if (v->kind == VAL_DICT)
			add_value(r, v->values[i]);
	}
}

static void add_block(struct refs *r, const struct block *b)
{
	for (size_t i = 0; i < b->nops; i++) {
		const struct op *op = &b->ops[i];
		for (size_t k = 0; k < op->ninputs; k++)
			for (size_t j = 0; j < op->inputs[k].n; j++)
				add_value(r, op->inputs[k].b[j].value);
		for (size_t k = 0; k < op->nattrs; k++)
			add_value(r, op->attrs[k].value);
		for (size_t k = 0; k < op->nblocks; k++)
			add_block(r, &op->blocks[k]);
	}
}

/* mkdir -p of the directories of 'path'. */
static int make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0777);
		*p = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One file: the records of every reference to it. */
static int write_file(const char *root, const struct refs *r, const char *file)
{
	char path[PATH_MAX];
	uint8_t hdr[BLOB_HEADER] = {0};
	uint64_t end = BLOB_HEADER;
	uint32_t count = 0;
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/%s", root, file);
	if (make_parents(path) != 0 || (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		return -1;
	for (size_t i = 0; i < r->n && !rc; i++) {
		const struct blob_ref *b = &r->v[i];
		const struct dtype_info *di = dtype_info(b->dt);
		uint8_t rec[BLOB_RECORD] = {0};
		bool seen = false;
		if (strcmp(b->file, file) != 0 || !di || !di->blob || b->count < 0)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(r->v[k].file, file) == 0 && r->v[k].offset == b->offset;
		if (seen)
			continue;
		size_t size = dtype_packed_bytes(b->dt, (size_t)b->count);
		put_le(rec, BLOB_SENTINEL, 4);
		put_le(rec + 4, (uint64_t)di->blob, 4);
		put_le(rec + 8, size, 8);
		put_le(rec + 16, b->offset + BLOB_RECORD, 8);
		put_le(rec + 24, (uint64_t)size * 8 - (uint64_t)b->count * di->bits, 8);
		if (pwrite(fd, rec, sizeof rec, (off_t)b->offset) != (ssize_t)sizeof rec)
			rc = -1;
		if (b->offset + BLOB_RECORD + size > end)
			end = b->offset + BLOB_RECORD + size;
		count++;
	}
	put_le(hdr, count, 4);
	put_le(hdr + 4, 2, 4);
	if (!rc && (pwrite(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr ||
		    ftruncate(fd, (off_t)end) != 0))
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int tk_standin_weights(const char *mil_path, const char *root)
{
	struct arena a;
	struct mlcc_diag d = {0, ""};
	struct model *m = NULL;
	struct refs r = {NULL, 0};
	size_t len, nfiles = 0;
	char *text = (char *)tk_read(mil_path, &len);
	int rc = -1;

	if (!text)
		return -1;
	arena_init(&a);
	if (mil_parse(&a, mil_path, text, len, &m, NULL, &d) == MLCC_OK) {
		for (size_t f = 0; f < m->program->nfuncs; f++)
			add_block(&r, &m->program->funcs[f].body);
		rc = 0;
		for (size_t i = 0; i < r.n && rc == 0; i++) {
			bool first = true;
			for (size_t k = 0; k < i && first; k++)
				first = strcmp(r.v[k].file, r.v[i].file) != 0;
			if (first) {
				rc = write_file(root, &r, r.v[i].file);
				nfiles++;
			}
		}
	} else {
		fprintf(stderr, "stand-in weights: %s\n", d.message);
	}
	free(r.v);
	free(text);
	arena_free(&a);
	return rc ? -1 : (int)nfiles;
}
