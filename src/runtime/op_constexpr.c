/*
** op_constexpr.c -- the compressed-weight ops, run once per model (the
** plan makes their results lazy constants, rt.h):
**   constexpr_lut_to_dense        iOS16 (lut[2^n], packed uint8 indices,
**                                 shape) and iOS18 (indices uintN of the
**                                 output shape, lut[G0..Gr-1, 2^n, 1]: one
**                                 palette per group of each axis);
**   constexpr_affine_dequantize   (q - zero_point) * scale, scalar or per
**                                 'axis' parameters;
**   constexpr_blockwise_shift_scale  (data - offset) * scale, scale/offset
**                                 of data's rank, one value per block;
**   constexpr_sparse_to_dense     iOS16 (nonzero_data, packed uint8 mask,
**                                 shape) and iOS18 (nonzero_data, uint1
**                                 mask of the output shape): set mask
**                                 bits take the values in order;
**   constexpr_cast                source converted to output_dtype.
** Sub-byte data from blob files stays packed LSB-first (RT_PACKED); the
** element getters unpack it.  Results are computed in fp32 and rounded
** once to the output type (a palette entry is copied exactly).
**
** rt_lut_weight() lets matrix products use an iOS18 palettized weight
** directly (k_gemm_lut) when its palettes group whole output rows.
*/
#include <string.h>

#include "runtime/rt.h"

/* The declared output type's element type of 'op' (output 0). */
static enum dtype out_dtype(const struct rt_op *op, enum dtype def)
{
	const struct mtype *t = op->nout ? op->op->outputs[0].type : NULL;

	return t && t->kind == TY_TENSOR ? t->dtype : def;
}

/* The declared element type of output 'i' of 'op'. */
static enum dtype out_dtype_n(const struct rt_op *op, size_t i, enum dtype def)
{
	const struct mtype *t = i < op->nout ? op->op->outputs[i].type : NULL;

	return t && t->kind == TY_TENSOR ? t->dtype : def;
}

/* Output shape from the iOS16 'shape' parameter. */
static int shape_param(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, int *rank,
		       int64_t *shape)
{
	size_t n;
	int rc = rt_ints(ctx, op, in, "shape", false, shape, RT_MAX_RANK, &n);

	*rank = (int)n;
	return rc;
}

/* ---- palettes ---------------------------------------------------------------- */

/* log2 of a power of two 'n' (1..256), or -1. */
static int log2_exact(size_t n)
{
	for (int b = 0; b <= 8; b++)
		if ((size_t)1 << b == n)
			return b;
	return -1;
}

static int lut_ios16(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *lut, struct rt_value *ix, struct rt_value *out)
{
	int64_t shape[RT_MAX_RANK];
	int rank, rc, nbits = log2_exact(lut->count);

	if ((rc = shape_param(ctx, op, in, &rank, shape)) != MLCC_OK)
		return rc;
	if (nbits < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "lut size %zu is not a power of two",
			       lut->count);
	if ((rc = rt_alloc(ctx, op, out, lut->dtype, rank, shape)) != MLCC_OK)
		return rc;
	if (ix->dtype != DT_UINT8 || ix->count * 8 < out->count * (size_t)nbits)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices hold too few bits");
	size_t es = dtype_mem_size(lut->dtype);
	const uint8_t *p = ix->data;
	for (size_t i = 0; i < out->count; i++) {
		size_t bit = i * (size_t)nbits, k = 0;
		for (int b = 0; b < nbits; b++, bit++)
			k |= (size_t)((p[bit >> 3] >> (bit & 7)) & 1u) << b;
		memcpy((char *)out->data + i * es, (const char *)lut->data + k * es, es);
	}
	return MLCC_OK;
}

/* The palette group of the element at multi-index 'idx' of indices of
** 'shape' (rank r) for a lut whose first r dimensions count the groups
** per axis (block = shape / groups, coremltools' decompress). */
static size_t lut_group(const struct rt_value *lut, int r, const int64_t *shape, const int64_t *idx)
{
	size_t g = 0;

	for (int k = 0; k < r; k++)
		g = g * (size_t)lut->shape[k] + (size_t)(idx[k] / (shape[k] / lut->shape[k]));
	return g;
}

/* The lut's shape checked against indices of 'shape' (rank r) and 'bits'
** bits; '*vs' the vector size. */
static int lut_check(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *lut, int r,
		     const int64_t *shape, unsigned bits, size_t *vs)
{
	if (lut->rank != r + 2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "lut must have rank %d", r + 2);
	if ((size_t)lut->shape[r] != (size_t)1 << bits)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "palette size does not match %u-bit indices", bits);
	for (int k = 0; k < r; k++)
		if (lut->shape[k] < 1 || shape[k] % lut->shape[k] != 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "axis %d does not split into %lld palette groups", k,
				       (long long)lut->shape[k]);
	*vs = (size_t)lut->shape[r + 1];
	return *vs >= 1 ? MLCC_OK : rt_fail(ctx, op, MLCC_E_CORRUPT, "empty palette vectors");
}

/* iOS18: one palette per block of indices; with vector palettes (last lut
** dimension VS > 1) each index stands for VS consecutive elements along
** 'vector_axis' of the output. */
static int lut_ios18(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *lut, struct rt_value *ix, struct rt_value *out)
{
	int r = ix->rank, rc, va = 0;
	int64_t idx[RT_MAX_RANK] = {0}, oshape[RT_MAX_RANK], ost[RT_MAX_RANK], vaxis, s = 1;
	size_t vs;

	if ((rc = lut_check(ctx, op, lut, r, ix->shape, dtype_info(ix->dtype)->bits, &vs)) !=
		    MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "vector_axis", vs == 1, 0, &vaxis)) != MLCC_OK ||
	    (vs > 1 && (rc = rt_axis(ctx, op, vaxis, r, &va)) != MLCC_OK))
		return rc;
	memcpy(oshape, ix->shape, sizeof oshape);
	oshape[va] *= (int64_t)vs;
	if ((rc = rt_alloc(ctx, op, out, lut->dtype, r, oshape)) != MLCC_OK)
		return rc;
	for (int k = r - 1; k >= 0; k--) {
		ost[k] = s;
		s *= oshape[k];
	}
	size_t es = dtype_mem_size(lut->dtype), entries = (size_t)lut->shape[r];
	for (size_t i = 0; i < ix->count; i++) {
		size_t e =
			(lut_group(lut, r, ix->shape, idx) * entries + (size_t)rt_geti(ix, i)) * vs;
		int64_t o = 0;
		for (int k = 0; k < r; k++)
			o += (k == va ? idx[k] * (int64_t)vs : idx[k]) * ost[k];
		for (size_t v = 0; v < vs; v++)
			memcpy((char *)out->data + (size_t)(o + (int64_t)v * ost[va]) * es,
			       (const char *)lut->data + (e + v) * es, es);
		for (int k = r - 1; k >= 0; k--) {
			if (++idx[k] < ix->shape[k])
				break;
			idx[k] = 0;
		}
	}
	return MLCC_OK;
}

int rt_op_lut_to_dense(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		       struct rt_value *out)
{
	struct rt_value *lut, *ix;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "lut", &lut)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices", &ix)) != MLCC_OK)
		return rc;
	if (lut->flags & RT_PACKED)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "lut of a sub-byte type");
	if (rt_arg(op, in, "shape"))
		return lut_ios16(ctx, op, in, lut, ix, out);
	return lut_ios18(ctx, op, in, lut, ix, out);
}

bool rt_lut_weight(const struct rt_value *v, size_t N, size_t K, struct k_lut *w)
{
	const struct rt_lazy *lz = v->lazy;

	if (lz == NULL || strcmp(lz->op.op->type, "constexpr_lut_to_dense") != 0)
		return false;
	const struct rt_value *ix = rt_arg(&lz->op, lz->vals, "indices");
	const struct rt_value *lut = rt_arg(&lz->op, lz->vals, "lut");
	if (!ix || !lut || rt_arg(&lz->op, lz->vals, "shape") || ix->lazy || lut->lazy ||
	    lut->dtype != DT_FP16 || (lut->flags & RT_PACKED) || ix->data == NULL)
		return false;
	unsigned bits = dtype_info(ix->dtype)->bits;
	bool packed = (ix->flags & RT_PACKED) || bits == 8;
	int r = ix->rank;
	if (!packed || dtype_info(ix->dtype)->is_float || lut->rank != r + 2 || r < 1 ||
	    lut->shape[r + 1] != 1 || (size_t)lut->shape[r] != (size_t)1 << bits ||
	    (size_t)ix->shape[0] != N || ix->count != N * K || lut->shape[0] < 1 ||
	    N % (size_t)lut->shape[0] != 0)
		return false;
	if (!(bits == 1 || bits == 2 || bits == 3 || bits == 4 || bits == 6 || bits == 8))
		return false;
	for (int k = 1; k < r; k++)
		if (lut->shape[k] != 1)
			return false;
	w->N = N;
	w->K = K;
	w->nbits = (int)bits;
	w->rows_per_group = N / (size_t)lut->shape[0];
	w->indices = ix->data;
	w->lut = lut->data;
	return true;
}

/* ---- quantisation -------------------------------------------------------------- */

int rt_op_affine_dequantize(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			    struct rt_value *out)
{
	struct rt_value *q, *zp, *sc;
	int64_t axis;
	int rc, a;

	if ((rc = rt_need_arg(ctx, op, in, "quantized_data", &q)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "zero_point", &zp)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "scale", &sc)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, 0, &axis)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, q->rank, &a)) != MLCC_OK)
		return rc;
	size_t d = (size_t)q->shape[a], inner = rt_shape_count(q->rank - a - 1, q->shape + a + 1);
	if ((zp->count != 1 && zp->count != d) || (sc->count != 1 && sc->count != d))
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "scale/zero_point must be scalars or match axis %d", a);
	if ((rc = rt_alloc(ctx, op, out, out_dtype(op, sc->dtype), q->rank, q->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < q->count; i++) {
		size_t c = (i / (inner ? inner : 1)) % (d ? d : 1);
		float z = rt_getf(zp, zp->count == 1 ? 0 : c),
		      s = rt_getf(sc, sc->count == 1 ? 0 : c);
		rt_setf(out, i, ((float)rt_geti(q, i) - z) * s);
	}
	return MLCC_OK;
}

/* Index into a per-block parameter 'p' (rank of the data) of element
** multi-index 'idx' of 'data'. */
static size_t block_index(const struct rt_value *p, const struct rt_value *data, const int64_t *idx)
{
	size_t off = 0;

	for (int k = 0; k < data->rank; k++) {
		int64_t bs = data->shape[k] / p->shape[k];
		off = off * (size_t)p->shape[k] + (size_t)(idx[k] / bs);
	}
	return off;
}

static bool blocks_fit(const struct rt_value *p, const struct rt_value *data)
{
	if (p->rank != data->rank)
		return false;
	for (int k = 0; k < data->rank; k++)
		if (p->shape[k] < 1 || data->shape[k] % p->shape[k] != 0)
			return false;
	return true;
}

int rt_op_blockwise_shift_scale(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
				struct rt_value *out)
{
	struct rt_value *data, *sc, *off;
	int64_t idx[RT_MAX_RANK] = {0};
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "data", &data)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "scale", &sc)) != MLCC_OK)
		return rc;
	off = rt_arg(op, in, "offset");
	if (!blocks_fit(sc, data) || (off && !blocks_fit(off, data)))
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "scale/offset do not divide the data into blocks");
	if ((rc = rt_alloc(ctx, op, out, out_dtype(op, sc->dtype), data->rank, data->shape)) !=
	    MLCC_OK)
		return rc;
	for (size_t i = 0; i < data->count; i++) {
		float x = rt_getf(data, i), s = rt_getf(sc, block_index(sc, data, idx));
		float o = off ? rt_getf(off, block_index(off, data, idx)) : 0.0f;
		rt_setf(out, i, (x - o) * s);
		for (int k = data->rank - 1; k >= 0; k--) {
			if (++idx[k] < data->shape[k])
				break;
			idx[k] = 0;
		}
	}
	return MLCC_OK;
}

/* ---- sparsity and casts ------------------------------------------------------------- */

int rt_op_sparse_to_dense(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			  struct rt_value *out)
{
	struct rt_value *nz, *mask;
	int64_t shape[RT_MAX_RANK];
	int rank, rc;
	bool ios16 = rt_arg(op, in, "shape") != NULL;

	if ((rc = rt_need_arg(ctx, op, in, "nonzero_data", &nz)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "mask", &mask)) != MLCC_OK)
		return rc;
	if (ios16) {
		if ((rc = shape_param(ctx, op, in, &rank, shape)) != MLCC_OK)
			return rc;
	} else {
		rank = mask->rank;
		memcpy(shape, mask->shape, sizeof shape);
	}
	if ((rc = rt_alloc(ctx, op, out, nz->dtype, rank, shape)) != MLCC_OK)
		return rc;
	if (ios16 && mask->count * 8 < out->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "mask holds too few bits");
	size_t es = dtype_mem_size(nz->dtype), k = 0;
	for (size_t i = 0; i < out->count; i++) {
		bool set = ios16 ? (((const uint8_t *)mask->data)[i >> 3] >> (i & 7)) & 1u
				 : rt_geti(mask, i) != 0;
		if (!set) {
			memset((char *)out->data + i * es, 0, es);
			continue;
		}
		if (k >= nz->count)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "more mask bits than values");
		memcpy((char *)out->data + i * es, (const char *)nz->data + k++ * es, es);
	}
	return MLCC_OK;
}

/* Walk the set bits of 'mask' (rank r, unpacked or packed uint1) in order,
** calling fn(ctx, k, idx) for the k-th one with its multi-index. */
typedef void (*sparse_fn)(void *arg, size_t k, const int64_t *idx);

static size_t sparse_walk(const struct rt_value *mask, sparse_fn fn, void *arg, size_t limit)
{
	int64_t idx[RT_MAX_RANK] = {0};
	size_t k = 0;

	for (size_t i = 0; i < mask->count; i++) {
		if (rt_geti(mask, i) != 0) {
			if (k < limit)
				fn(arg, k, idx);
			k++;
		}
		for (int d = mask->rank - 1; d >= 0; d--) {
			if (++idx[d] < mask->shape[d])
				break;
			idx[d] = 0;
		}
	}
	return k;
}

/* The mask output of the sparse combinations: the input mask, unpacked. */
static int mask_out(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *mask,
		    struct rt_value *out)
{
	int rc = rt_alloc(ctx, op, out, DT_UINT1, mask->rank, mask->shape);

	for (size_t i = 0; rc == MLCC_OK && i < mask->count; i++)
		((uint8_t *)out->data)[i] = rt_geti(mask, i) != 0;
	return rc;
}

struct lut_sparse {
	const struct rt_value *lut, *nz, *mask;
	struct rt_value *out;
	size_t entries, es;
};

static void lut_sparse_one(void *arg, size_t k, const int64_t *idx)
{
	struct lut_sparse *a = arg;
	size_t g = lut_group(a->lut, a->mask->rank, a->mask->shape, idx);
	size_t e = g * a->entries + (size_t)rt_geti(a->nz, k);

	memcpy((char *)a->out->data + k * a->es, (const char *)a->lut->data + e * a->es, a->es);
}

/* iOS18 constexpr_lut_to_sparse (scalar palettes): outputs the mask and
** the de-palettised nonzero values, each looked up in the palette of the
** block its dense position falls in. */
int rt_op_lut_to_sparse(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			struct rt_value *out)
{
	struct rt_value *mask, *nz, *lut;
	size_t vs;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "indices_mask", &mask)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices_nonzero_data", &nz)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "lut", &lut)) != MLCC_OK ||
	    (rc = lut_check(ctx, op, lut, mask->rank, mask->shape, dtype_info(nz->dtype)->bits,
			    &vs)) != MLCC_OK)
		return rc;
	if (vs != 1 || op->nout != 2)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "vector palettes of sparse data");
	int64_t n = (int64_t)nz->count;
	if ((rc = mask_out(ctx, op, mask, &out[0])) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, &out[1], lut->dtype, 1, &n)) != MLCC_OK)
		return rc;
	struct lut_sparse a = {
		lut, nz, mask, &out[1], (size_t)lut->shape[mask->rank], dtype_mem_size(lut->dtype)};
	if (sparse_walk(mask, lut_sparse_one, &a, nz->count) != nz->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "mask bits do not match the nonzero data");
	return MLCC_OK;
}

struct shift_sparse {
	const struct rt_value *nz, *mask, *scale, *offset;
	struct rt_value *out;
};

/* Index into a per-block parameter 'p' (of the mask's rank) of position 'idx'. */
static size_t sparse_block(const struct rt_value *p, const struct rt_value *mask,
			   const int64_t *idx)
{
	size_t off = 0;

	for (int k = 0; k < mask->rank; k++)
		off = off * (size_t)p->shape[k] + (size_t)(idx[k] / (mask->shape[k] / p->shape[k]));
	return off;
}

static void shift_sparse_one(void *arg, size_t k, const int64_t *idx)
{
	struct shift_sparse *a = arg;
	float s = rt_getf(a->scale, sparse_block(a->scale, a->mask, idx));
	float o = a->offset ? rt_getf(a->offset, sparse_block(a->offset, a->mask, idx)) : 0.0f;

	rt_setf(a->out, k, (rt_getf(a->nz, k) - o) * s);
}

/* Index-aligned blocks of 'p' over a value of 'v's shape. */
static bool fits_blocks(const struct rt_value *p, const struct rt_value *v)
{
	if (p->rank != v->rank)
		return false;
	for (int k = 0; k < v->rank; k++)
		if (p->shape[k] < 1 || v->shape[k] % p->shape[k] != 0)
			return false;
	return true;
}

/* iOS18 constexpr_sparse_blockwise_shift_scale: outputs the mask and the
** dequantised nonzero values, (q - offset) * scale of their block. */
int rt_op_sparse_shift_scale(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			     struct rt_value *out)
{
	struct rt_value *mask, *nz, *scale, *offset;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "data_mask", &mask)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "nonzero_data", &nz)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "scale", &scale)) != MLCC_OK)
		return rc;
	offset = rt_arg(op, in, "offset");
	if (op->nout != 2 || !fits_blocks(scale, mask) || (offset && !fits_blocks(offset, mask)))
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "scale/offset do not divide the mask into blocks");
	int64_t n = (int64_t)nz->count;
	if ((rc = mask_out(ctx, op, mask, &out[0])) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, &out[1], out_dtype_n(op, 1, scale->dtype), 1, &n)) != MLCC_OK)
		return rc;
	struct shift_sparse a = {nz, mask, scale, offset, &out[1]};
	if (sparse_walk(mask, shift_sparse_one, &a, nz->count) != nz->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "mask bits do not match the nonzero data");
	return MLCC_OK;
}

int rt_op_constexpr_cast(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 struct rt_value *out)
{
	struct rt_value *src;
	const char *name;
	enum dtype t;
	int rc;

	/* "source_val" is the name the iOS16 attribute form uses */
	if ((src = rt_arg(op, in, "source")) == NULL &&
	    (rc = rt_need_arg(ctx, op, in, "source_val", &src)) != MLCC_OK)
		return rc;
	if ((rc = rt_str(ctx, op, in, "output_dtype", NULL, &name)) != MLCC_OK)
		return rc;
	t = dtype_from_mil(name, strlen(name));
	if (t != DT_FP16 && t != DT_FP32)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "constexpr_cast to '%s'", name);
	if ((rc = rt_alloc(ctx, op, out, t, src->rank, src->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < src->count; i++)
		rt_setf(out, i, rt_getf(src, i));
	return MLCC_OK;
}
