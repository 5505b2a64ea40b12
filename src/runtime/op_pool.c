/*
** op_pool.c -- pooling (avg_pool, max_pool, l2_pool over 1 to 3 spatial
** dimensions, every pad_type, ceil_mode) and resizing of the last two
** dimensions (upsample_nearest_neighbor, upsample_bilinear,
** resize_nearest_neighbor, resize_bilinear), and affine (iOS17's
** spatial transform of the last two dimensions).
**
** Numbers: each output element is computed in float from the input
** elements it covers and rounded once.  max_pool ignores padding; avg_pool
** divides by the window positions inside the padded input, or inside the
** input itself with exclude_padding_from_average; l2_pool is the square
** root of the sum of squares of the positions inside the input.
** Resizing maps an output coordinate o to the input coordinate
**   align corners:            o * (in - 1) / (out - 1)
**   half-pixel (unaligned):   (o + 0.5) * in / out - 0.5, clamped at 0
**   default:                  o * in / out
** bilinear interpolates between the two neighbours (clamped at the edge);
** nearest takes floor() of the default mapping, clamped to in - 1.
*/
#include <math.h>
#include <string.h>

#include "runtime/ops2.h"

/* ---- pooling ------------------------------------------------------------------ */

enum pool { P_AVG, P_MAX, P_L2 };

struct pool_job {
	enum pool kind;
	bool exclude;
	struct rt_window w;
	int64_t in[3], k[3], s[3], pb[3], pe[3], out[3]; /* as 3-D */
};

static void pool_3d(struct pool_job *j)
{
	int off = 3 - j->w.r;

	for (int i = 0; i < 3; i++) {
		int k = i - off;
		j->in[i] = k < 0 ? 1 : j->w.in[k];
		j->k[i] = k < 0 ? 1 : j->w.k[k];
		j->s[i] = k < 0 ? 1 : j->w.s[k];
		j->pb[i] = k < 0 ? 0 : j->w.pb[k];
		j->pe[i] = k < 0 ? 0 : j->w.pe[k];
		j->out[i] = k < 0 ? 1 : j->w.out[k];
	}
}

/* One output element of channel plane 'x' at output position (od, oh, ow). */
static float pool_one(const struct pool_job *j, const float *x, int64_t od, int64_t oh, int64_t ow)
{
	float acc = j->kind == P_MAX ? -INFINITY : 0.0f;
	int64_t inside = 0, padded = 0;

	for (int64_t a = 0; a < j->k[0]; a++)
		for (int64_t b = 0; b < j->k[1]; b++)
			for (int64_t c = 0; c < j->k[2]; c++) {
				int64_t id = od * j->s[0] + a - j->pb[0];
				int64_t ih = oh * j->s[1] + b - j->pb[1];
				int64_t iw = ow * j->s[2] + c - j->pb[2];
				if (id < j->in[0] + j->pe[0] && ih < j->in[1] + j->pe[1] &&
				    iw < j->in[2] + j->pe[2])
					padded++;
				if (id < 0 || id >= j->in[0] || ih < 0 || ih >= j->in[1] ||
				    iw < 0 || iw >= j->in[2])
					continue;
				float v = x[(id * j->in[1] + ih) * j->in[2] + iw];
				inside++;
				if (j->kind == P_MAX)
					acc = v > acc || isnan(v) ? v : acc;
				else if (j->kind == P_AVG)
					acc += v;
				else
					acc += v * v;
			}
	if (j->kind == P_L2)
		return sqrtf(acc);
	if (j->kind == P_AVG) {
		int64_t n = j->exclude ? inside : padded;
		return n > 0 ? acc / (float)n : 0.0f;
	}
	return inside > 0 ? acc : 0.0f;
}

int rt_op_pool(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	struct pool_job j = {0};
	int64_t k[3], shape[RT_MAX_RANK];
	size_t nk, planes, isz, osz;
	float *xf, *yf;
	int rc, r;

	j.kind = strcmp(op->op->type, "max_pool") == 0	? P_MAX
		 : strcmp(op->op->type, "l2_pool") == 0 ? P_L2
							: P_AVG;
	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "kernel_sizes", false, k, 3, &nk)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "exclude_padding_from_average", true, false, &j.exclude)) !=
		    MLCC_OK)
		return rc;
	r = x->rank - 2;
	if (r < 1 || (size_t)r != nk)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x of rank %d with %zu kernel sizes",
			       x->rank, nk);
	if ((rc = rt_window_init(ctx, op, in, r, x->shape + 2, k, false, "valid", &j.w)) != MLCC_OK)
		return rc;
	pool_3d(&j);
	shape[0] = x->shape[0];
	shape[1] = x->shape[1];
	for (int i = 0; i < r; i++)
		shape[2 + i] = j.w.out[i];
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	if ((xf = rt_to_f32(ctx, op, x)) == NULL)
		return MLCC_E_NOMEM;
	if ((yf = malloc((out->count ? out->count : 1) * sizeof *yf)) == NULL) {
		free(xf);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	planes = (size_t)(x->shape[0] * x->shape[1]);
	isz = (size_t)(j.in[0] * j.in[1] * j.in[2]);
	osz = (size_t)(j.out[0] * j.out[1] * j.out[2]);
	for (size_t pl = 0; pl < planes; pl++)
		for (size_t p = 0; p < osz; p++)
			yf[pl * osz + p] =
				pool_one(&j, xf + pl * isz, (int64_t)p / (j.out[1] * j.out[2]),
					 (int64_t)p / j.out[2] % j.out[1], (int64_t)p % j.out[2]);
	rt_from_f32(out, yf);
	free(xf);
	free(yf);
	return MLCC_OK;
}

/* ---- resizing ------------------------------------------------------------------- */

enum map { M_DEFAULT, M_ALIGN, M_HALF };

/* Input coordinate of output coordinate 'o' (in 'n_in' -> 'n_out'). */
static float src_coord(enum map m, int64_t o, int64_t n_in, int64_t n_out, float scale)
{
	float v;

	if (m == M_ALIGN)
		return n_out > 1 ? (float)o * (float)(n_in - 1) / (float)(n_out - 1) : 0.0f;
	if (m == M_HALF) {
		v = ((float)o + 0.5f) / scale - 0.5f;
		return v < 0 ? 0.0f : v;
	}
	return (float)o / scale;
}

/* Resize the last two dimensions of 'x' into 'oh' x 'ow'; 'sh'/'sw' the
** scale factors (output over input). */
static int resize(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *x, int64_t oh,
		  int64_t ow, float sh, float sw, enum map m, bool bilinear, struct rt_value *out)
{
	int64_t shape[RT_MAX_RANK], ih, iw;
	size_t planes;
	float *xf, *yf;
	int rc;

	if (x->rank < 2 || oh < 1 || ow < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "cannot resize x of rank %d to %lld x %lld",
			       x->rank, (long long)oh, (long long)ow);
	memcpy(shape, x->shape, sizeof shape);
	ih = x->shape[x->rank - 2];
	iw = x->shape[x->rank - 1];
	shape[x->rank - 2] = oh;
	shape[x->rank - 1] = ow;
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	if ((xf = rt_to_f32(ctx, op, x)) == NULL)
		return MLCC_E_NOMEM;
	if ((yf = malloc((out->count ? out->count : 1) * sizeof *yf)) == NULL) {
		free(xf);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	planes = ih * iw > 0 ? x->count / (size_t)(ih * iw) : 0;
	for (size_t pl = 0; pl < planes; pl++) {
		const float *xp = xf + pl * (size_t)(ih * iw);
		float *yp = yf + pl * (size_t)(oh * ow);
		for (int64_t y = 0; y < oh; y++) {
			float fy = src_coord(m, y, ih, oh, sh);
			for (int64_t xo = 0; xo < ow; xo++) {
				float fx = src_coord(m, xo, iw, ow, sw);
				if (!bilinear) {
					int64_t a = (int64_t)floorf(fy), b = (int64_t)floorf(fx);
					a = a >= ih ? ih - 1 : a;
					b = b >= iw ? iw - 1 : b;
					yp[y * ow + xo] = xp[a * iw + b];
					continue;
				}
				if (fy > (float)(ih - 1))
					fy = (float)(ih - 1);
				if (fx > (float)(iw - 1))
					fx = (float)(iw - 1);
				int64_t y0 = (int64_t)floorf(fy), x0 = (int64_t)floorf(fx);
				int64_t y1 = y0 + 1 < ih ? y0 + 1 : y0,
					x1 = x0 + 1 < iw ? x0 + 1 : x0;
				float dy = fy - (float)y0, dx = fx - (float)x0;
				float top = xp[y0 * iw + x0] * (1 - dx) + xp[y0 * iw + x1] * dx;
				float bot = xp[y1 * iw + x0] * (1 - dx) + xp[y1 * iw + x1] * dx;
				yp[y * ow + xo] = top * (1 - dy) + bot * dy;
			}
		}
	}
	rt_from_f32(out, yf);
	free(xf);
	free(yf);
	return MLCC_OK;
}

/* Scale factors of upsample_*: output size floor(in * scale). */
static int upsample(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, bool bilinear,
		    struct rt_value *out)
{
	struct rt_value *x;
	float sh, sw;
	bool align = false, half = false;
	enum map m = M_DEFAULT;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "scale_factor_height", true, 1, &sh)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "scale_factor_width", true, 1, &sw)) != MLCC_OK)
		return rc;
	if (bilinear) {
		if ((rc = rt_bool(ctx, op, in, "align_corners", true, true, &align)) != MLCC_OK ||
		    (rc = rt_bool(ctx, op, in, "half_pixel_centers", true, !align, &half)) !=
			    MLCC_OK)
			return rc;
		m = align ? M_ALIGN : half ? M_HALF : M_DEFAULT;
	}
	if (x->rank < 2 || !(sh > 0) || !(sw > 0))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bad scale factors or rank");
	float oh = floorf((float)x->shape[x->rank - 2] * sh);
	float ow = floorf((float)x->shape[x->rank - 1] * sw);
	if (!(oh < 2147483648.0f) || !(ow < 2147483648.0f)) /* also NaN */
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "scale factors give a too large output");
	return resize(ctx, op, x, (int64_t)oh, (int64_t)ow, sh, sw, m, bilinear, out);
}

int rt_op_upsample_nearest(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			   struct rt_value *out)
{
	return upsample(ctx, op, in, false, out);
}

int rt_op_upsample_bilinear(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			    struct rt_value *out)
{
	return upsample(ctx, op, in, true, out);
}

/* resize_*: target sizes; bilinear's sampling_mode picks the mapping. */
static int resize_to(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     bool bilinear, struct rt_value *out)
{
	struct rt_value *x;
	int64_t th, tw;
	const char *mode = "DEFAULT";
	enum map m = M_DEFAULT;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "target_size_height", false, 0, &th)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "target_size_width", false, 0, &tw)) != MLCC_OK ||
	    (bilinear && (rc = rt_str(ctx, op, in, "sampling_mode", "DEFAULT", &mode)) != MLCC_OK))
		return rc;
	if (strstr(mode, "ALIGN_CORNERS") && strncmp(mode, "UN", 2) != 0)
		m = M_ALIGN;
	else if (strcmp(mode, "UNALIGN_CORNERS") == 0 || strcmp(mode, "OFFSET_CORNERS") == 0)
		m = M_HALF;
	if (x->rank < 2 || th < 1 || tw < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bad target size or rank");
	return resize(ctx, op, x, th, tw, (float)th / (float)x->shape[x->rank - 2],
		      (float)tw / (float)x->shape[x->rank - 1], m, bilinear, out);
}

int rt_op_resize_nearest(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 struct rt_value *out)
{
	return resize_to(ctx, op, in, false, out);
}

int rt_op_resize_bilinear(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			  struct rt_value *out)
{
	return resize_to(ctx, op, in, true, out);
}

/* ---- affine (iOS17 spatial transform) ------------------------------------------ */

/* Input pixel coordinate of normalised or pixel coordinate 'c' along a
** dimension of 'n' pixels. */
static float unnormalise(float c, int64_t n, int mode, bool align)
{
	if (mode == 2) /* unnormalized: pixels already */
		return c;
	if (mode == 1) /* [0, 1] -> [-1, 1] */
		c = c * 2 - 1;
	return align ? (c + 1) * (float)(n - 1) / 2 : ((c + 1) * (float)n - 1) / 2;
}

/* Output grid coordinate of pixel 'i' of 'n' in the op's coordinate mode. */
static float grid(int64_t i, int64_t n, int mode, bool align)
{
	float c = align ? (n > 1 ? 2.0f * (float)i / (float)(n - 1) - 1 : 0)
			: (2.0f * (float)i + 1) / (float)n - 1;
	return mode == 2 ? (float)i : mode == 1 ? (c + 1) / 2 : c;
}

/* Pixel (y, x) of plane 'p' (h x w), or the padding value / the nearest
** border pixel outside. */
static float pixel(const float *p, int64_t h, int64_t w, int64_t y, int64_t x, bool border,
		   float pad)
{
	if (y < 0 || y >= h || x < 0 || x >= w) {
		if (!border)
			return pad;
		y = y < 0 ? 0 : y >= h ? h - 1 : y;
		x = x < 0 ? 0 : x >= w ? w - 1 : x;
	}
	return p[y * w + x];
}

/* affine: x [B, C, H, W], transform_matrix [B, 6]: output pixel (i, j)
** samples x at M * (grid(j), grid(i), 1), bilinear or nearest, with
** constant or border padding; coordinates_mode normalized_minus_one_to_one,
** normalized_zero_to_one or unnormalized. */
int rt_op_affine(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x, *m;
	int64_t oh, ow, shape[4];
	const char *smode, *pmode, *cmode;
	bool align;
	float pad;
	int rc, cm;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "transform_matrix", &m)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "output_height", false, 0, &oh)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "output_width", false, 0, &ow)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "sampling_mode", "bilinear", &smode)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "padding_mode", "constant", &pmode)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "padding_value", true, 0, &pad)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "coordinates_mode", "normalized_minus_one_to_one", &cmode)) !=
		    MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "align_corners", true, false, &align)) != MLCC_OK)
		return rc;
	cm = strcmp(cmode, "normalized_minus_one_to_one") == 0 ? 0
	     : strcmp(cmode, "normalized_zero_to_one") == 0    ? 1
	     : strcmp(cmode, "unnormalized") == 0	       ? 2
							       : -1;
	if (cm < 0 || (strcmp(pmode, "constant") && strcmp(pmode, "border")) ||
	    (strcmp(smode, "bilinear") && strcmp(smode, "nearest")))
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED,
			       "affine with %s sampling, %s padding, %s coordinates", smode, pmode,
			       cmode);
	if (x->rank != 4 || m->count != (size_t)x->shape[0] * 6 || oh < 1 || ow < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "x must be [B, C, H, W] and transform_matrix [B, 6]");
	int64_t b = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
	bool border = strcmp(pmode, "border") == 0, near = strcmp(smode, "nearest") == 0;
	float *xf, *yf;
	shape[0] = b;
	shape[1] = c;
	shape[2] = oh;
	shape[3] = ow;
	if ((rc = rt_alloc(ctx, op, out, x->dtype, 4, shape)) != MLCC_OK)
		return rc;
	if ((xf = rt_to_f32(ctx, op, x)) == NULL)
		return MLCC_E_NOMEM;
	if ((yf = malloc(out->count * sizeof *yf + 1)) == NULL) {
		free(xf);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	for (int64_t n = 0; n < b; n++) {
		float t[6];
		for (int k = 0; k < 6; k++)
			t[k] = rt_getf(m, (size_t)(n * 6 + k));
		for (int64_t i = 0; i < oh; i++)
			for (int64_t j = 0; j < ow; j++) {
				float gx = grid(j, ow, cm, align), gy = grid(i, oh, cm, align);
				float px = unnormalise(t[0] * gx + t[1] * gy + t[2], w, cm, align);
				float py = unnormalise(t[3] * gx + t[4] * gy + t[5], h, cm, align);
				int64_t x0 = (int64_t)floorf(px), y0 = (int64_t)floorf(py);
				float dx = px - (float)x0, dy = py - (float)y0;
				for (int64_t ch = 0; ch < c; ch++) {
					const float *p = xf + (size_t)((n * c + ch) * h * w);
					float v;
					if (near)
						v = pixel(p, h, w, (int64_t)nearbyintf(py),
							  (int64_t)nearbyintf(px), border, pad);
					else
						v = (pixel(p, h, w, y0, x0, border, pad) *
							     (1 - dx) +
						     pixel(p, h, w, y0, x0 + 1, border, pad) * dx) *
							    (1 - dy) +
						    (pixel(p, h, w, y0 + 1, x0, border, pad) *
							     (1 - dx) +
						     pixel(p, h, w, y0 + 1, x0 + 1, border, pad) *
							     dx) *
							    dy;
					yf[((n * c + ch) * oh + i) * ow + j] = v;
				}
			}
	}
	rt_from_f32(out, yf);
	free(xf);
	free(yf);
	return MLCC_OK;
}
