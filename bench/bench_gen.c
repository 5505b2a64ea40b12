/*
** bench_gen.c -- `bench_gen KIND OUT_DIR [OPTIONS]`: ANEMLL-scale models as
** MIL text plus their weights, for the benchmark (bench/run.sh).
**
** Writes OUT_DIR/model.mil and, when the model has weights,
** OUT_DIR/weights/weight.bin (blob storage v2, docs/spec/coreml-input.md §3), ready
** for `mlcc assemble OUT_DIR/model.mil --weights OUT_DIR/weights
** --spec-version 9`.  Kinds:
**
**   ffn         one ANEMLL FFN chunk: functions `infer` (1 token) and
**               `prefill` (--batch tokens) over the same decoder layers,
**               sharing a KV-cache state and every 6-bit LUT weight (the
**               same BLOBFILE offsets).  --ops N sets the op count per
**               function (the number of layers follows), --weights-mib M
**               the weight file size (the MLP width follows).
**   embeddings  gather from a [vocab, hidden] fp16 table of --mib M
**               (enumerated input shapes [1, 1] and [1, batch]).
**   lmhead      --splits S 6-bit LUT 1x1 convs over --vocab V rows:
**               outputs logits1..logitsS.
**   ops         --ops N ops in one function, no weight file: a chain of
**               fp32 [1, --inline] steps (unary ops, scalar products), every
**               --every steps adding an inline fp32 constant of --inline
**               values (the model.mil emission workload).
**
** ffn's --layers L and --inter I set the layer count and the MLP width
** directly instead (--weights-mib then unused when both are given), e.g.
** the shapes of Llama 3.2 1B as ANEMLL converts it for the CPU runtime:
**   bench_gen ffn OUT --layers 16 --inter 8192 --lut-group 16
** (one palette per 16 output rows, ~0.73 GB of 6-bit indices).
**
** Common options: --hidden H (2048), --heads, --kv-heads, --head-dim,
** --ctx, --batch, --lut-group G (output rows per 6-bit palette, 8).  Weight bytes are pseudo-random
*(fp16 values of small
** magnitude, every 6-bit index pattern); they are streamed, never held:
** memory stays at a few MB whatever the size.  One summary line on stdout.
** Exit status: 0 written, 1 failed, 2 usage.
*/
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BLOB_ALIGN 64
#define CHUNK_BYTES ((size_t)1 << 20)
#define NAME_LEN 128
#define TYPE_LEN 160
#define WEIGHT_PATH "@model_path/weights/weight.bin"
#define INDENT "            "
#define LUT_GROUP 8 /* output channels per LUT: the default of --lut-group */
#define LUT_BITS 6

enum blob_type { BLOB_FP16 = 1, BLOB_UINT6 = 13 };

/* weight.bin being written: every blob goes at the end, 64-aligned. */
struct blobw {
	FILE *f;      /* NULL: dry run, offsets only */
	uint64_t pos; /* bytes written so far */
	uint32_t count;
	uint64_t rng;
	unsigned char *chunk;
};

struct gen {
	FILE *f; /* model.mil */
	struct blobw bw;
	unsigned long ops; /* ops printed in the current function */
};

struct dims {
	long hidden, heads, kv_heads, head_dim, inter, ctx, batch, layers;
};

struct lut_w {
	uint64_t idx, lut;
	long cout, cin;
};

struct layer_w {
	uint64_t in_norm, post_norm;
	struct lut_w q, k, v, o, gate, up, down;
};

struct opts {
	const char *kind, *out;
	long ops, hidden, heads, kv_heads, head_dim, ctx, batch, splits, every, inline_len;
	double weights_mib, mib;
	long vocab, layers, inter, lut_group;
};

/* Output rows per LUT palette (--lut-group): one setting per run. */
static long lut_group = LUT_GROUP;

/* ---- weight.bin --------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* 'n' pseudo-random bytes of 'type' into 'p' (n a multiple of 8 for
** speed; fp16 lanes get exponents 2^-4, small finite values). */
static void fill(struct blobw *b, enum blob_type type, unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng_next(&b->rng);
		if (type == BLOB_FP16)
			v = (v & UINT64_C(0x83ff83ff83ff83ff)) | UINT64_C(0x2c002c002c002c00);
		memcpy(p + i, &v, 8);
	}
}

/* Zeros up to the next 64-byte boundary. */
static int pad_align(struct blobw *b)
{
	static const unsigned char zeros[BLOB_ALIGN];
	size_t n = (size_t)((BLOB_ALIGN - b->pos % BLOB_ALIGN) % BLOB_ALIGN);

	if (b->f && n && fwrite(zeros, 1, n, b->f) != n)
		return -1;
	b->pos += n;
	return 0;
}

/* Stream 'bytes' of data; the unused high bits of a sub-byte tail are
** cleared ('pad_bits'). */
static int write_data(struct blobw *b, enum blob_type type, uint64_t bytes, unsigned pad_bits)
{
	uint64_t left = bytes;

	while (b->f && left) {
		size_t n = left < CHUNK_BYTES ? (size_t)left : CHUNK_BYTES;
		fill(b, type, b->chunk, (n + 7) / 8 * 8);
		if (n == left && pad_bits)
			b->chunk[n - 1] &= (unsigned char)(0xffu >> pad_bits);
		if (fwrite(b->chunk, 1, n, b->f) != n)
			return -1;
		left -= n;
	}
	b->pos += bytes;
	return 0;
}

/* Append a blob of 'count' elements; returns its record offset (what
** BLOBFILE names), 0 on a write error. */
static uint64_t blob_add(struct blobw *b, enum blob_type type, uint64_t count)
{
	unsigned bits = type == BLOB_FP16 ? 16 : LUT_BITS;
	uint64_t bytes = (count * bits + 7) / 8, at;
	unsigned pad = (unsigned)(bytes * 8 - count * bits);
	unsigned char rec[BLOB_ALIGN] = {0};

	if (pad_align(b))
		return 0;
	at = b->pos;
	put_le(rec, 0xDEADBEEFu, 4);
	put_le(rec + 4, (uint64_t)type, 4);
	put_le(rec + 8, bytes, 8);
	put_le(rec + 16, at + BLOB_ALIGN, 8);
	put_le(rec + 24, pad, 8);
	if (b->f && fwrite(rec, 1, sizeof rec, b->f) != sizeof rec)
		return 0;
	b->pos += sizeof rec;
	if (write_data(b, type, bytes, pad))
		return 0;
	b->count++;
	return at;
}

/* Open 'path' and write a provisional header (count patched at close). */
static int blob_open(struct blobw *b, const char *path)
{
	unsigned char head[BLOB_ALIGN] = {0};

	b->chunk = malloc(CHUNK_BYTES);
	b->f = fopen(path, "wb");
	if (!b->chunk || !b->f)
		return -1;
	put_le(head + 4, 2, 4);
	if (fwrite(head, 1, sizeof head, b->f) != sizeof head)
		return -1;
	b->pos = BLOB_ALIGN;
	b->count = 0;
	b->rng = UINT64_C(0x6d6c63632d62656e); /* "mlcc-ben" */
	return 0;
}

/* Patch the blob count into the header and close; 0 or -1. */
static int blob_close(struct blobw *b)
{
	unsigned char cnt[4];
	int rc = 0;

	put_le(cnt, b->count, 4);
	if (b->f) {
		if (fseek(b->f, 0, SEEK_SET) != 0 || fwrite(cnt, 1, 4, b->f) != 4)
			rc = -1;
		if (fclose(b->f) != 0)
			rc = -1;
	}
	free(b->chunk);
	b->f = NULL;
	b->chunk = NULL;
	return rc;
}

/* ---- MIL text primitives ------------------------------------------------ */

/* "tensor<DT, [d0, d1, ...]>" into 'buf' (TYPE_LEN bytes). */
static const char *tys(char *buf, const char *dt, int n, const long *d)
{
	int k = snprintf(buf, TYPE_LEN, "tensor<%s, [", dt);

	for (int i = 0; i < n; i++)
		k += snprintf(buf + k, (size_t)(TYPE_LEN - k), "%s%ld", i ? ", " : "", d[i]);
	snprintf(buf + k, (size_t)(TYPE_LEN - k), "]>");
	return buf;
}

#define NARGS(...) ((int)(sizeof((long[]){__VA_ARGS__}) / sizeof(long)))
#define TY(buf, dt, ...) tys(buf, dt, NARGS(__VA_ARGS__), (long[]){__VA_ARGS__})

/* "prefix_suffix" into 'buf' (NAME_LEN bytes); names are made here and
** stay far shorter, so an overflow is a bug: exit. */
static const char *nm(char *buf, const char *prefix, const char *suffix)
{
	size_t a = strlen(prefix), b = strlen(suffix);

	if (a + b + 2 > NAME_LEN) {
		fprintf(stderr, "bench_gen: name too long: %s_%s\n", prefix, suffix);
		exit(1);
	}
	memcpy(buf, prefix, a);
	buf[a] = '_';
	memcpy(buf + a + 1, suffix, b + 1);
	return buf;
}

/* Start "TYPE NAME = OP(" (type NULL: an op without outputs). */
static void op_begin(struct gen *g, const char *type, const char *name, const char *op)
{
	if (type)
		fprintf(g->f, INDENT "%s %s = %s(", type, name, op);
	else
		fprintf(g->f, INDENT "%s(", op);
}

/* Close an op started by op_begin: ")[name = string("NAME")];". */
static void op_end(struct gen *g, const char *name)
{
	fprintf(g->f, ")[name = string(\"%s\")];\n", name);
	g->ops++;
}

/* A scalar const: "DT NAME = const()[..., val = DT(VAL)]". */
static void k_scalar(struct gen *g, const char *dt, const char *name, const char *val)
{
	fprintf(g->f, INDENT "%s %s = const()[name = string(\"%s\"), val = %s(%s)];\n", dt, name,
		name, dt, val);
	g->ops++;
}

static void k_int(struct gen *g, const char *name, long v)
{
	char val[32];

	snprintf(val, sizeof val, "%ld", v);
	k_scalar(g, "int32", name, val);
}

/* An int32 vector const. */
static void k_ints(struct gen *g, const char *name, int n, const long *v)
{
	char ty[TYPE_LEN];

	tys(ty, "int32", 1, (long[]){n});
	fprintf(g->f, INDENT "%s %s = const()[name = string(\"%s\"), val = %s([", ty, name, name,
		ty);
	for (int i = 0; i < n; i++)
		fprintf(g->f, "%s%ld", i ? ", " : "", v[i]);
	fprintf(g->f, "])];\n");
	g->ops++;
}

#define K_INTS(g, name, ...) k_ints(g, name, NARGS(__VA_ARGS__), (long[]){__VA_ARGS__})

/* A const whose value is the blob at record offset 'off'. */
static void k_blob(struct gen *g, const char *name, const char *ty, uint64_t off)
{
	fprintf(g->f,
		INDENT
		"%s %s = const()[name = string(\"%s\"), val = %s(BLOBFILE(path = string(\"" WEIGHT_PATH
		"\"), offset = uint64(%" PRIu64 ")))];\n",
		ty, name, name, ty, off);
	g->ops++;
}

/* ---- composite ops (each makes its own consts, named OUT_*) ------------- */

static void h_binary(struct gen *g, const char *op, const char *out, const char *ty, const char *x,
		     const char *y)
{
	op_begin(g, ty, out, op);
	fprintf(g->f, "x = %s, y = %s", x, y);
	op_end(g, out);
}

static void h_unary(struct gen *g, const char *op, const char *out, const char *ty, const char *x)
{
	op_begin(g, ty, out, op);
	fprintf(g->f, "x = %s", x);
	op_end(g, out);
}

/* OP(x, PARAM = OUT_PARAM) with an int32 vector const (perm, shape, axes,
** reps). */
static void h_vec_op(struct gen *g, const char *op, const char *param, const char *out,
		     const char *ty, const char *x, int n, const long *v)
{
	char c[NAME_LEN];

	k_ints(g, nm(c, out, param), n, v);
	op_begin(g, ty, out, op);
	fprintf(g->f, "x = %s, %s = %s", x, param, c);
	op_end(g, out);
}

#define H_VEC(g, op, param, out, ty, x, ...)                                                       \
	h_vec_op(g, op, param, out, ty, x, NARGS(__VA_ARGS__), (long[]){__VA_ARGS__})

/* x * (fp16 scalar 'hex'). */
static void h_scale(struct gen *g, const char *out, const char *ty, const char *x, const char *hex)
{
	char c[NAME_LEN];

	k_scalar(g, "fp16", nm(c, out, "y"), hex);
	h_binary(g, "mul", out, ty, x, c);
}

/* concat(values = (v0, v1, ...), axis, interleave = false). */
static void h_concat(struct gen *g, const char *out, const char *ty, int n, const char *const *v,
		     long axis)
{
	char ca[NAME_LEN], ci[NAME_LEN];

	k_int(g, nm(ca, out, "axis"), axis);
	k_scalar(g, "bool", nm(ci, out, "interleave"), "false");
	op_begin(g, ty, out, "concat");
	fprintf(g->f, "values = (");
	for (int i = 0; i < n; i++)
		fprintf(g->f, "%s%s", i ? ", " : "", v[i]);
	fprintf(g->f, "), axis = %s, interleave = %s", ca, ci);
	op_end(g, out);
}

/* slice_by_index(x, begin, end), both of rank 'n'. */
static void h_slice(struct gen *g, const char *out, const char *ty, const char *x, int n,
		    const long *begin, const long *end)
{
	char cb[NAME_LEN], ce[NAME_LEN];

	k_ints(g, nm(cb, out, "begin"), n, begin);
	k_ints(g, nm(ce, out, "end"), n, end);
	op_begin(g, ty, out, "slice_by_index");
	fprintf(g->f, "x = %s, begin = %s, end = %s", x, cb, ce);
	op_end(g, out);
}

static void h_matmul(struct gen *g, const char *out, const char *ty, const char *x, const char *y,
		     bool ty_t)
{
	char cx[NAME_LEN], cy[NAME_LEN];

	k_scalar(g, "bool", nm(cx, out, "transpose_x"), "false");
	k_scalar(g, "bool", nm(cy, out, "transpose_y"), ty_t ? "true" : "false");
	op_begin(g, ty, out, "matmul");
	fprintf(g->f, "x = %s, y = %s, transpose_x = %s, transpose_y = %s", x, y, cx, cy);
	op_end(g, out);
}

/* A 1x1 conv whose weight is a 6-bit LUT (iOS18 constexpr_lut_to_dense):
** x [1, cin, 1, T] -> out [1, cout, 1, T]. */
static void h_lut_conv(struct gen *g, const char *out, long t, const char *x, const struct lut_w *w)
{
	char wn[NAME_LEN], c[5][NAME_LEN], ty[TYPE_LEN], ti[TYPE_LEN], tl[TYPE_LEN];

	nm(wn, out, "weight");
	op_begin(g, TY(ty, "fp16", w->cout, w->cin, 1, 1), wn, "constexpr_lut_to_dense");
	fprintf(g->f,
		"indices = %s(BLOBFILE(path = string(\"" WEIGHT_PATH "\"), offset = uint64(%" PRIu64
		"))), lut = %s(BLOBFILE(path = string(\"" WEIGHT_PATH
		"\"), offset = uint64(%" PRIu64 ")))",
		TY(ti, "uint6", w->cout, w->cin, 1, 1), w->idx,
		TY(tl, "fp16", w->cout / lut_group, 1, 1, 1, 1L << LUT_BITS, 1), w->lut);
	op_end(g, wn);
	K_INTS(g, nm(c[0], out, "strides"), 1, 1);
	k_scalar(g, "string", nm(c[1], out, "pad_type"), "\"valid\"");
	K_INTS(g, nm(c[2], out, "pad"), 0, 0, 0, 0);
	K_INTS(g, nm(c[3], out, "dilations"), 1, 1);
	k_int(g, nm(c[4], out, "groups"), 1);
	op_begin(g, TY(ty, "fp16", 1, w->cout, 1, t), out, "conv");
	fprintf(g->f,
		"x = %s, weight = %s, strides = %s, pad_type = %s, pad = %s, dilations = %s, groups = %s",
		x, wn, c[0], c[1], c[2], c[3], c[4]);
	op_end(g, out);
}

/* ANEMLL's RMSNorm: layer_norm over concat([x, -x]), first half, times
** the gain.  x, out: [1, T, H]. */
static void h_rmsnorm(struct gen *g, const char *out, const char *x, long t, long h, uint64_t gain)
{
	char neg[NAME_LEN], cat[NAME_LEN], ln[NAME_LEN], half[NAME_LEN], w[NAME_LEN], ca[NAME_LEN],
		ce[NAME_LEN], ty[TYPE_LEN], t2[TYPE_LEN];
	const char *parts[2] = {x, nm(neg, out, "neg")};

	TY(ty, "fp16", 1, t, h);
	h_scale(g, neg, ty, x, "-0x1p+0");
	h_concat(g, nm(cat, out, "cat"), TY(t2, "fp16", 1, t, 2 * h), 2, parts, -1);
	K_INTS(g, nm(ca, out, "ln_axes"), -1);
	k_scalar(g, "fp16", nm(ce, out, "ln_epsilon"), "0x1.5p-17");
	op_begin(g, t2, nm(ln, out, "ln"), "layer_norm");
	fprintf(g->f, "x = %s, axes = %s, epsilon = %s", cat, ca, ce);
	op_end(g, ln);
	h_slice(g, nm(half, out, "half"), ty, ln, 3, (long[]){0, 0, 0}, (long[]){1, t, h});
	k_blob(g, nm(w, out, "weight"), TY(t2, "fp16", h), gain);
	h_binary(g, "mul", out, ty, half, w);
}

/* [1, T, C] -> [1, C, 1, T] (conv layout) and back. */
static void h_to_conv(struct gen *g, const char *out, const char *x, long t, long c)
{
	char tn[NAME_LEN], ty[TYPE_LEN];

	H_VEC(g, "transpose", "perm", nm(tn, out, "t"), TY(ty, "fp16", 1, c, t), x, 0, 2, 1);
	H_VEC(g, "expand_dims", "axes", out, TY(ty, "fp16", 1, c, 1, t), tn, 2);
}

static void h_from_conv(struct gen *g, const char *out, const char *x, long t, long c)
{
	char sq[NAME_LEN], ty[TYPE_LEN];

	H_VEC(g, "squeeze", "axes", nm(sq, out, "sq"), TY(ty, "fp16", 1, c, t), x, 2);
	H_VEC(g, "transpose", "perm", out, TY(ty, "fp16", 1, t, c), sq, 0, 2, 1);
}

/* ---- the FFN chunk ------------------------------------------------------ */

/* [1, n*hd, 1, T] -> [1, n, T, hd]. */
static void h_heads(struct gen *g, const char *out, const char *x, long t, long n, long hd)
{
	char r[NAME_LEN], ty[TYPE_LEN];

	H_VEC(g, "reshape", "shape", nm(r, out, "r"), TY(ty, "fp16", 1, n, hd, t), x, 1, n, hd, t);
	H_VEC(g, "transpose", "perm", out, TY(ty, "fp16", 1, n, t, hd), r, 0, 1, 3, 2);
}

/* Rotary embedding of x [1, n, T, hd] with cos/sin rows [1, 1, T, hd]. */
static void h_rope(struct gen *g, const char *out, const char *x, long t, long n, long hd)
{
	char xc[NAME_LEN], x1[NAME_LEN], x2[NAME_LEN], nx2[NAME_LEN], rot[NAME_LEN], rs[NAME_LEN],
		ty[TYPE_LEN], th[TYPE_LEN];
	const char *parts[2] = {nx2, x1};

	TY(ty, "fp16", 1, n, t, hd);
	TY(th, "fp16", 1, n, t, hd / 2);
	h_binary(g, "mul", nm(xc, out, "xcos"), ty, x, "rope_cos");
	h_slice(g, nm(x1, out, "x1"), th, x, 4, (long[]){0, 0, 0, 0}, (long[]){1, n, t, hd / 2});
	h_slice(g, nm(x2, out, "x2"), th, x, 4, (long[]){0, 0, 0, hd / 2}, (long[]){1, n, t, hd});
	h_scale(g, nm(nx2, out, "nx2"), th, x2, "-0x1p+0");
	h_concat(g, nm(rot, out, "rot"), ty, 2, parts, -1);
	h_binary(g, "mul", nm(rs, out, "rotsin"), ty, rot, "rope_sin");
	h_binary(g, "add", out, ty, xc, rs);
}

/* Write x [1, kvh, T, hd] into cache row 'row' at current_pos, starting
** from the cache value 'in' (NULL: read the state first); 'out' is the
** cache read back afterwards. */
static void h_kv_write(struct gen *g, const char *out, const char *x, const struct dims *d,
		       long row, const char *in)
{
	char lead[NAME_LEN], tail[NAME_LEN], b[NAME_LEN], el[NAME_LEN], et[NAME_LEN], e[NAME_LEN],
		rd[NAME_LEN], upd[NAME_LEN], wr[NAME_LEN], ty[TYPE_LEN], ts[TYPE_LEN];
	const char *bp[3] = {lead, "current_pos", tail};
	const char *ep[3] = {el, "kv_pos_end", et};
	long rows = 2 * d->layers;

	TY(ts, "fp16", rows, d->kv_heads, d->ctx, d->head_dim);
	if (in) {
		snprintf(rd, sizeof rd, "%s", in);
	} else {
		op_begin(g, ts, nm(rd, out, "in"), "read_state");
		fprintf(g->f, "input = model_model_kv_cache_0");
		op_end(g, rd);
	}
	K_INTS(g, nm(lead, out, "begin_lead"), row, 0);
	K_INTS(g, nm(tail, out, "begin_tail"), 0);
	h_concat(g, nm(b, out, "begin"), TY(ty, "int32", 4), 3, bp, 0);
	K_INTS(g, nm(el, out, "end_lead"), row + 1, d->kv_heads);
	K_INTS(g, nm(et, out, "end_tail"), d->head_dim);
	h_concat(g, nm(e, out, "end"), ty, 3, ep, 0);
	op_begin(g, ts, nm(upd, out, "upd"), "slice_update");
	fprintf(g->f, "x = %s, update = %s, begin = %s, end = %s", rd, x, b, e);
	op_end(g, upd);
	op_begin(g, NULL, nm(wr, out, "write"), "write_state");
	fprintf(g->f, "input = model_model_kv_cache_0, data = %s", upd);
	op_end(g, wr);
	op_begin(g, ts, out, "read_state");
	fprintf(g->f, "input = model_model_kv_cache_0");
	op_end(g, out);
}

/* Row 'row' of the cache, repeated for GQA: [1, heads, ctx, hd]. */
static void h_kv_heads(struct gen *g, const char *out, const char *cache, const struct dims *d,
		       long row)
{
	char s[NAME_LEN], r[NAME_LEN], tl[NAME_LEN], ty[TYPE_LEN];
	long kvh = d->kv_heads, rep = d->heads / d->kv_heads;

	h_slice(g, nm(s, out, "rows"), TY(ty, "fp16", 1, kvh, d->ctx, d->head_dim), cache, 4,
		(long[]){row, 0, 0, 0}, (long[]){row + 1, kvh, d->ctx, d->head_dim});
	H_VEC(g, "reshape", "shape", nm(r, out, "r"), TY(ty, "fp16", kvh, 1, d->ctx, d->head_dim),
	      s, kvh, 1, d->ctx, d->head_dim);
	H_VEC(g, "tile", "reps", nm(tl, out, "tile"), TY(ty, "fp16", kvh, rep, d->ctx, d->head_dim),
	      r, 1, rep, 1, 1);
	H_VEC(g, "reshape", "shape", out, TY(ty, "fp16", 1, d->heads, d->ctx, d->head_dim), tl, 1,
	      d->heads, d->ctx, d->head_dim);
}

/* Attention of decoder layer 'l': x [1, T, H] -> 'out' = x + attn(x). */
static void h_attention(struct gen *g, const char *out, const char *p, const char *x,
			const struct dims *d, long t, long l, const struct layer_w *w)
{
	char n[12][NAME_LEN], ty[TYPE_LEN];
	long hd = d->head_dim, nh = d->heads, kvh = d->kv_heads;

	h_rmsnorm(g, nm(n[0], p, "input_layernorm"), x, t, d->hidden, w->in_norm);
	h_to_conv(g, nm(n[1], p, "attn_in"), n[0], t, d->hidden);
	h_lut_conv(g, nm(n[2], p, "q_proj"), t, n[1], &w->q);
	h_lut_conv(g, nm(n[3], p, "k_proj"), t, n[1], &w->k);
	h_lut_conv(g, nm(n[4], p, "v_proj"), t, n[1], &w->v);
	h_heads(g, nm(n[5], p, "q"), n[2], t, nh, hd);
	h_heads(g, nm(n[6], p, "k"), n[3], t, kvh, hd);
	h_heads(g, nm(n[7], p, "v"), n[4], t, kvh, hd);
	h_rope(g, nm(n[8], p, "q_rope"), n[5], t, nh, hd);
	h_rope(g, nm(n[9], p, "k_rope"), n[6], t, kvh, hd);
	h_kv_write(g, nm(n[10], p, "kv_k"), n[9], d, l, NULL);
	h_kv_write(g, nm(n[11], p, "kv_v"), n[7], d, d->layers + l, n[10]);
	h_kv_heads(g, nm(n[5], p, "K"), n[11], d, l);
	h_kv_heads(g, nm(n[6], p, "V"), n[11], d, d->layers + l);
	h_matmul(g, nm(n[7], p, "scores"), TY(ty, "fp16", 1, nh, t, d->ctx), n[8], n[5], true);
	h_scale(g, nm(n[9], p, "scaled"), ty, n[7], "0x1p-3");
	h_binary(g, "add", nm(n[10], p, "masked"), ty, n[9], "causal_mask");
	k_int(g, nm(n[0], p, "probs_axis"), -1);
	op_begin(g, ty, nm(n[1], p, "probs"), "softmax");
	fprintf(g->f, "x = %s, axis = %s", n[10], n[0]);
	op_end(g, n[1]);
	h_matmul(g, nm(n[2], p, "attn"), TY(ty, "fp16", 1, nh, t, hd), n[1], n[6], false);
	H_VEC(g, "transpose", "perm", nm(n[3], p, "attn_t"), TY(ty, "fp16", 1, nh, hd, t), n[2], 0,
	      1, 3, 2);
	H_VEC(g, "reshape", "shape", nm(n[4], p, "attn_c"), TY(ty, "fp16", 1, nh * hd, 1, t), n[3],
	      1, nh * hd, 1, t);
	h_lut_conv(g, nm(n[5], p, "o_proj"), t, n[4], &w->o);
	h_from_conv(g, nm(n[6], p, "attn_out"), n[5], t, d->hidden);
	h_binary(g, "add", out, TY(ty, "fp16", 1, t, d->hidden), x, n[6]);
}

/* MLP of decoder layer 'l': x [1, T, H] -> 'out' = x + mlp(x). */
static void h_mlp(struct gen *g, const char *out, const char *p, const char *x,
		  const struct dims *d, long t, const struct layer_w *w)
{
	char n[8][NAME_LEN], ty[TYPE_LEN];

	h_rmsnorm(g, nm(n[0], p, "post_attention_layernorm"), x, t, d->hidden, w->post_norm);
	h_to_conv(g, nm(n[1], p, "mlp_in"), n[0], t, d->hidden);
	h_lut_conv(g, nm(n[2], p, "gate_proj"), t, n[1], &w->gate);
	h_lut_conv(g, nm(n[3], p, "up_proj"), t, n[1], &w->up);
	TY(ty, "fp16", 1, d->inter, 1, t);
	h_unary(g, "silu", nm(n[4], p, "act"), ty, n[2]);
	h_binary(g, "mul", nm(n[5], p, "gated"), ty, n[4], n[3]);
	h_lut_conv(g, nm(n[6], p, "down_proj"), t, n[5], &w->down);
	h_from_conv(g, nm(n[7], p, "mlp_out"), n[6], t, d->hidden);
	h_binary(g, "add", out, TY(ty, "fp16", 1, t, d->hidden), x, n[7]);
}

static void h_layer(struct gen *g, const char *out, const char *x, const struct dims *d, long t,
		    long l, const struct layer_w *w)
{
	char p[NAME_LEN], res[NAME_LEN];

	snprintf(p, sizeof p, "layers_%ld", l);
	h_attention(g, nm(res, p, "attn_res"), p, x, d, t, l, w);
	h_mlp(g, out, p, res, d, t, w);
}

/* Rotary rows for position_ids: rope_cos, rope_sin [1, 1, T, hd]; the
** end position for the cache writes: kv_pos_end. */
static void h_prologue(struct gen *g, const struct dims *d, long t, uint64_t cos_t, uint64_t sin_t)
{
	static const char *const names[2] = {"rope_cos", "rope_sin"};
	char tb[NAME_LEN], c[3][NAME_LEN], gn[NAME_LEN], ty[TYPE_LEN];

	for (int i = 0; i < 2; i++) {
		k_blob(g, nm(tb, names[i], "table"), TY(ty, "fp16", d->ctx, d->head_dim),
		       i ? sin_t : cos_t);
		k_int(g, nm(c[0], names[i], "axis"), 0);
		k_int(g, nm(c[1], names[i], "batch_dims"), 0);
		k_scalar(g, "bool", nm(c[2], names[i], "validate_indices"), "false");
		op_begin(g, TY(ty, "fp16", t, d->head_dim), nm(gn, names[i], "g"), "gather");
		fprintf(g->f,
			"x = %s, indices = position_ids, axis = %s, batch_dims = %s, validate_indices = %s",
			tb, c[0], c[1], c[2]);
		op_end(g, gn);
		H_VEC(g, "reshape", "shape", names[i], TY(ty, "fp16", 1, 1, t, d->head_dim), gn, 1,
		      1, t, d->head_dim);
	}
	k_int(g, "kv_pos_end_y", t);
	h_binary(g, "add", "kv_pos_end", TY(ty, "int32", 1), "current_pos", "kv_pos_end_y");
}

/* One function ('infer': T = 1 with the final norm; 'prefill': T = batch). */
static void ffn_function(struct gen *g, const char *fname, long t, const struct dims *d,
			 const struct layer_w *w, uint64_t cos_t, uint64_t sin_t,
			 uint64_t final_norm)
{
	char ty[5][TYPE_LEN], x[NAME_LEN], y[NAME_LEN];
	bool norm = final_norm != 0;

	fprintf(g->f,
		"    func %s<ios18>(%s hidden_states, %s position_ids, %s causal_mask, tensor<int32, [1]> current_pos, state<%s> model_model_kv_cache_0) {\n",
		fname, TY(ty[0], "fp16", 1, t, d->hidden), TY(ty[1], "int32", t),
		TY(ty[2], "fp16", 1, 1, t, d->ctx),
		TY(ty[3], "fp16", 2 * d->layers, d->kv_heads, d->ctx, d->head_dim));
	g->ops = 0;
	h_prologue(g, d, t, cos_t, sin_t);
	snprintf(x, sizeof x, "hidden_states");
	for (long l = 0; l < d->layers; l++) {
		if (l + 1 == d->layers && !norm)
			snprintf(y, sizeof y, "output_hidden_states");
		else
			snprintf(y, sizeof y, "layers_%ld_out", l);
		h_layer(g, y, x, d, t, l, &w[l]);
		memcpy(x, y, sizeof x);
	}
	if (norm)
		h_rmsnorm(g, "output_hidden_states", x, t, d->hidden, final_norm);
	fprintf(g->f, "        } -> (output_hidden_states);\n");
}

static void lut_alloc(struct blobw *b, struct lut_w *w, long cout, long cin)
{
	w->cout = cout;
	w->cin = cin;
	w->idx = blob_add(b, BLOB_UINT6, (uint64_t)cout * (uint64_t)cin);
	w->lut = blob_add(b, BLOB_FP16, (uint64_t)cout / (uint64_t)lut_group * (1u << LUT_BITS));
}

static void layer_alloc(struct blobw *b, struct layer_w *w, const struct dims *d)
{
	long h = d->hidden, q = d->heads * d->head_dim, kv = d->kv_heads * d->head_dim;

	w->in_norm = blob_add(b, BLOB_FP16, (uint64_t)h);
	lut_alloc(b, &w->q, q, h);
	lut_alloc(b, &w->k, kv, h);
	lut_alloc(b, &w->v, kv, h);
	lut_alloc(b, &w->o, h, q);
	w->post_norm = blob_add(b, BLOB_FP16, (uint64_t)h);
	lut_alloc(b, &w->gate, d->inter, h);
	lut_alloc(b, &w->up, d->inter, h);
	lut_alloc(b, &w->down, h, d->inter);
}

/* Ops of one decoder layer, by printing one into /dev/null. */
static unsigned long ops_per_layer(const struct dims *d)
{
	struct gen g = {0};
	struct layer_w w;
	struct dims one = *d;

	memset(&w, 0, sizeof w);
	one.layers = 1;
	one.inter = lut_group;
	w.q.cout = w.k.cout = w.v.cout = w.o.cout = lut_group;
	w.gate.cout = w.up.cout = w.down.cout = lut_group;
	g.f = fopen("/dev/null", "w");
	if (!g.f)
		return 200;
	h_layer(&g, "out", "hidden_states", &one, 1, 0, &w);
	fclose(g.f);
	return g.ops;
}

/* Layers from the op target, then the MLP width that brings the weights
** to 'mib' (6-bit indices + fp16 LUTs + norms; a multiple of 64). */
static void ffn_dims(struct dims *d, const struct opts *o)
{
	double per_layer = o->weights_mib * 1048576.0, fixed;
	long h = d->hidden, q = d->heads * d->head_dim, kv = d->kv_heads * d->head_dim;

	d->layers =
		o->layers > 0 ? o->layers : (long)((double)o->ops / (double)ops_per_layer(d) + 0.5);
	if (d->layers < 1)
		d->layers = 1;
	if (o->inter > 0) {
		d->inter = o->inter;
		return;
	}
	per_layer /= (double)d->layers;
	double lut_row = 128.0 / (double)lut_group; /* palette bytes per output row */
	fixed = 0.75 * (double)(2 * q * h + 2 * kv * h) + lut_row * (double)(2 * q + 2 * kv) +
		4.0 * (double)h;
	d->inter = (long)((per_layer - fixed) / (2.25 * (double)h + 2 * lut_row));
	d->inter = d->inter / 64 * 64;
	if (d->inter < 64)
		d->inter = 64;
}

static int gen_ffn(struct gen *g, const struct opts *o, struct dims *d)
{
	struct layer_w *w;
	uint64_t cos_t, sin_t, norm;

	ffn_dims(d, o);
	w = calloc((size_t)d->layers, sizeof *w);
	if (!w)
		return -1;
	cos_t = blob_add(&g->bw, BLOB_FP16, (uint64_t)(d->ctx * d->head_dim));
	sin_t = blob_add(&g->bw, BLOB_FP16, (uint64_t)(d->ctx * d->head_dim));
	norm = blob_add(&g->bw, BLOB_FP16, (uint64_t)d->hidden);
	for (long l = 0; l < d->layers; l++)
		layer_alloc(&g->bw, &w[l], d);
	fprintf(g->f, "program(1.3)\n{\n");
	ffn_function(g, "infer", 1, d, w, cos_t, sin_t, norm);
	printf("ffn: %ld layers, hidden %ld, mlp %ld, infer %lu ops", d->layers, d->hidden,
	       d->inter, g->ops);
	ffn_function(g, "prefill", d->batch, d, w, cos_t, sin_t, 0);
	printf(", prefill %lu ops", g->ops);
	fprintf(g->f, "}\n");
	free(w);
	return 0;
}

/* ---- embeddings, LM head ------------------------------------------------ */

static int gen_embeddings(struct gen *g, const struct opts *o, struct dims *d)
{
	long vocab = (long)(o->mib * 1048576.0 / (2.0 * (double)d->hidden));
	uint64_t table = blob_add(&g->bw, BLOB_FP16, (uint64_t)vocab * (uint64_t)d->hidden);
	char ty[TYPE_LEN], c[3][NAME_LEN];

	fprintf(g->f,
		"program(1.3)\n{\n    func main<ios18>(tensor<int32, [1, ?]> input_ids) [FlexibleShapeInformation = tuple<tuple<string, dict<string, tensor<int32, [?]>>>, tuple<string, dict<string, dict<string, tensor<int32, [?]>>>>>(((\"DefaultShapes\", {{\"input_ids\", [1, 1]}}), (\"EnumeratedShapes\", {{\"shape_1x1\", {{\"input_ids\", [1, 1]}}}, {\"shape_1x%ld\", {{\"input_ids\", [1, %ld]}}}})))] {\n",
		d->batch, d->batch);
	g->ops = 0;
	k_blob(g, "embed_tokens_weight", TY(ty, "fp16", vocab, d->hidden), table);
	k_int(g, "embed_tokens_axis", 0);
	k_int(g, "embed_tokens_batch_dims", 0);
	k_scalar(g, "bool", "embed_tokens_validate_indices", "false");
	snprintf(c[0], NAME_LEN, "tensor<fp16, [1, ?, %ld]>", d->hidden);
	op_begin(g, c[0], "hidden_states", "gather");
	fprintf(g->f,
		"x = embed_tokens_weight, indices = input_ids, axis = embed_tokens_axis, batch_dims = embed_tokens_batch_dims, validate_indices = embed_tokens_validate_indices");
	op_end(g, "hidden_states");
	fprintf(g->f, "        } -> (hidden_states);\n}\n");
	printf("embeddings: table [%ld, %ld], %lu ops", vocab, d->hidden, g->ops);
	return 0;
}

static int gen_lmhead(struct gen *g, const struct opts *o, struct dims *d)
{
	long rows = o->vocab / o->splits / lut_group * lut_group;
	struct lut_w *w = calloc((size_t)o->splits, sizeof *w);
	char ty[TYPE_LEN], a[NAME_LEN], lg[NAME_LEN];

	if (!w || rows < lut_group) {
		free(w);
		return -1;
	}
	for (long s = 0; s < o->splits; s++)
		lut_alloc(&g->bw, &w[s], rows, d->hidden);
	fprintf(g->f, "program(1.3)\n{\n    func main<ios18>(%s hidden_states) {\n",
		TY(ty, "fp16", 1, 1, d->hidden));
	g->ops = 0;
	h_to_conv(g, "lm_head_in", "hidden_states", 1, d->hidden);
	for (long s = 0; s < o->splits; s++) {
		snprintf(a, sizeof a, "lm_head_%ld", s + 1);
		snprintf(lg, sizeof lg, "logits%ld", s + 1);
		h_lut_conv(g, a, 1, "lm_head_in", &w[s]);
		h_from_conv(g, lg, a, 1, rows);
	}
	fprintf(g->f, "        } -> (");
	for (long s = 0; s < o->splits; s++)
		fprintf(g->f, "%slogits%ld", s ? ", " : "", s + 1);
	fprintf(g->f, ");\n}\n");
	printf("lmhead: %ld x [%ld, %ld], %lu ops", o->splits, rows, d->hidden, g->ops);
	free(w);
	return 0;
}

/* ---- the many-op model -------------------------------------------------- */

/* A pseudo-random fp32 in [-1, 1) as a C99 hex float. */
static void put_fp32(struct gen *g, uint64_t *s, bool first)
{
	float f = (float)((double)(int64_t)rng_next(s) / 9223372036854775808.0);

	fprintf(g->f, first ? "%a" : ", %a", (double)f);
}

/* An inline fp32 [1, n] const (nested brackets, one per dimension). */
static void k_inline(struct gen *g, const char *name, long n, uint64_t *s)
{
	char ty[TYPE_LEN];

	TY(ty, "fp32", 1, n);
	fprintf(g->f, INDENT "%s %s = const()[name = string(\"%s\"), val = %s([[", ty, name, name,
		ty);
	for (long i = 0; i < n; i++)
		put_fp32(g, s, i == 0);
	fprintf(g->f, "]])];\n");
	g->ops++;
}

/* Step 'k' of the chain, OUT = f(X): every 'every' steps X + an inline
** constant (2 ops), else X * scalar (2 ops) or a unary op (1 op); only
** unary ops when 'one' is set. */
static void ops_step(struct gen *g, const char *out, const char *x, long k, bool one,
		     const struct opts *o, uint64_t *s)
{
	static const char *const unary[4] = {"sigmoid", "relu", "tanh", "relu"};
	char c[NAME_LEN], ty[TYPE_LEN];

	TY(ty, "fp32", 1, o->inline_len);
	if (!one && k % o->every == 0) {
		k_inline(g, nm(c, out, "c"), o->inline_len, s);
		h_binary(g, "add", out, ty, x, c);
	} else if (!one && k % 4 == 1) {
		k_scalar(g, "fp32", nm(c, out, "y"), "0x1.8p-1");
		h_binary(g, "mul", out, ty, x, c);
	} else {
		h_unary(g, unary[k % 4], out, ty, x);
	}
}

/* Exactly o->ops ops; the last one is 'y'. */
static int gen_ops(struct gen *g, const struct opts *o, struct dims *d)
{
	char x[NAME_LEN] = "x", y[NAME_LEN], ty[TYPE_LEN];
	uint64_t s = UINT64_C(0x6d6c63632d6f7073); /* "mlcc-ops" */
	unsigned long target = (unsigned long)o->ops;

	(void)d;
	fprintf(g->f, "program(1.3)\n{\n    func main<ios18>(%s x) {\n",
		TY(ty, "fp32", 1, o->inline_len));
	g->ops = 0;
	for (long k = 0; g->ops + 1 < target; k++) {
		snprintf(y, sizeof y, "v%ld", k);
		ops_step(g, y, x, k, target - 1 - g->ops < 2, o, &s);
		memcpy(x, y, sizeof x);
	}
	h_unary(g, "relu", "y", TY(ty, "fp32", 1, o->inline_len), x);
	fprintf(g->f, "        } -> (y);\n}\n");
	printf("ops: %lu ops, inline fp32 [1, %ld] every %ld steps", g->ops, o->inline_len,
	       o->every);
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: bench_gen ffn|embeddings|lmhead|ops OUT_DIR [--ops N]\n"
			"                 [--weights-mib M] [--mib M] [--splits S] [--vocab V]\n"
			"                 [--inline N] [--every K] [--hidden H] [--heads N]\n"
			"                 [--kv-heads N] [--head-dim D] [--ctx C] [--batch B]\n"
			"                 [--layers L] [--inter I] [--lut-group G]\n");
	return 2;
}

/* Parse "--name VALUE" pairs; 0 or -1 on an unknown option. */
static int parse(struct opts *o, int argc, char **argv)
{
	/* clang-format off */
	static const struct { const char *name; size_t off; bool dbl; } tab[] = {
		{"--ops", offsetof(struct opts, ops), false},
		{"--hidden", offsetof(struct opts, hidden), false},
		{"--heads", offsetof(struct opts, heads), false},
		{"--kv-heads", offsetof(struct opts, kv_heads), false},
		{"--head-dim", offsetof(struct opts, head_dim), false},
		{"--ctx", offsetof(struct opts, ctx), false},
		{"--batch", offsetof(struct opts, batch), false},
		{"--splits", offsetof(struct opts, splits), false},
		{"--vocab", offsetof(struct opts, vocab), false},
		{"--every", offsetof(struct opts, every), false},
		{"--inline", offsetof(struct opts, inline_len), false},
		{"--weights-mib", offsetof(struct opts, weights_mib), true},
		{"--layers", offsetof(struct opts, layers), false},
		{"--inter", offsetof(struct opts, inter), false},
		{"--lut-group", offsetof(struct opts, lut_group), false},
		{"--mib", offsetof(struct opts, mib), true},
	};
	/* clang-format on */

	for (int i = 3; i < argc; i += 2) {
		size_t k = 0;
		while (k < sizeof tab / sizeof tab[0] && strcmp(argv[i], tab[k].name))
			k++;
		if (k == sizeof tab / sizeof tab[0] || i + 1 >= argc)
			return -1;
		if (tab[k].dbl)
			*(double *)((char *)o + tab[k].off) = strtod(argv[i + 1], NULL);
		else
			*(long *)((char *)o + tab[k].off) = strtol(argv[i + 1], NULL, 10);
	}
	return 0;
}

static void defaults(struct opts *o, const char *kind, const char *out)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->out = out;
	o->ops = strcmp(kind, "ops") == 0 ? 100000 : 2000;
	o->hidden = 2048;
	o->heads = 32;
	o->kv_heads = 8;
	o->head_dim = 64;
	o->ctx = 512;
	o->batch = 64;
	o->splits = 16;
	o->vocab = 128256;
	o->every = 10;
	o->inline_len = 256;
	o->weights_mib = 256;
	o->mib = 300;
	o->lut_group = LUT_GROUP;
}

static bool valid(const struct opts *o)
{
	long g = o->lut_group;
	return g > 0 && o->layers >= 0 && o->inter >= 0 && o->inter % g == 0 && o->ops > 0 &&
	       o->hidden >= 8 && o->hidden % g == 0 && o->heads > 0 && o->kv_heads > 0 &&
	       o->heads % o->kv_heads == 0 && o->head_dim >= 2 && o->head_dim % 2 == 0 &&
	       o->heads * o->head_dim % g == 0 && o->kv_heads * o->head_dim % g == 0 &&
	       o->ctx > 0 && o->batch > 0 && o->splits > 0 && o->vocab > 0 && o->inline_len > 0 &&
	       o->every > 0 && o->weights_mib > 0 && o->mib > 0;
}

/* mkdir -p 'path' (modified in place, restored); 0 or -1 with errno. */
static int mkdir_p(char *path)
{
	for (char *s = path + 1;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		int rc = mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
		*s = c;
		if (rc || !c)
			return rc;
	}
}

/* OUT_DIR/model.mil (+ OUT_DIR/weights/weight.bin) for 'o'. */
static int run(const struct opts *o)
{
	struct gen g = {0};
	struct dims d = {o->hidden, o->heads, o->kv_heads, o->head_dim, 0, o->ctx, o->batch, 1};
	char path[4096];
	bool weights = strcmp(o->kind, "ops") != 0;
	int rc;

	lut_group = o->lut_group;
	snprintf(path, sizeof path, "%s%s", o->out, weights ? "/weights" : "");
	if (mkdir_p(path))
		return fprintf(stderr, "bench_gen: %s: %s\n", path, strerror(errno)), 1;
	snprintf(path, sizeof path, "%s/weights/weight.bin", o->out);
	if (weights && blob_open(&g.bw, path))
		return fprintf(stderr, "bench_gen: %s: %s\n", path, strerror(errno)), 1;
	snprintf(path, sizeof path, "%s/model.mil", o->out);
	if (!(g.f = fopen(path, "w")))
		return fprintf(stderr, "bench_gen: %s: %s\n", path, strerror(errno)), 1;
	setvbuf(g.f, NULL, _IOFBF, CHUNK_BYTES);
	if (strcmp(o->kind, "ffn") == 0)
		rc = gen_ffn(&g, o, &d);
	else if (strcmp(o->kind, "embeddings") == 0)
		rc = gen_embeddings(&g, o, &d);
	else if (strcmp(o->kind, "lmhead") == 0)
		rc = gen_lmhead(&g, o, &d);
	else
		rc = gen_ops(&g, o, &d);
	if (ferror(g.f) | (fclose(g.f) != 0))
		rc = -1;
	if (weights && blob_close(&g.bw))
		rc = -1;
	if (rc)
		return fprintf(stderr, "\nbench_gen: %s: write failed\n", o->out), 1;
	printf(", model.mil + %" PRIu64 " bytes of weights\n", g.bw.pos);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	static const char *const kinds[] = {"ffn", "embeddings", "lmhead", "ops"};
	bool known = false;

	if (argc < 3 || argc % 2 == 0)
		return usage();
	for (size_t k = 0; k < 4; k++)
		known |= strcmp(argv[1], kinds[k]) == 0;
	if (!known)
		return usage();
	defaults(&o, argv[1], argv[2]);
	if (parse(&o, argc, argv) || !valid(&o))
		return usage();
	return run(&o);
}
