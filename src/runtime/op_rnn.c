/*
** op_rnn.c -- recurrent layers as the iOS15 op definitions give them:
** lstm (directions forward/reverse/bidirectional, output_sequence,
** peepholes, clip, activations), gru and rnn (forward/reverse).
**
** Shapes: x [s, b, I]; lstm weights W_ih [4H, I], W_hh [4H, H], bias [4H]
** (input + recurrent), peephole [3H], gates in the order input, forget,
** output, cell ("ifoz"); initial_h/initial_c [b, D*H] (D = 2 when
** bidirectional: forward values first).  One step:
**   i = ra(Wi x + Ri h + bi + pi*c)   f = ra(Wf x + Rf h + bf + pf*c)
**   z = ca(Wz x + Rz h + bz)          c' = f*c + i*z   (clipped to +-clip)
**   o = ra(Wo x + Ro h + bo + po*c')  h' = o * act(c')
** Outputs: the hidden states [s or 1, b, D*H], the last h and c [b, D*H].
** gru: W_ih [3H, I], W_hh [3H, H], bias [3H], gates reset, output, update:
**   r = ra(Wr x + Rr h + br)   z = ra(Wz x + Rz h + bz)
**   o = act(Wo x + bo + r * (Ro h))   h' = (1 - z) * o + z * h
** rnn: h' = act(W x + R h + b) with W [H, I], R [H, H].
** The recurrent state stays in float between steps; every output element
** is rounded once, at the end.  The input projection of all steps is one
** k_gemm_f32; each step's recurrent product another.
*/
#include <math.h>
#include <string.h>

#include "runtime/ops2.h"

enum act { A_SIGMOID, A_TANH, A_RELU, A_SCALED_TANH, A_HARD_SIGMOID, A_LINEAR };

static int act_of(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  const char *param, const char *def, enum act *a)
{
	static const char *const names[] = {"sigmoid",	   "tanh",	   "relu",
					    "scaled_tanh", "sigmoid_hard", "linear"};
	const char *s;
	int rc;

	if ((rc = rt_str(ctx, op, in, param, def, &s)) != MLCC_OK)
		return rc;
	for (int i = 0; i < 6; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*a = (enum act)i;
			return MLCC_OK;
		}
	return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "activation '%s' is not supported", s);
}

/* Activation 'a' with the op definitions' fixed parameters (scaled_tanh
** 1.7159 * tanh(2/3 x) as the neural-network layer; hard sigmoid 0.2x+0.5). */
static float act(enum act a, float x)
{
	switch (a) {
	case A_SIGMOID: return 1.0f / (1.0f + expf(-x));
	case A_TANH: return tanhf(x);
	case A_RELU: return x > 0 ? x : 0.0f;
	case A_SCALED_TANH: return 1.7159f * tanhf(0.6666667f * x);
	case A_HARD_SIGMOID: {
		float r = 0.2f * x + 0.5f;
		return r < 0 ? 0.0f : r > 1 ? 1.0f : r;
	}
	case A_LINEAR: return x;
	}
	return x;
}

/* The float form of optional input 'param' with 'n' elements (NULL when
** absent); an error when present with another size. */
static int opt_f32(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		   const char *param, size_t n, float **out)
{
	struct rt_value *v = rt_arg(op, in, param);

	*out = NULL;
	if (v == NULL)
		return MLCC_OK;
	if (v->count != n)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' has %zu elements, expected %zu",
			       param, v->count, n);
	*out = rt_to_f32(ctx, op, v);
	return *out ? MLCC_OK : MLCC_E_NOMEM;
}

/* One direction of an lstm or rnn. */
struct rnn_dir {
	const float *wih, *whh, *bias, *peep; /* bias, peep may be NULL */
	bool reverse;
	int col; /* offset of this direction in the D*H outputs */
};

struct rnn_job {
	bool lstm;
	size_t s, b, in, h, d, gates; /* gates: 4 (lstm) or 1 */
	enum act ra, ca, a;
	float clip; /* 0: none */
	const float *x;
	float *seq;	   /* [s, b, d*h] hidden states */
	float *hs, *cs;	   /* [b, d*h] running state */
	float *gin, *grec; /* scratch [s*b, gates*h], [b, gates*h] */
	float *h_;	   /* scratch [b, h]: this direction's hidden state */
};

/* One GRU step for one batch row: gates r, o, z in that order; the
** reset gate scales the recurrent part of the output gate only.  'h' is
** updated in place and copied to 'seq'. */
static void gru_step(const struct rnn_job *j, const struct rnn_dir *dir, const float *gi,
		     const float *gr, float *h, float *seq)
{
	size_t H = j->h;

	for (size_t u = 0; u < H; u++) {
		const float *b = dir->bias;
		float r = act(j->ra, gi[u] + gr[u] + (b ? b[u] : 0));
		float z = act(j->ra, gi[2 * H + u] + gr[2 * H + u] + (b ? b[2 * H + u] : 0));
		float o = act(j->a, gi[H + u] + (b ? b[H + u] : 0) + r * gr[H + u]);
		h[u] = (1 - z) * o + z * h[u];
		seq[dir->col + u] = h[u];
	}
}

/* Run one direction over the sequence. */
static void run_dir(struct rt_ctx *ctx, struct rnn_job *j, const struct rnn_dir *dir)
{
	size_t gh = j->gates * j->h, dh = j->d * j->h;
	float *h = j->h_;

	k_gemm_f32(ctx->pool, j->s * j->b, gh, j->in, j->x, j->in, dir->wih, j->in, 1, j->gin, gh);
	for (size_t bi = 0; bi < j->b; bi++)
		memcpy(h + bi * j->h, j->hs + bi * dh + dir->col, j->h * sizeof *h);
	for (size_t step = 0; step < j->s; step++) {
		size_t t = dir->reverse ? j->s - 1 - step : step;
		k_gemm_f32(ctx->pool, j->b, gh, j->h, h, j->h, dir->whh, j->h, 1, j->grec, gh);
		for (size_t bi = 0; bi < j->b; bi++) {
			const float *gi = j->gin + (t * j->b + bi) * gh;
			float *gr = j->grec + bi * gh, *c = j->cs + bi * dh + dir->col;
			if (j->gates == 3) {
				gru_step(j, dir, gi, gr, h + bi * j->h,
					 j->seq + (t * j->b + bi) * dh);
				continue;
			}
			for (size_t k = 0; k < gh; k++)
				gr[k] += gi[k] + (dir->bias ? dir->bias[k] : 0.0f);
			for (size_t u = 0; u < j->h; u++) {
				float nh;
				if (!j->lstm) {
					nh = act(j->a, gr[u]);
				} else {
					const float *p = dir->peep;
					float cp = c[u];
					float ig = act(j->ra, gr[u] + (p ? p[u] * cp : 0));
					float fg = act(j->ra,
						       gr[j->h + u] + (p ? p[j->h + u] * cp : 0));
					float z = act(j->ca, gr[3 * j->h + u]);
					float cn = fg * cp + ig * z;
					if (j->clip > 0)
						cn = cn > j->clip    ? j->clip
						     : cn < -j->clip ? -j->clip
								     : cn;
					float og =
						act(j->ra, gr[2 * j->h + u] +
								   (p ? p[2 * j->h + u] * cn : 0));
					c[u] = cn;
					nh = og * act(j->a, cn);
				}
				h[bi * j->h + u] = nh;
				j->seq[(t * j->b + bi) * dh + dir->col + u] = nh;
			}
		}
	}
	for (size_t bi = 0; bi < j->b; bi++)
		memcpy(j->hs + bi * dh + dir->col, h + bi * j->h, j->h * sizeof *h);
}

/* Store float 'src' into a fresh output 'out' of shape 'shape'. */
static int store(struct rt_ctx *ctx, const struct rt_op *op, enum dtype dt, int rank,
		 const int64_t *shape, const float *src, struct rt_value *out)
{
	int rc = rt_alloc(ctx, op, out, dt, rank, shape);

	if (rc == MLCC_OK)
		rt_from_f32(out, src);
	return rc;
}

/* The recurrent layer 'op' (lstm when 'lstm'). */
static int recurrent(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, int gates,
		     struct rt_value *out)
{
	struct rt_value *x, *wih, *whh, *h0, *c0 = NULL;
	struct rnn_job j = {0};
	struct rnn_dir dirs[2] = {{0}};
	float *f[12] = {NULL}, clip = 0;
	const char *direction;
	bool outseq;
	int rc;

	bool lstm = gates == 4;

	j.lstm = lstm;
	j.gates = (size_t)gates;
	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "weight_ih", &wih)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "weight_hh", &whh)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "initial_h", &h0)) != MLCC_OK ||
	    (lstm && (rc = rt_need_arg(ctx, op, in, "initial_c", &c0)) != MLCC_OK) ||
	    (rc = rt_str(ctx, op, in, "direction", "forward", &direction)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "output_sequence", true, false, &outseq)) != MLCC_OK ||
	    (rc = act_of(ctx, op, in, "activation", "tanh", &j.a)) != MLCC_OK ||
	    (lstm &&
	     (rc = act_of(ctx, op, in, "recurrent_activation", "sigmoid", &j.ra)) != MLCC_OK) ||
	    (lstm && (rc = act_of(ctx, op, in, "cell_activation", "tanh", &j.ca)) != MLCC_OK) ||
	    (lstm && (rc = rt_float(ctx, op, in, "clip", true, 0, &clip)) != MLCC_OK))
		return rc;
	if (x->rank != 3 || wih->rank != 2 || whh->rank != 2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x must be [s, b, I], weights rank 2");
	j.s = (size_t)x->shape[0];
	j.b = (size_t)x->shape[1];
	j.in = (size_t)x->shape[2];
	j.h = (size_t)whh->shape[1];
	j.d = strcmp(direction, "bidirectional") == 0 ? 2 : 1;
	j.clip = clip;
	if (strcmp(direction, "forward") && strcmp(direction, "reverse") && j.d == 1)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "direction '%s'", direction);
	size_t gh = j.gates * j.h, dh = j.d * j.h;
	if ((size_t)wih->shape[0] != gh || (size_t)wih->shape[1] != j.in ||
	    (size_t)whh->shape[0] != gh || h0->count != j.b * dh || (c0 && c0->count != j.b * dh))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "weight or state shapes do not match x");
	const char *names[2][4] = {
		{"weight_ih", "weight_hh", "bias", "peephole"},
		{"weight_ih_back", "weight_hh_back", "bias_back", "peephole_back"}};
	size_t sizes[4] = {gh * j.in, gh * j.h, gh, 3 * j.h};
	for (size_t d = 0; d < j.d; d++)
		for (int k = 0; k < (lstm ? 4 : 3); k++) {
			if ((rc = opt_f32(ctx, op, in, names[d][k], sizes[k], &f[d * 4 + k])) !=
			    MLCC_OK)
				goto out;
			if (k < 2 && f[d * 4 + k] == NULL) {
				rc = rt_fail(ctx, op, MLCC_E_CORRUPT, "missing input '%s'",
					     names[d][k]);
				goto out;
			}
		}
	for (size_t d = 0; d < j.d; d++) {
		dirs[d].wih = f[d * 4];
		dirs[d].whh = f[d * 4 + 1];
		dirs[d].bias = f[d * 4 + 2];
		dirs[d].peep = f[d * 4 + 3];
		dirs[d].reverse = d == 1 || strcmp(direction, "reverse") == 0;
		dirs[d].col = (int)(d * j.h);
	}
	f[8] = rt_to_f32(ctx, op, x);
	f[9] = rt_to_f32(ctx, op, h0);
	f[10] = c0 ? rt_to_f32(ctx, op, c0) : calloc(j.b * dh + 1, sizeof(float));
	j.seq = malloc((j.s * j.b * dh + 1) * sizeof(float));
	j.gin = malloc((j.s * j.b * gh + 1) * sizeof(float));
	j.grec = malloc((j.b * gh + 1) * sizeof(float));
	j.h_ = malloc((j.b * j.h + 1) * sizeof(float));
	if (!f[8] || !f[9] || !f[10] || !j.seq || !j.gin || !j.grec || !j.h_) {
		rc = rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
		goto out;
	}
	j.x = f[8];
	j.hs = f[9];
	j.cs = f[10];
	for (size_t d = 0; d < j.d; d++)
		run_dir(ctx, &j, &dirs[d]);
	int64_t sshape[3] = {outseq ? (int64_t)j.s : 1, (int64_t)j.b, (int64_t)dh};
	int64_t hshape[2] = {(int64_t)j.b, (int64_t)dh};
	/* Not a sequence: the final hidden state of each direction. */
	rc = store(ctx, op, x->dtype, 3, sshape, outseq ? j.seq : j.hs, &out[0]);
	if (rc == MLCC_OK && op->nout > 1)
		rc = store(ctx, op, x->dtype, 2, hshape, j.hs, &out[1]);
	if (rc == MLCC_OK && lstm && op->nout > 2)
		rc = store(ctx, op, x->dtype, 2, hshape, j.cs, &out[2]);
out:
	for (int i = 0; i < 12; i++)
		free(f[i]);
	free(j.seq);
	free(j.gin);
	free(j.grec);
	free(j.h_);
	return rc;
}

int rt_op_lstm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	return recurrent(ctx, op, in, 4, out);
}

int rt_op_rnn(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	      struct rt_value *out)
{
	return recurrent(ctx, op, in, 1, out);
}

int rt_op_gru(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	      struct rt_value *out)
{
	return recurrent(ctx, op, in, 3, out);
}
