/*
** cd_read.c -- coremldata.bin, modelNames and analytics, read back.
**
** Layouts: see emit_coremldata.c (ML program, classifier tail, pipeline),
** emit_analytics.c (sections of string pairs).  The reader is strict: a
** length that runs past the end, an unknown model type or trailing bytes
** that match no known layout are errors naming the file and the offset.
*/
#include "bundle/bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/lfs.h"
#include "base/os.h"
#include "spec/pbcheck.h"
#include "spec/spec_read.h"

/* coremldata.bin holds a description and labels; more is not plausible. */
#define CD_MAX_BYTES ((size_t)256 << 20)

struct cursor {
	const uint8_t *p;
	size_t len, pos;
	const char *path;
	struct mlcc_diag *d;
	struct arena *a;
	int err;
};

static int bad(struct cursor *c, const char *what)
{
	if (!c->err)
		c->err = diag_fail(c->d, MLCC_E_CORRUPT, "%s: %s at offset %zu", c->path, what,
				   c->pos);
	return c->err;
}

static int nomem(struct cursor *c)
{
	if (!c->err)
		c->err = diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	return c->err;
}

/* Every string of a decoded message is UTF-8 (pbcheck.h), else an error
** naming the field. */
static int utf8(struct cursor *c, const ProtobufCMessage *m)
{
	char where[256];

	if (!pb_utf8_valid(m, where, sizeof where) && !c->err)
		c->err = diag_fail(c->d, MLCC_E_CORRUPT,
				   "%s: field '%s' is not valid UTF-8 (Core ML strings must be)",
				   c->path, where);
	return c->err;
}

static const uint8_t *take(struct cursor *c, size_t n, const char *what)
{
	const uint8_t *p;

	if (c->err)
		return NULL;
	if (n > c->len - c->pos) {
		bad(c, what);
		return NULL;
	}
	p = c->p + c->pos;
	c->pos += n;
	return p;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t rd_u32(struct cursor *c, const char *what)
{
	const uint8_t *p = take(c, 4, what);

	return p ? (uint32_t)get_le(p, 4) : 0;
}

static uint64_t rd_u64(struct cursor *c, const char *what)
{
	const uint8_t *p = take(c, 8, what);

	return p ? get_le(p, 8) : 0;
}

/* u64 length + bytes; returns a pointer into the file and its length. */
static const uint8_t *rd_blob(struct cursor *c, size_t *n, const char *what)
{
	uint64_t len = rd_u64(c, what);

	if (c->err)
		return NULL;
	if (len > c->len - c->pos) {
		c->pos -= 8;
		bad(c, what);
		return NULL;
	}
	*n = (size_t)len;
	return take(c, (size_t)len, what);
}

static char *rd_string(struct cursor *c, const char *what)
{
	size_t n;
	const uint8_t *p = rd_blob(c, &n, what);
	char *s;

	if (!p)
		return NULL;
	/* Names and labels become protobuf strings, JSON and messages: UTF-8
	** and no NUL inside (which would cut them silently). */
	if (memchr(p, 0, n) || !diag_utf8_valid((const char *)p, n)) {
		c->pos -= n;
		bad(c, "string is not valid UTF-8");
		return NULL;
	}
	s = arena_strndup(c->a, (const char *)p, n);
	if (!s && !c->err)
		c->err = diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	return s;
}

/* Whole small file into memory; '*missing' set (and no error recorded)
** when it does not exist. */
static uint8_t *slurp(const char *root, const char *path, size_t *len, bool *missing,
		      struct mlcc_diag *d)
{
	uint8_t *buf;

	*missing = access(path, F_OK) != 0 && errno == ENOENT;
	if (*missing || os_read_file_in(root, path, CD_MAX_BYTES, &buf, len, d))
		return NULL;
	return buf;
}

static int rd_description(struct cursor *c, struct cd_file *out)
{
	struct spec_pb_alloc alloc;
	size_t n;
	const uint8_t *p = rd_blob(c, &n, "description runs past the end");

	if (!p)
		return c->err;
	spec_arena_allocator(c->a, &alloc);
	out->desc = core_ml__specification__model_description__unpack(&alloc.pb, n, p);
	if (!out->desc && alloc.failed)
		return nomem(c);
	if (!out->desc)
		return bad(c, "invalid model description");
	return utf8(c, &out->desc->base);
}

/* The "spec" form (coremldata.c put_spec): the rest of the file is the
** whole Model message. */
static int rd_spec(struct cursor *c, struct cd_file *out)
{
	struct spec_pb_alloc alloc;
	struct pb_problem pr;
	size_t n = c->len - c->pos;

	pr = pb_check(&core_ml__specification__model__descriptor, c->p + c->pos, n,
		      MLCC_MAX_PB_NESTING);
	if (pr.kind != PB_FINE)
		return bad(c, "invalid specification");
	spec_arena_allocator(c->a, &alloc);
	out->spec = core_ml__specification__model__unpack(&alloc.pb, n, c->p + c->pos);
	if (!out->spec && alloc.failed)
		return nomem(c);
	if (!out->spec)
		return bad(c, "invalid specification");
	if (utf8(c, &out->spec->base))
		return c->err;
	out->desc = out->spec->description;
	c->pos = c->len;
	return 0;
}

/* The classifier tail (emit_coremldata.c put_classifier). */
static int rd_classifier(struct cursor *c, struct cd_file *out)
{
	uint64_t kind = rd_u64(c, "truncated classifier"), n;

	if (kind != 100 && kind != 101)
		return bad(c, "unknown classifier label kind");
	out->classifier = true;
	out->int_labels = kind == 101;
	n = rd_u64(c, "truncated classifier");
	if (c->err || n > (c->len - c->pos) / 8)
		return bad(c, "classifier label count runs past the end");
	out->nlabels = (size_t)n;
	out->labels = arena_array(c->a, n + 1, sizeof *out->labels);
	out->int_values = arena_array(c->a, n + 1, sizeof *out->int_values);
	if (!out->labels || !out->int_values)
		return c->err = diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	for (size_t i = 0; i < n && !c->err; i++) {
		if (out->int_labels)
			out->int_values[i] = (int64_t)rd_u64(c, "truncated label");
		else
			out->labels[i] = rd_string(c, "truncated label");
	}
	out->prob_var = rd_string(c, "truncated classifier");
	if (!c->err && rd_u64(c, "truncated classifier") != 0)
		return bad(c, "unexpected classifier tail");
	return c->err;
}

/* After a neural network's description (corpus talkie-test-*, type 500,
** compiled version 3.0.0; LOW, one sample): u32 type, u32 0, u64 n, then
** n strings -- there the one output name. */
static int rd_nn_tail(struct cursor *c, struct cd_file *out)
{
	uint64_t n;

	if (rd_u32(c, "truncated neural network tail") != out->type ||
	    rd_u32(c, "truncated neural network tail") != 0)
		return bad(c, "unknown neural network tail");
	n = rd_u64(c, "truncated neural network tail");
	if (c->err || n > (c->len - c->pos) / 8)
		return bad(c, "neural network name count runs past the end");
	out->nn_names = arena_array(c->a, n + 1, sizeof *out->nn_names);
	if (!out->nn_names)
		return c->err = diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	for (uint64_t i = 0; i < n && !c->err; i++)
		out->nn_names[i] = rd_string(c, "truncated neural network tail");
	out->nnn_names = (size_t)n;
	if (!c->err && c->pos != c->len)
		return bad(c, "unexpected bytes after the neural network tail");
	return c->err;
}

/* After an ML program's description: function trailers or a classifier. */
static int rd_ml_tail(struct cursor *c, struct cd_file *out)
{
	static const uint8_t zero[12];

	if (c->len - c->pos >= 8 && get_le(c->p + c->pos, 8) == 403) {
		c->pos += 8;
		return rd_classifier(c, out);
	}
	while (c->pos < c->len && !c->err) {
		const uint8_t *t = take(c, 16, "truncated function trailer");
		if (t && (get_le(t, 4) != 502 || memcmp(t + 4, zero, 12) != 0)) {
			c->pos -= 16;
			return bad(c, "unknown function trailer");
		}
		out->ntrailers++;
	}
	return c->err;
}

int cd_parse(struct arena *a, const char *origin, const uint8_t *buf, size_t len,
	     struct cd_file *out, struct mlcc_diag *d)
{
	struct cursor c = {buf, len, 0, origin, d, a, 0};

	memset(out, 0, sizeof *out);
	if (lfs_pointer(buf, len))
		return diag_fail(d, MLCC_E_CORRUPT, "%s " LFS_ADVICE, origin);
	out->type = rd_u32(&c, "empty file");
	for (int i = 0; i < 3; i++)
		out->compiled[i] = rd_u64(&c, "truncated version");
	out->variant = rd_string(&c, "truncated version");
	out->spec_version = (int32_t)rd_u64(&c, "truncated version");
	rd_u64(&c, "truncated version");
	rd_u64(&c, "truncated version");
	rd_string(&c, "truncated version");
	if (!c.err && model_compiles_as_spec(out->type) && strcmp(out->variant, "spec") == 0)
		return rd_spec(&c, out);
	bool nn = model_is_neural_network(out->type);
	if (!c.err && !nn && out->type != 502 && out->type != 202 && out->type != 200 &&
	    out->type != 201) {
		c.pos = 0;
		bad(&c, "model type not compiled by mlcc (not an ML program, neural network, "
			"pipeline or specification-form model)");
	}
	if (!c.err)
		rd_description(&c, out);
	if (!c.err && nn) {
		rd_nn_tail(&c, out);
	} else if (!c.err && out->type == 502) {
		rd_ml_tail(&c, out);
	} else if (!c.err) {
		out->nchildren = rd_u64(&c, "truncated pipeline");
		if (rd_u32(&c, "truncated pipeline") != out->type ||
		    rd_u32(&c, "truncated pipeline") != 0 || c.pos != c.len)
			bad(&c, "unexpected pipeline trailer");
	}
	return c.err;
}

int cd_read(struct arena *a, const char *root, const char *path, struct cd_file *out,
	    struct mlcc_diag *d)
{
	size_t len = 0;
	bool missing;
	uint8_t *buf = slurp(root, path, &len, &missing, d);
	int rc;

	memset(out, 0, sizeof *out);
	if (!buf)
		return missing ? diag_fail(d, MLCC_E_CORRUPT, "%s: missing", path) : d->status;
	rc = cd_parse(a, path, buf, len, out, d);
	free(buf);
	return rc;
}

int cd_read_names(struct arena *a, const char *root, const char *path, char ***names, size_t *n,
		  struct mlcc_diag *d)
{
	size_t len = 0;
	bool missing;
	uint8_t *buf = slurp(root, path, &len, &missing, d);
	struct cursor c = {buf, len, 0, path, d, a, 0};
	uint64_t count;

	*names = NULL;
	*n = 0;
	if (!buf)
		return missing ? MLCC_OK : d->status;
	count = rd_u64(&c, "empty file");
	if (!c.err && count > (len - c.pos) / 8)
		bad(&c, "name count runs past the end");
	if (!c.err) {
		*names = arena_array(a, count + 1, sizeof **names);
		if (!*names)
			c.err = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	}
	for (uint64_t i = 0; !c.err && i < count; i++)
		(*names)[i] = rd_string(&c, "truncated name");
	if (!c.err)
		*n = (size_t)count;
	free(buf);
	return c.err;
}

int cd_read_analytics_name(struct arena *a, const char *root, const char *path, char **name,
			   struct mlcc_diag *d)
{
	size_t len = 0;
	bool missing;
	uint8_t *buf = slurp(root, path, &len, &missing, d);
	struct cursor c = {buf, len, 0, path, d, a, 0};

	*name = NULL;
	if (!buf)
		return missing ? MLCC_OK : d->status;
	while (!c.err && c.pos < c.len) {
		char *section = rd_string(&c, "truncated section");
		uint64_t n = rd_u64(&c, "truncated section");
		for (uint64_t i = 0; !c.err && i < n; i++) {
			char *k = rd_string(&c, "truncated entry");
			char *v = rd_string(&c, "truncated entry");
			if (!c.err && strcmp(section, "SpecificationDetails") == 0 &&
			    strcmp(k, "modelName") == 0)
				*name = v;
		}
	}
	free(buf);
	return c.err;
}
