/*
** weightgen.c -- `weightgen MODEL.mil OUT_DIR`: made-up weights for a MIL
** text model, the same bytes on every run and every machine.
**
** Every BLOBFILE literal of MODEL.mil (all functions, op inputs and
** attributes, nested blocks) names a blob of @model_path/weights/weight.bin;
** weightgen writes OUT_DIR/weight.bin (blob storage v2, docs/spec/coreml-input.md §3)
** with exactly those blobs: 64-byte header, then per blob a 64-byte record
** (0xDEADBEEF, blob dtype code, data size, data offset, padding bits) at
** the referenced offset and the data right after it, sub-byte types packed
** LSB first.  A blob referenced several times is written once.
**
** The offsets in the text must follow the writer's layout rule: the first
** record at 64, each next record at the first 64-byte boundary after the
** previous data.  Anything else (overlap, gap, misalignment, one offset
** used with two dtypes or sizes, a blob of unknown shape, another weight
** file) fails with one line naming the blob, the function and the op.
**
** Values suit the tensor's role, decided from the op and the names:
**   constexpr_lut_to_dense 'indices'   uniform over the palette
**   constexpr_lut_to_dense 'lut'       per group, sorted normal-ish values
**                                      scaled by 1/sqrt(fan-in of the weight)
**   float const named ..cos_table /    rotary tables [P, D]: cos/sin of
**         ..sin_table                  p * 10000^(-2(j mod D/2)/D)
**   float const with "norm" in name    gains 1 + small noise
**   other float consts                 normal-ish, sigma 1/sqrt(fan-in)
**   other integer consts               small uniform integers
** Each blob has its own PRNG stream (splitmix64) seeded from a fixed seed
** and the blob's name (op output + parameter), so a blob does not change
** when others are added.  Only integer and IEEE double arithmetic is used
** (no libm transcendental functions; the build disables FP contraction),
** so the output does not depend on the C library or the CPU.
**
** Exit status: 0 written, 1 failed (nothing is left behind), 2 usage.
*/
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/os.h"
#include "mil/mil.h"

#define WEIGHT_FILE "@model_path/weights/weight.bin"
#define BLOB_ALIGN 64
#define MIL_MAX_BYTES ((size_t)256 << 20)
#define FIXED_SEED UINT64_C(0x6d6c63632d746c31) /* "mlcc-tl1" */
#define ROPE_BASE 10000.0

/* One BLOBFILE reference, as the text makes it. */
struct ref {
	uint64_t offset; /* record offset */
	enum dtype dt;
	int64_t count; /* elements */
	const struct mtype *type;
	const char *func;  /* function, for messages */
	const char *var;   /* output of the op that holds it */
	const char *param; /* input parameter or attribute key */
	const struct op *op;
	size_t seq; /* order of appearance in the text */
};

struct refs {
	size_t n, cap;
	struct ref *v;
	const char *origin;
	struct mlcc_diag *d;
};

enum role { ROLE_INDICES, ROLE_LUT, ROLE_COS, ROLE_SIN, ROLE_GAIN, ROLE_NORMAL, ROLE_INT };

/* ---- collecting references ---------------------------------------------- */

static int add_ref(struct refs *r, const struct ref *x)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct ref *p = realloc(r->v, cap * sizeof *p);
		if (!p)
			return diag_fail(r->d, MLCC_E_NOMEM, "out of memory");
		r->v = p;
		r->cap = cap;
	}
	r->v[r->n] = *x;
	r->v[r->n].seq = r->n;
	r->n++;
	return MLCC_OK;
}

/* "function 'f', op 'v' (param)" of a reference, for messages. */
static const char *where(const struct ref *x, char *buf, size_t n)
{
	snprintf(buf, n, "function '%s', op '%s' (%s)", x->func, x->var, x->param);
	return buf;
}

/* Record every blob literal inside 'v' (nested tuples, lists, dicts). */
static int walk_value(struct refs *r, const struct mvalue *v, struct ref *at)
{
	char w[512];
	int rc = MLCC_OK;

	if (!v)
		return MLCC_OK;
	if (v->kind == VAL_BLOB) {
		if (strcmp(v->blob_file, WEIGHT_FILE) != 0)
			return diag_fail(
				r->d, MLCC_E_UNSUPPORTED,
				"%s: %s: blob file '%s': weightgen writes only " WEIGHT_FILE,
				r->origin, where(at, w, sizeof w), v->blob_file);
		at->offset = v->blob_offset;
		at->type = v->type;
		at->dt = v->type->dtype;
		at->count = model_tensor_count(v->type);
		return add_ref(r, at);
	}
	for (size_t i = 0; v->kind != VAL_TENSOR && i < v->count && !rc; i++) {
		rc = walk_value(r, v->items[i], at);
		if (!rc && v->values)
			rc = walk_value(r, v->values[i], at);
	}
	return rc;
}

static int walk_block(struct refs *r, const struct block *b, const char *func);

/* The inputs, attributes and nested blocks of one op. */
static int walk_op(struct refs *r, const struct op *op, const char *func)
{
	struct ref at = {0};
	int rc = MLCC_OK;

	at.func = func;
	at.op = op;
	at.var = op->noutputs ? op->outputs[0].name : op->type;
	for (size_t k = 0; k < op->ninputs && !rc; k++) {
		at.param = op->inputs[k].param;
		for (size_t j = 0; j < op->inputs[k].n && !rc; j++)
			rc = walk_value(r, op->inputs[k].b[j].value, &at);
	}
	for (size_t k = 0; k < op->nattrs && !rc; k++) {
		at.param = op->attrs[k].key;
		rc = walk_value(r, op->attrs[k].value, &at);
	}
	for (size_t k = 0; k < op->nblocks && !rc; k++)
		rc = walk_block(r, &op->blocks[k], func);
	return rc;
}

static int walk_block(struct refs *r, const struct block *b, const char *func)
{
	int rc = MLCC_OK;

	for (size_t i = 0; i < b->nops && !rc; i++)
		rc = walk_op(r, &b->ops[i], func);
	return rc;
}

/* ---- layout ------------------------------------------------------------- */

static uint64_t align_up(uint64_t x)
{
	return (x + BLOB_ALIGN - 1) / BLOB_ALIGN * BLOB_ALIGN;
}

/* Order by offset, keeping the text order of equal offsets (the first
** reference names the blob). */
static int by_offset(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;

	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Check one reference on its own: a tensor of known size with a blob
** dtype. */
static int check_ref(const struct refs *r, const struct ref *x)
{
	char w[512];

	if (x->type->kind != TY_TENSOR || x->count <= 0)
		return diag_fail(
			r->d, MLCC_E_CORRUPT,
			"%s: %s: blob at offset %llu needs a tensor type with known, non-zero dimensions",
			r->origin, where(x, w, sizeof w), (unsigned long long)x->offset);
	if (dtype_info(x->dt)->blob == 0 || x->dt == DT_FP8E4M3FN || x->dt == DT_FP8E5M2)
		return diag_fail(r->d, MLCC_E_UNSUPPORTED,
				 "%s: %s: blob at offset %llu: weightgen cannot make %s values",
				 r->origin, where(x, w, sizeof w), (unsigned long long)x->offset,
				 dtype_info(x->dt)->mil);
	return MLCC_OK;
}

/* Sort the references, fold repeats of one blob into its first reference
** and check the layout rule.  Afterwards r->v[0..*nblobs) are the blobs,
** in file order. */
static int plan_layout(struct refs *r, size_t *nblobs)
{
	char w1[512], w2[512];
	uint64_t expect = BLOB_ALIGN;
	size_t n = 0;

	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, by_offset);
	for (size_t i = 0; i < r->n; i++) {
		const struct ref *x = &r->v[i];
		int rc = check_ref(r, x);
		if (rc)
			return rc;
		if (n && x->offset == r->v[n - 1].offset) {
			const struct ref *f = &r->v[n - 1];
			if (x->dt != f->dt || x->count != f->count)
				return diag_fail(
					r->d, MLCC_E_CORRUPT,
					"%s: blob at offset %llu is %s x %lld in %s but %s x %lld in %s",
					r->origin, (unsigned long long)x->offset,
					dtype_info(f->dt)->mil, (long long)f->count,
					where(f, w1, sizeof w1), dtype_info(x->dt)->mil,
					(long long)x->count, where(x, w2, sizeof w2));
			continue;
		}
		if (x->offset < expect && n)
			return diag_fail(
				r->d, MLCC_E_CORRUPT,
				"%s: %s: blob at offset %llu overlaps the blob at offset %llu (%s), whose data ends at %llu",
				r->origin, where(x, w1, sizeof w1), (unsigned long long)x->offset,
				(unsigned long long)r->v[n - 1].offset,
				where(&r->v[n - 1], w2, sizeof w2),
				(unsigned long long)(r->v[n - 1].offset + BLOB_ALIGN +
						     dtype_packed_bytes(
							     r->v[n - 1].dt,
							     (size_t)r->v[n - 1].count)));
		if (x->offset != expect && !n)
			return diag_fail(
				r->d, MLCC_E_CORRUPT,
				"%s: %s: first blob at offset %llu, but the first record belongs at %d",
				r->origin, where(x, w1, sizeof w1), (unsigned long long)x->offset,
				BLOB_ALIGN);
		if (x->offset != expect)
			return diag_fail(
				r->d, MLCC_E_CORRUPT,
				"%s: %s: blob at offset %llu leaves a gap: the record after the blob at offset %llu belongs at %llu (the next 64-byte boundary after its data)",
				r->origin, where(x, w1, sizeof w1), (unsigned long long)x->offset,
				(unsigned long long)r->v[n - 1].offset, (unsigned long long)expect);
		r->v[n++] = *x;
		expect = align_up(x->offset + BLOB_ALIGN +
				  dtype_packed_bytes(x->dt, (size_t)x->count));
	}
	*nblobs = n;
	return MLCC_OK;
}

/* ---- deterministic numbers ---------------------------------------------- */

/* splitmix64: one 64-bit output per call. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* An integer in [0, n), n <= 2^32. */
static uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return ((rng_next(s) >> 32) * n) >> 32;
}

/* Irwin-Hall: the sum of 12 uniforms minus 6, mean 0, variance 1, in
** [-6, 6].  Every step is exact in double arithmetic. */
static double rng_normalish(uint64_t *s)
{
	double sum = 0;

	for (int i = 0; i < 12; i++)
		sum += (double)(rng_next(s) >> 40) / 16777216.0;
	return sum - 6.0;
}

/* The stream of the blob named 'var'/'param': FNV-1a of the name mixed
** into the fixed seed. */
static uint64_t seed_of(const struct ref *x)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const char *parts[3] = {x->var, "/", x->param};

	for (int p = 0; p < 3; p++)
		for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++)
			h = (h ^ *c) * UINT64_C(0x100000001b3);
	return FIXED_SEED ^ h;
}

/* sin (want_cos false) or cos of 'x' >= 0 by reduction to [-pi, pi] and
** a fixed-length Taylor series: the same digits everywhere. */
static double det_sincos(double x, int want_cos)
{
	const double two_pi = 6.283185307179586;
	double r = x - floor(x / two_pi + 0.5) * two_pi;
	double term = want_cos ? 1.0 : r, sum = term;

	for (int k = want_cos ? 2 : 3; k < 40; k += 2) {
		term = -term * r * r / ((double)(k - 1) * k);
		sum += term;
	}
	return sum;
}

/* base^(1/n) by bisection on repeated multiplication (n >= 1). */
static double det_root(double base, unsigned n)
{
	double lo = 1.0, hi = base;

	for (int it = 0; it < 200; it++) {
		double mid = (lo + hi) / 2, p = 1.0;
		for (unsigned k = 0; k < n; k++)
			p *= mid;
		if (p < base)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Round half to even, without relying on the rounding mode. */
static double round_even(double q)
{
	double f = floor(q), d = q - f;

	if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0))
		return f + 1.0;
	return f;
}

/* IEEE binary16 bits of 'x', rounded to nearest even. */
static uint16_t fp16_bits(double x)
{
	uint16_t sign = signbit(x) ? 0x8000 : 0;
	double a = fabs(x), q;
	int e;

	if (a != a)
		return 0x7e00;
	if (a == 0)
		return sign;
	frexp(a, &e); /* a = m * 2^e, m in [0.5, 1) */
	e -= 1;	      /* a = 1.f * 2^e */
	if (e < -14) {
		q = round_even(ldexp(a, 24));	       /* subnormal steps of 2^-24 */
		return (uint16_t)(sign | (uint16_t)q); /* 1024 = smallest normal */
	}
	q = round_even(ldexp(a, 10 - e));
	if (q >= 2048.0) {
		q /= 2;
		e++;
	}
	if (e > 15)
		return sign | 0x7c00;
	return (uint16_t)(sign | (uint16_t)((e + 15) << 10) | (uint16_t)(q - 1024.0));
}

/* ---- values per role ---------------------------------------------------- */

/* Fan-in of a weight tensor type: elements per output row. */
static double fan_in(const struct mtype *t)
{
	int64_t n = model_tensor_count(t);

	if (!t || t->kind != TY_TENSOR || t->ndims < 1 || n <= 0 || t->dims[0] <= 0)
		return 1.0;
	return (double)(n / t->dims[0]);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static enum role role_of(const struct ref *x)
{
	bool lut_op = strcmp(x->op->type, "constexpr_lut_to_dense") == 0;

	if (lut_op && strcmp(x->param, "indices") == 0)
		return ROLE_INDICES;
	if (!dtype_info(x->dt)->is_float)
		return ROLE_INT;
	if (lut_op && strcmp(x->param, "lut") == 0 && x->type->ndims >= 2)
		return ROLE_LUT;
	if (x->type->ndims == 2 && ends_with(x->var, "cos_table"))
		return ROLE_COS;
	if (x->type->ndims == 2 && ends_with(x->var, "sin_table"))
		return ROLE_SIN;
	if (strstr(x->var, "norm"))
		return ROLE_GAIN;
	return ROLE_NORMAL;
}

/* The palette size of the LUT bound to the op of 'x' (0: unknown). */
static int64_t palette_size(const struct ref *x)
{
	for (size_t k = 0; k < x->op->ninputs; k++) {
		const struct argument *a = &x->op->inputs[k];
		const struct mtype *t = a->n && a->b[0].value ? a->b[0].value->type : NULL;
		if (strcmp(a->param, "lut") == 0 && t && t->ndims >= 2)
			return t->dims[t->ndims - 2];
	}
	return 0;
}

/* Integers: indices over the whole palette, others small. */
static void make_ints(const struct ref *x, enum role role, uint64_t *s, int64_t *out)
{
	unsigned bits = dtype_info(x->dt)->bits;
	bool is_signed = dtype_info(x->dt)->is_signed;
	uint64_t span = bits < 32 ? UINT64_C(1) << bits : UINT64_C(1) << 32;
	int64_t k = role == ROLE_INDICES ? palette_size(x) : 16;

	if (k > 0 && (uint64_t)k < span)
		span = (uint64_t)k;
	for (int64_t i = 0; i < x->count; i++) {
		int64_t v = (int64_t)rng_below(s, span);
		out[i] = is_signed && role != ROLE_INDICES ? v - (int64_t)span / 2 : v;
	}
}

/* Per group [.., K, V]: K sorted normal-ish entries for each of the V
** vector components. */
static void make_lut(const struct ref *x, uint64_t *s, double *out)
{
	const struct mtype *t = x->type;
	int64_t k = t->dims[t->ndims - 2], vec = t->dims[t->ndims - 1];
	int64_t groups = x->count / (k * vec);
	double sigma = 1.0 / sqrt(fan_in(x->op->noutputs ? x->op->outputs[0].type : NULL));

	for (int64_t g = 0; g < groups; g++)
		for (int64_t c = 0; c < vec; c++) {
			double *base = out + g * k * vec + c;
			for (int64_t i = 0; i < k; i++) {
				double v = rng_normalish(s) * sigma;
				int64_t j = i;
				while (j > 0 && base[(j - 1) * vec] > v) {
					base[j * vec] = base[(j - 1) * vec];
					j--;
				}
				base[j * vec] = v;
			}
		}
}

/* Rotary table [P, D]: row p, column j = cos or sin of p * f(j mod D/2),
** f(i) = base^(-i/(D/2)) (the usual inv_freq, repeated for both halves). */
static void make_rope(const struct ref *x, int want_cos, double *out)
{
	int64_t rows = x->type->dims[0], d = x->type->dims[1];
	int64_t half = d / 2 > 0 ? d / 2 : 1;
	double root = det_root(ROPE_BASE, (unsigned)half), f = 1.0;

	for (int64_t i = 0; i < half; i++, f /= root)
		for (int64_t j = i; j < d; j += half)
			for (int64_t p = 0; p < rows; p++)
				out[p * d + j] = det_sincos((double)p * f, want_cos);
}

static void make_floats(const struct ref *x, enum role role, uint64_t *s, double *out)
{
	double sigma = 1.0 / sqrt(fan_in(x->type));

	if (role == ROLE_LUT) {
		make_lut(x, s, out);
		return;
	}
	if (role == ROLE_COS || role == ROLE_SIN) {
		make_rope(x, role == ROLE_COS, out);
		return;
	}
	for (int64_t i = 0; i < x->count; i++)
		out[i] = role == ROLE_GAIN ? 1.0 + 0.05 * rng_normalish(s)
					   : sigma * rng_normalish(s);
}

/* ---- encoding ----------------------------------------------------------- */

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Floats as fp16, fp32 or bf16 little-endian. */
static void encode_floats(enum dtype dt, const double *v, int64_t n, uint8_t *out)
{
	for (int64_t i = 0; i < n; i++) {
		float f = (float)v[i];
		uint32_t u;
		memcpy(&u, &f, sizeof u);
		if (dt == DT_FP16)
			put_le(out + 2 * i, fp16_bits(v[i]), 2);
		else if (dt == DT_FP32)
			put_le(out + 4 * i, u, 4);
		else /* bf16: nearest even of the fp32 bits */
			put_le(out + 2 * i, (u + 0x7fff + ((u >> 16) & 1)) >> 16, 2);
	}
}

/* Integers at their width; sub-byte types packed LSB first. */
static void encode_ints(enum dtype dt, const int64_t *v, int64_t n, uint8_t *out)
{
	unsigned bits = dtype_info(dt)->bits;
	uint64_t mask = bits < 64 ? (UINT64_C(1) << bits) - 1 : ~UINT64_C(0);

	for (int64_t i = 0; i < n; i++) {
		uint64_t u = (uint64_t)v[i] & mask;
		if (bits >= 8) {
			put_le(out + (size_t)i * (bits / 8), u, (int)(bits / 8));
			continue;
		}
		for (unsigned b = 0; b < bits; b++) {
			uint64_t at = (uint64_t)i * bits + b;
			if (u >> b & 1)
				out[at / 8] |= (uint8_t)(1u << (at % 8));
		}
	}
}

_Static_assert(sizeof(double) == sizeof(int64_t), "one buffer serves both");

/* The data bytes of blob 'x' (calloc'd, 'bytes' long). */
static int blob_data(const struct ref *x, uint8_t **data, size_t *bytes, struct mlcc_diag *d)
{
	enum role role = role_of(x);
	uint64_t s = seed_of(x);
	void *vals;

	*bytes = dtype_packed_bytes(x->dt, (size_t)x->count);
	*data = calloc(*bytes ? *bytes : 1, 1);
	vals = calloc((size_t)x->count, sizeof(double)); /* or int64_t */
	if (!*data || !vals) {
		free(vals);
		free(*data);
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	}
	if (role == ROLE_INDICES || role == ROLE_INT) {
		make_ints(x, role, &s, vals);
		encode_ints(x->dt, vals, x->count, *data);
	} else {
		make_floats(x, role, &s, vals);
		encode_floats(x->dt, vals, x->count, *data);
	}
	free(vals);
	return MLCC_OK;
}

/* ---- writing ------------------------------------------------------------ */

/* Zero bytes up to 'to'. */
static int pad_to(FILE *f, uint64_t *pos, uint64_t to)
{
	static const uint8_t zeros[BLOB_ALIGN];

	while (*pos < to) {
		size_t n = to - *pos < sizeof zeros ? (size_t)(to - *pos) : sizeof zeros;
		if (fwrite(zeros, 1, n, f) != n)
			return -1;
		*pos += n;
	}
	return 0;
}

/* Header, then record + data of each blob at its offset. */
static int write_blobs(FILE *f, const struct ref *v, size_t n, const char *path,
		       struct mlcc_diag *d)
{
	uint8_t head[BLOB_ALIGN] = {0};
	uint64_t pos = BLOB_ALIGN;

	put_le(head, n, 4);
	put_le(head + 4, 2, 4);
	if (fwrite(head, 1, sizeof head, f) != sizeof head)
		return diag_errno(d, path, "cannot write", errno);
	for (size_t i = 0; i < n; i++) {
		uint8_t rec[BLOB_ALIGN] = {0}, *data;
		size_t bytes;
		int rc = blob_data(&v[i], &data, &bytes, d);
		if (rc)
			return rc;
		put_le(rec, 0xDEADBEEF, 4);
		put_le(rec + 4, (uint64_t)dtype_info(v[i].dt)->blob, 4);
		put_le(rec + 8, bytes, 8);
		put_le(rec + 16, v[i].offset + BLOB_ALIGN, 8);
		put_le(rec + 24, 8 * bytes - (uint64_t)v[i].count * dtype_info(v[i].dt)->bits, 8);
		if (pad_to(f, &pos, v[i].offset) || fwrite(rec, 1, sizeof rec, f) != sizeof rec ||
		    fwrite(data, 1, bytes, f) != bytes) {
			free(data);
			return diag_errno(d, path, "cannot write", errno);
		}
		pos += sizeof rec + bytes;
		free(data);
	}
	return MLCC_OK;
}

/* OUT_DIR/weight.bin through a temporary file renamed into place. */
static int write_file(const char *dir, const struct ref *v, size_t n, uint64_t *size,
		      struct mlcc_diag *d)
{
	char *path = os_join(dir, "weight.bin");
	char *tmp = os_join(dir, ".weight.bin.weightgen-tmp");
	FILE *f;
	int rc;

	if (!path || !tmp) {
		free(path);
		free(tmp);
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	}
	rc = os_mkdir_p(dir, NULL, d);
	f = rc ? NULL : fopen(tmp, "wb");
	if (!rc && !f)
		rc = diag_errno(d, tmp, "cannot create", errno);
	if (f) {
		rc = write_blobs(f, v, n, tmp, d);
		*size = (uint64_t)ftell(f);
		if (fclose(f) != 0 && !rc)
			rc = diag_errno(d, tmp, "cannot write", errno);
		if (!rc && rename(tmp, path) != 0)
			rc = diag_errno(d, path, "cannot rename into place", errno);
		if (rc)
			remove(tmp);
	}
	free(path);
	free(tmp);
	return rc;
}

/* ---- the command -------------------------------------------------------- */

/* Parse 'mil', lay out its blobs and write them into 'dir'. */
static int weightgen(const char *mil, const char *dir, struct mlcc_diag *d)
{
	struct arena a;
	struct model *m = NULL;
	struct refs r = {0, 0, NULL, mil, d};
	uint8_t *text = NULL;
	size_t len, nblobs = 0;
	uint64_t size = 0;
	int rc;

	arena_init(&a);
	rc = os_read_file(mil, MIL_MAX_BYTES, &text, &len, d);
	if (!rc)
		rc = mil_parse(&a, mil, (const char *)text, len, &m, NULL, d);
	free(text);
	for (size_t i = 0; !rc && i < m->program->nfuncs; i++)
		rc = walk_block(&r, &m->program->funcs[i].body, m->program->funcs[i].name);
	if (!rc)
		rc = plan_layout(&r, &nblobs);
	if (!rc)
		rc = write_file(dir, r.v, nblobs, &size, d);
	if (!rc)
		printf("%s/weight.bin: %zu blob%s, %llu bytes\n", dir, nblobs,
		       nblobs == 1 ? "" : "s", (unsigned long long)size);
	free(r.v);
	arena_free(&a);
	return rc;
}

int main(int argc, char **argv)
{
	struct mlcc_diag d;

	diag_clear(&d);
	if (argc != 3) {
		fprintf(stderr, "usage: weightgen MODEL.mil OUT_DIR\n");
		return 2;
	}
	if (weightgen(argv[1], argv[2], &d)) {
		fprintf(stderr, "weightgen: %s\n", d.message);
		return 1;
	}
	return 0;
}
