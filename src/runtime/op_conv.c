/*
** op_conv.c -- conv_transpose (1-D, 2-D, 3-D; groups, strides, dilations,
** pad_type valid/same/same_lower/custom, output_shape, bias), plus the
** sliding-window geometry that pooling uses (rt_window_init).  conv itself
** is the core's (op_linear.c: im2col and the fused palettized product).
**
** conv_transpose scatters every input element times the kernel into a
** float output (each output element is a sum in a fixed order), then
** rounds once.  Fewer than 3 spatial dimensions are handled as 3 with
** size-1 dimensions in front.
*/
#include <string.h>

#include "runtime/ops2.h"

/* Bound of strides, dilations, kernel sizes and pads: keeps every window
** computation far from int64 overflow. */
#define WIN_MAX (1 << 24)

/* ---- window geometry ------------------------------------------------------------ */

/* Vector parameter 'param' of 'r' entries (absent: every entry 'def'). */
static int vec_param(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     const char *param, int r, int64_t def, int64_t *out)
{
	size_t n;
	int rc;

	if ((rc = rt_ints(ctx, op, in, param, true, out, 6, &n)) != MLCC_OK)
		return rc;
	if (n == 0) {
		for (int i = 0; i < r; i++)
			out[i] = def;
		return MLCC_OK;
	}
	if (n != (size_t)r)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' has %zu values, expected %d", param,
			       n, r);
	for (int i = 0; i < r; i++)
		if (out[i] < 1 || out[i] > WIN_MAX)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' must be in 1..%d", param,
				       WIN_MAX);
	return MLCC_OK;
}

/* Output size of one dimension for the padded input 'padded'. */
static int64_t window_out(int64_t padded, int64_t ke, int64_t s, bool ceil_mode)
{
	if (padded < ke)
		return 0;
	return (ceil_mode ? (padded - ke + s - 1) / s : (padded - ke) / s) + 1;
}

int rt_window_init(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, int r,
		   const int64_t *insz, const int64_t *k, bool dil_ok, const char *def_pad,
		   struct rt_window *w)
{
	int64_t pad[6] = {0};
	const char *pt;
	size_t np;
	bool ceil_mode;
	int rc;

	memset(w, 0, sizeof *w);
	w->r = r;
	if (r < 1 || r > 3)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "%d spatial dimensions (1 to 3 run)",
			       r);
	if ((rc = vec_param(ctx, op, in, "strides", r, 1, w->s)) != MLCC_OK ||
	    (rc = vec_param(ctx, op, in, dil_ok ? "dilations" : "", r, 1, w->d)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "pad_type", def_pad, &pt)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "pad", true, pad, 6, &np)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "ceil_mode", true, false, &ceil_mode)) != MLCC_OK)
		return rc;
	for (int i = 0; i < r; i++) {
		int64_t ke = w->d[i] * (k[i] - 1) + 1;
		w->in[i] = insz[i];
		w->k[i] = k[i];
		if (k[i] < 1 || k[i] > WIN_MAX || insz[i] > INT64_MAX / 4)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "kernel size must be in 1..%d",
				       WIN_MAX);
		if (strcmp(pt, "custom") == 0) {
			if (np != (size_t)(2 * r))
				return rt_fail(ctx, op, MLCC_E_CORRUPT,
					       "'pad' has %zu values, expected %d", np, 2 * r);
			w->pb[i] = pad[2 * i];
			w->pe[i] = pad[2 * i + 1];
			if (w->pb[i] < 0 || w->pe[i] < 0 || w->pb[i] > WIN_MAX ||
			    w->pe[i] > WIN_MAX)
				return rt_fail(ctx, op, MLCC_E_CORRUPT, "'pad' must be in 0..%d",
					       WIN_MAX);
		} else if (strcmp(pt, "same") == 0 || strcmp(pt, "same_lower") == 0) {
			int64_t o = (insz[i] + w->s[i] - 1) / w->s[i];
			int64_t total = (o - 1) * w->s[i] + ke - insz[i];
			if (total < 0)
				total = 0;
			w->pb[i] = pt[4] ? total - total / 2 : total / 2;
			w->pe[i] = total - w->pb[i];
		} else if (strcmp(pt, "valid") != 0) {
			return rt_fail(ctx, op, MLCC_E_UNSUPPORTED,
				       "pad_type '%s' is not supported", pt);
		}
		w->out[i] = window_out(insz[i] + w->pb[i] + w->pe[i], ke, w->s[i], ceil_mode);
		if (w->out[i] < 1)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "the kernel is larger than the padded input");
	}
	return MLCC_OK;
}

/* ---- conv ----------------------------------------------------------------------- */

/* The geometry of one conv, every spatial part as 3-D. */
struct conv {
	int64_t n, cin, cout, groups, cin_g, cout_g;
	int64_t in[3], k[3], s[3], d[3], pb[3], out[3];
	size_t ksz, isz, osz; /* kernel, input and output positions */
};

/* Spatial dimensions of 'w' as the last of three (size 1 in front). */
static void as_3d(const struct rt_window *w, struct conv *c)
{
	int off = 3 - w->r;

	for (int i = 0; i < 3; i++) {
		int j = i - off;
		c->in[i] = j < 0 ? 1 : w->in[j];
		c->k[i] = j < 0 ? 1 : w->k[j];
		c->s[i] = j < 0 ? 1 : w->s[j];
		c->d[i] = j < 0 ? 1 : w->d[j];
		c->pb[i] = j < 0 ? 0 : w->pb[j];
		c->out[i] = j < 0 ? 1 : w->out[j];
	}
	c->ksz = (size_t)(c->k[0] * c->k[1] * c->k[2]);
	c->isz = (size_t)(c->in[0] * c->in[1] * c->in[2]);
	c->osz = (size_t)(c->out[0] * c->out[1] * c->out[2]);
}

/* x, weight, groups and the geometry of a conv or conv_transpose;
** 'transpose' reads the weight as [Cin, Cout/groups, K...]. */
static int conv_setup(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		      bool transpose, struct rt_value **x, struct rt_value **w, struct conv *c,
		      struct rt_window *win)
{
	int64_t groups, k[3];
	int rc, r;

	if ((rc = rt_need_arg(ctx, op, in, "x", x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "weight", w)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "groups", true, 1, &groups)) != MLCC_OK)
		return rc;
	r = (*x)->rank - 2;
	if (r < 1 || r > 3 || (*w)->rank != (*x)->rank)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED,
			       "x of rank %d with weight of rank %d (ranks 3 to 5 run)", (*x)->rank,
			       (*w)->rank);
	memset(c, 0, sizeof *c);
	c->n = (*x)->shape[0];
	c->cin = (*x)->shape[1];
	c->groups = groups;
	if (groups < 1 || c->cin % groups != 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "groups %lld do not divide %lld channels",
			       (long long)groups, (long long)c->cin);
	c->cin_g = c->cin / groups;
	if (transpose) {
		c->cout_g = (*w)->shape[1];
		c->cout = c->cout_g * groups;
		if ((*w)->shape[0] != c->cin)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "weight has %lld input channels, x %lld",
				       (long long)(*w)->shape[0], (long long)c->cin);
	} else {
		c->cout = (*w)->shape[0];
		if (c->cout % groups != 0 || (*w)->shape[1] != c->cin_g)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "weight shape does not match x and groups");
		c->cout_g = c->cout / groups;
	}
	for (int i = 0; i < r; i++)
		k[i] = (*w)->shape[2 + i];
	if (transpose)
		return MLCC_OK;
	if ((rc = rt_window_init(ctx, op, in, r, (*x)->shape + 2, k, true, "valid", win)) !=
	    MLCC_OK)
		return rc;
	as_3d(win, c);
	return MLCC_OK;
}

/* The bias of 'c->cout' elements as floats (NULL and no error when absent). */
static int bias_of(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, int64_t cout,
		   float **bias)
{
	struct rt_value *b = rt_arg(op, in, "bias");

	*bias = NULL;
	if (b == NULL)
		return MLCC_OK;
	if (b->count != (size_t)cout)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bias has %zu elements, expected %lld",
			       b->count, (long long)cout);
	*bias = rt_to_f32(ctx, op, b);
	return *bias ? MLCC_OK : MLCC_E_NOMEM;
}

/* ---- conv_transpose ------------------------------------------------------------ */

/* Output size and begin padding of each spatial dimension of a
** conv_transpose (output_shape, when given, decides the size). */
static int transpose_geometry(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			      int r, const struct rt_value *x, const struct rt_value *w,
			      struct conv *c)
{
	int64_t pad[6] = {0}, oshape[RT_MAX_RANK], s[3], d[3];
	size_t np, no;
	const char *pt;
	int rc;

	if ((rc = vec_param(ctx, op, in, "strides", r, 1, s)) != MLCC_OK ||
	    (rc = vec_param(ctx, op, in, "dilations", r, 1, d)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "pad_type", "valid", &pt)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "pad", true, pad, 6, &np)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "output_shape", true, oshape, RT_MAX_RANK, &no)) != MLCC_OK)
		return rc;
	for (int i = 0; i < 3; i++) {
		int j = i - (3 - r);
		c->in[i] = j < 0 ? 1 : x->shape[2 + j];
		c->k[i] = j < 0 ? 1 : w->shape[2 + j];
		c->s[i] = j < 0 ? 1 : s[j];
		c->d[i] = j < 0 ? 1 : d[j];
		int64_t full = (c->in[i] - 1) * c->s[i] + c->d[i] * (c->k[i] - 1) + 1, pb = 0,
			pe = 0;
		if (j >= 0 && strcmp(pt, "custom") == 0 && np == (size_t)(2 * r)) {
			pb = pad[2 * j];
			pe = pad[2 * j + 1];
			if (pb < 0 || pe < 0 || pb > WIN_MAX || pe > WIN_MAX)
				return rt_fail(ctx, op, MLCC_E_CORRUPT, "'pad' must be in 0..%d",
					       WIN_MAX);
		} else if (j >= 0 && strncmp(pt, "same", 4) == 0) {
			int64_t total = full - c->in[i] * c->s[i];
			if (total < 0)
				total = 0;
			pb = pt[4] ? total - total / 2 : total / 2;
			pe = total - pb;
		}
		c->pb[i] = pb;
		c->out[i] = full - pb - pe;
		if (j >= 0 && no == (size_t)(r + 2))
			c->out[i] = oshape[2 + j];
		else if (j >= 0 && no == (size_t)r)
			c->out[i] = oshape[j];
		if (c->out[i] < 1)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "empty output");
	}
	c->ksz = (size_t)(c->k[0] * c->k[1] * c->k[2]);
	c->isz = (size_t)(c->in[0] * c->in[1] * c->in[2]);
	c->osz = (size_t)(c->out[0] * c->out[1] * c->out[2]);
	return MLCC_OK;
}

/* Every input element of batch item 'x' times the kernel, added into 'y'. */
static void transpose_run(const struct conv *c, const float *x, const float *w, float *y)
{
	for (int64_t ci = 0; ci < c->cin; ci++) {
		int64_t g = ci / c->cin_g;
		for (size_t ip = 0; ip < c->isz; ip++) {
			float v = x[(size_t)ci * c->isz + ip];
			int64_t id = (int64_t)ip / (c->in[1] * c->in[2]);
			int64_t ih = (int64_t)ip / c->in[2] % c->in[1], iw = (int64_t)ip % c->in[2];
			for (int64_t co = 0; co < c->cout_g; co++) {
				const float *wk =
					w + ((size_t)ci * (size_t)c->cout_g + (size_t)co) * c->ksz;
				float *yc = y + (size_t)(g * c->cout_g + co) * c->osz;
				for (size_t kk = 0; kk < c->ksz; kk++) {
					int64_t kd = (int64_t)kk / (c->k[1] * c->k[2]);
					int64_t kh = (int64_t)kk / c->k[2] % c->k[1];
					int64_t kw = (int64_t)kk % c->k[2];
					int64_t od = id * c->s[0] + kd * c->d[0] - c->pb[0];
					int64_t oh = ih * c->s[1] + kh * c->d[1] - c->pb[1];
					int64_t ow = iw * c->s[2] + kw * c->d[2] - c->pb[2];
					if (od < 0 || od >= c->out[0] || oh < 0 ||
					    oh >= c->out[1] || ow < 0 || ow >= c->out[2])
						continue;
					yc[(od * c->out[1] + oh) * c->out[2] + ow] += v * wk[kk];
				}
			}
		}
	}
}

int rt_op_conv_transpose(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 struct rt_value *out)
{
	struct rt_value *x, *w;
	struct rt_window win;
	struct conv c;
	int64_t shape[RT_MAX_RANK];
	float *xf = NULL, *wf = NULL, *bf = NULL, *yf = NULL;
	int rc, r;

	if ((rc = conv_setup(ctx, op, in, true, &x, &w, &c, &win)) != MLCC_OK)
		return rc;
	r = x->rank - 2;
	if ((rc = transpose_geometry(ctx, op, in, r, x, w, &c)) != MLCC_OK ||
	    (rc = bias_of(ctx, op, in, c.cout, &bf)) != MLCC_OK)
		return rc;
	shape[0] = c.n;
	shape[1] = c.cout;
	for (int i = 0; i < r; i++)
		shape[2 + i] = c.out[3 - r + i];
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		goto out;
	xf = rt_to_f32(ctx, op, x);
	wf = rt_to_f32(ctx, op, w);
	yf = calloc(out->count ? out->count : 1, sizeof *yf);
	if (!xf || !wf || !yf) {
		rc = xf && wf ? rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory") : MLCC_E_NOMEM;
		goto out;
	}
	for (int64_t n = 0; n < c.n; n++) {
		float *yn = yf + (size_t)n * (size_t)c.cout * c.osz;
		transpose_run(&c, xf + (size_t)n * (size_t)c.cin * c.isz, wf, yn);
		for (int64_t co = 0; bf && co < c.cout; co++)
			for (size_t p = 0; p < c.osz; p++)
				yn[(size_t)co * c.osz + p] += bf[co];
	}
	rt_from_f32(out, yf);
out:
	free(xf);
	free(wf);
	free(bf);
	free(yf);
	return rc;
}
