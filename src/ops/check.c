/*
** check.c -- every op of a model against the catalogue (ops_check in
** ops.h).
**
** Per function, in program order, a map from each variable to what is
** known of it (its declared type, its value when a const op gives it, and
** whether it is known at compile time) is filled as the ops define their
** outputs; each op is then checked with its inputs' entries:
**  - the op exists in the function's opset (an op no opset has is a
**    warning: it may be newer than mlcc, or a custom op);
**  - every argument names an input of the op, every required input is
**    given, each has an allowed kind and dtype, inputs of one type domain
**    share their dtype, const-only inputs come from const values;
**  - the op family's inference (infer.c) accepts the known shapes, and
**    what it derives agrees with the declared output types;
**  - cond and while_loop blocks take and give values of the op's types.
** Unknown dims and values never reject anything.  In opsets after the
** catalogue's (ios26) what the iOS18 row does not allow is a warning.
*/
#include "ops/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/strmap.h"

/* What is known of a variable. */
struct var {
	const struct mtype *type;
	const struct mvalue *val; /* its value when a const op gives it */
	bool is_const;		  /* known at compile time */
};

struct checker {
	const char *file;
	const struct function *func;
	unsigned ios;
	struct strmap vars;
	struct strmap warned; /* "type/input" keys of the newer-opset warnings */
	struct arena arena;   /* vars, inferred types, warned keys */
	mlcc_event_fn on_event;
	void *event_ctx;
	struct ops_check_stats st;
	struct mlcc_diag *d;
};

/* False when 'decl' and 'inf' (tensors) disagree in what both know. */
static bool agree(const struct mtype *decl, const struct mtype *inf)
{
	if (!decl || !inf || decl->kind != TY_TENSOR || inf->kind != TY_TENSOR)
		return true;
	if (decl->dtype != DT_INVALID && inf->dtype != DT_INVALID && decl->dtype != inf->dtype)
		return false;
	if (decl->rank < 0 || inf->rank < 0)
		return true;
	if (decl->rank != inf->rank)
		return false;
	for (size_t i = 0; i < decl->ndims; i++)
		if (decl->dims[i] >= 0 && inf->dims[i] >= 0 && decl->dims[i] != inf->dims[i])
			return false;
	return true;
}

/* A list of the dtypes in 'set': "fp16 or fp32", "fp16, fp32 or int32". */
static const char *set_str(char buf[200], uint32_t set)
{
	size_t n = 0, k = 0, total = 0;

	for (int t = 0; t < DT_COUNT; t++)
		total += (set >> t) & 1;
	buf[0] = 0;
	for (int t = 0; t < DT_COUNT && n < 180; t++)
		if ((set >> t) & 1) {
			k++;
			n += (size_t)snprintf(buf + n, 200 - n, "%s%s",
					      k == 1	   ? ""
					      : k == total ? " or "
							   : ", ",
					      dtype_info((enum dtype)t)->mil);
		}
	return buf;
}

static int fail(struct checker *k, const struct model_site *at, const char *fmt, ...)
	MLCC_PRINTF(3, 4);

static int fail(struct checker *k, const struct model_site *at, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return model_fail(k->d, MLCC_E_CORRUPT, at, "%s", msg);
}

/* Report a warning at 'at' through the events callback. */
static void warn(struct checker *k, const struct model_site *at, const char *what)
{
	struct mlcc_diag tmp = {0};
	struct mlcc_event ev = {MLCC_EVENT_WARNING, tmp.message, k->file, 0, 0};

	k->st.warnings++;
	if (!k->on_event)
		return;
	(void)model_fail(&tmp, MLCC_E_CORRUPT, at, "%s", what);
	k->on_event(k->event_ctx, &ev);
}

/* Opsets after the catalogue's (CoreML9 = ios26) may have changed an op's
** inputs: what the iOS18 row does not allow is then a warning, once per
** op type and input. */
static bool newer_opset(const struct checker *k)
{
	return k->ios > 18;
}

static void warn_newer(struct checker *k, const struct model_site *at, const char *input,
		       const char *fmt, ...) MLCC_PRINTF(4, 5);

static void warn_newer(struct checker *k, const struct model_site *at, const char *input,
		       const char *fmt, ...)
{
	char msg[400], key[160];
	va_list ap;

	snprintf(key, sizeof key, "%s/%s", at->op->type, input);
	if (strmap_get(&k->warned, key))
		return;
	char *kept = arena_strdup(&k->arena, key);
	if (!kept || strmap_put(&k->warned, kept, kept))
		return; /* out of memory: the warning may repeat */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
		 " in its iOS18 definition; not checked in ios%u", k->ios);
	warn(k, at, msg);
}

static int define(struct checker *k, const char *name, const struct mtype *t,
		  const struct mvalue *val, bool is_const)
{
	struct var *v = arena_alloc(&k->arena, sizeof *v);

	if (!v || strmap_put(&k->vars, name, v))
		return diag_fail(k->d, MLCC_E_NOMEM, "%s: out of memory", k->file);
	v->type = t;
	v->val = val;
	v->is_const = is_const;
	return 0;
}

/* The type, value and constness of one binding. */
static void binding_info(const struct checker *k, const struct binding *b, const struct mtype **t,
			 const struct mvalue **val, bool *is_const)
{
	if (b->value) {
		*t = b->value->type;
		*val = b->value->kind == VAL_TENSOR ? b->value : NULL;
		*is_const = true;
		return;
	}
	const struct var *v = strmap_get(&k->vars, b->name);
	*t = v ? v->type : NULL;
	*val = v ? v->val : NULL;
	*is_const = v ? v->is_const : true; /* undefined names are validate.c's */
}

/* Element types that came after the opsets the catalogue describes (the
** fp8 types of CoreML9): which ops take them is not known here, so they
** are never refused. */
static bool after_catalogue(enum dtype t)
{
	return t == DT_FP8E4M3FN || t == DT_FP8E5M2;
}

static const char *kind_word(enum type_kind kind)
{
	static const char *const words[] = {"a tensor", "a list", "a tuple", "a dictionary",
					    "a state"};
	return words[kind];
}

/* Check argument 'a' against catalogue input 'in' (index 'ix' of 'c'). */
static int check_arg(struct checker *k, struct infer *c, int ix, const struct argument *a,
		     char domain_dt[26])
{
	const struct op_input *in = &c->in[ix];
	const struct mtype **types = arena_array(&k->arena, a->n, sizeof *types);
	char q[DIAG_QUOTE_MAX], s[200];

	if (!types)
		return diag_fail(k->d, MLCC_E_NOMEM, "%s: out of memory", k->file);
	c->nbind[ix] = a->n;
	c->tuple[ix] = types;
	for (size_t j = 0; j < a->n; j++) {
		const struct mvalue *val;
		bool is_const;
		binding_info(k, &a->b[j], &types[j], &val, &is_const);
		if (j == 0) {
			c->type[ix] = types[0];
			c->val[ix] = val;
		}
		if (in->is_const && !is_const)
			return fail(k, c->at, "input '%s' must be a constant, but '%s' is computed",
				    in->name, diag_quote(q, a->b[j].name));
		const struct mtype *t = types[j];
		if (!t || in->kind == IN_ANY || in->kind == IN_TUPLE)
			continue;
		if (a->n > 1)
			return fail(k, c->at, "input '%s' takes one value, not %zu", in->name,
				    a->n);
		enum type_kind want = in->kind == IN_STATE  ? TY_STATE
				      : in->kind == IN_LIST ? TY_LIST
							    : TY_TENSOR;
		if (t->kind != want)
			return fail(k, c->at, "input '%s' is %s, expected %s", in->name,
				    kind_word(t->kind), kind_word(want));
		if (want != TY_TENSOR)
			continue;
		if (!((in->dtypes >> t->dtype) & 1) && !after_catalogue(t->dtype)) {
			if (!newer_opset(k))
				return fail(k, c->at, "input '%s' has dtype %s, expected %s",
					    in->name, dtype_info(t->dtype)->mil,
					    set_str(s, in->dtypes));
			warn_newer(k, c->at, in->name, "input '%s' has dtype %s, not %s", in->name,
				   dtype_info(t->dtype)->mil, set_str(s, in->dtypes));
			continue;
		}
		if (!in->domain)
			continue;
		char *dom = &domain_dt[in->domain - 'A'];
		if (*dom && *dom != (char)t->dtype)
			return fail(k, c->at,
				    "input '%s' has dtype %s, but the other inputs of type %c have "
				    "%s",
				    in->name, dtype_info(t->dtype)->mil, in->domain,
				    dtype_info((enum dtype) * dom)->mil);
		*dom = (char)t->dtype;
	}
	return 0;
}

/* Match the op's arguments to the catalogue inputs and check them. */
static int check_inputs(struct checker *k, const struct op *op, struct infer *c)
{
	char domain_dt[26] = {0};
	bool given[OPS_MAX_INPUTS] = {false};
	char q[DIAG_QUOTE_MAX];
	int rc;

	for (size_t i = 0; i < op->ninputs; i++) {
		int ix = infer_input(c, op->inputs[i].param);
		if (ix < 0 && newer_opset(k)) {
			warn_newer(k, c->at, op->inputs[i].param, "input '%s' is not",
				   diag_quote(q, op->inputs[i].param));
			continue;
		}
		if (ix < 0)
			return fail(k, c->at, "unknown input '%s'",
				    diag_quote(q, op->inputs[i].param));
		given[ix] = true;
		if ((rc = check_arg(k, c, ix, &op->inputs[i], domain_dt)) != 0)
			return rc;
	}
	/* constexpr_* ops carry their inputs as attributes (constants). */
	for (size_t ix = 0; ix < c->nin; ix++) {
		const struct mvalue *v =
			given[ix] ? NULL : model_attr(op->attrs, op->nattrs, c->in[ix].name);
		if (v) {
			struct binding b = {NULL, (struct mvalue *)v};
			struct argument a = {c->in[ix].name, 1, &b};
			given[ix] = true;
			if ((rc = check_arg(k, c, (int)ix, &a, domain_dt)) != 0)
				return rc;
		}
		if (!given[ix] && !c->in[ix].optional && newer_opset(k))
			warn_newer(k, c->at, c->in[ix].name, "input '%s' is missing, required",
				   c->in[ix].name);
		else if (!given[ix] && !c->in[ix].optional)
			return fail(k, c->at, "missing required input '%s'", c->in[ix].name);
	}
	return 0;
}

/* Compare the inferred output types with the declared ones. */
static int check_outputs(struct checker *k, const struct op *op, const struct infer *c)
{
	char d1[200], d2[200], q[DIAG_QUOTE_MAX];

	for (size_t i = 0; i < op->noutputs && i < 8; i++) {
		if (!c->out[i])
			continue;
		k->st.inferred++;
		if (!agree(op->outputs[i].type, c->out[i]))
			return fail(k, c->at, "output '%s' is declared %s, but its inputs give %s",
				    diag_quote(q, op->outputs[i].name),
				    ops_type_str(d1, op->outputs[i].type),
				    ops_type_str(d2, c->out[i]));
	}
	return 0;
}

static int check_block(struct checker *k, const struct block *b);

/* The values a block gives must fit the types 'want' (nwant of them). */
static int check_block_outputs(struct checker *k, const struct model_site *at,
			       const struct block *b, const char *which,
			       const struct named_type *want, size_t nwant)
{
	char d1[200], d2[200], q1[DIAG_QUOTE_MAX], q2[DIAG_QUOTE_MAX];

	for (size_t i = 0; i < b->noutputs && i < nwant; i++) {
		const struct var *v = strmap_get(&k->vars, b->outputs[i]);
		if (v && !agree(want[i].type, v->type))
			return fail(k, at, "%s block gives '%s' of type %s for '%s' of type %s",
				    which, diag_quote(q1, b->outputs[i]), ops_type_str(d1, v->type),
				    diag_quote(q2, want[i].name), ops_type_str(d2, want[i].type));
	}
	return 0;
}

/* A while_loop's cond and body blocks take the loop variables: as many,
** of the same types. */
static int check_loop_inputs(struct checker *k, const struct op *op, const struct model_site *at)
{
	const struct argument *lv = NULL;
	char d1[200], d2[200], q[DIAG_QUOTE_MAX];

	for (size_t i = 0; i < op->ninputs; i++)
		if (strcmp(op->inputs[i].param, "loop_vars") == 0)
			lv = &op->inputs[i];
	if (!lv)
		return 0;
	for (size_t b = 0; b < 2; b++) {
		const struct block *blk = &op->blocks[b];
		const char *which = b ? "body" : "cond";
		if (blk->ninputs != lv->n)
			return fail(k, at, "%s block takes %zu values for %zu loop_vars", which,
				    blk->ninputs, lv->n);
		for (size_t j = 0; j < lv->n; j++) {
			const struct mtype *t;
			const struct mvalue *val;
			bool is_const;
			binding_info(k, &lv->b[j], &t, &val, &is_const);
			if (t && !agree(blk->inputs[j].type, t))
				return fail(k, at,
					    "%s block input '%s' is %s, but loop_vars %zu is %s",
					    which, diag_quote(q, blk->inputs[j].name),
					    ops_type_str(d1, blk->inputs[j].type), j,
					    ops_type_str(d2, t));
		}
	}
	return 0;
}

/* Nested blocks: their inputs are defined, their ops checked, and what
** cond and while_loop blocks give compared with the op's outputs. */
static int check_nested(struct checker *k, const struct op *op, const struct model_site *at)
{
	int rc = 0;

	for (size_t i = 0; i < op->nblocks && !rc; i++) {
		const struct block *b = &op->blocks[i];
		for (size_t j = 0; j < b->ninputs && !rc; j++)
			rc = define(k, b->inputs[j].name, b->inputs[j].type, NULL, false);
		if (!rc)
			rc = check_block(k, b);
	}
	if (rc || op->nblocks != 2)
		return rc;
	if (strcmp(op->type, "cond") == 0) {
		rc = check_block_outputs(k, at, &op->blocks[0], "then", op->outputs, op->noutputs);
		if (!rc)
			rc = check_block_outputs(k, at, &op->blocks[1], "else", op->outputs,
						 op->noutputs);
	} else if (strcmp(op->type, "while_loop") == 0) {
		rc = check_loop_inputs(k, op, at);
		if (!rc)
			rc = check_block_outputs(k, at, &op->blocks[1], "body", op->outputs,
						 op->noutputs);
	}
	return rc;
}

/* Outputs of 'op' enter the map: constant when the op is const or
** constexpr_* (their values are materialized at compile time). */
static int define_outputs(struct checker *k, const struct op *op)
{
	bool is_const = strcmp(op->type, "const") == 0 || strncmp(op->type, "constexpr_", 10) == 0;
	const struct mvalue *val =
		strcmp(op->type, "const") == 0 ? model_attr(op->attrs, op->nattrs, "val") : NULL;
	int rc = 0;

	if (val && val->kind != VAL_TENSOR)
		val = NULL;
	for (size_t i = 0; i < op->noutputs && !rc; i++)
		rc = define(k, op->outputs[i].name, op->outputs[i].type, val, is_const);
	return rc;
}

/* The op against its row: inputs, inference, outputs.  Kept out of
** check_op()'s frame (which recursion into nested blocks keeps alive):
** the parsed inputs and the inference state are a few KiB. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
check_row(struct checker *k, const struct op *op, const struct model_site *at,
	  const struct op_def *def)
{
	struct op_input in[OPS_MAX_INPUTS];
	struct infer c;
	int rc, n = ops_parse_inputs(def, in);

	MLCC_ASSERT(n >= 0);
	memset(&c, 0, sizeof c);
	c.op = op;
	c.def = def;
	c.nin = n < 0 ? 0 : (size_t)n;
	c.in = in;
	c.nout = op->noutputs;
	c.arena = &k->arena;
	c.at = at;
	c.d = k->d;
	if ((rc = check_inputs(k, op, &c)) != 0 || (rc = def->infer(&c)) != 0)
		return rc;
	return check_outputs(k, op, &c);
}

static int check_op(struct checker *k, const struct op *op, size_t index)
{
	const struct model_site at = {k->file, k->func, op, index};
	const struct op_def *any, *def = ops_find(op->type, k->ios, &any);
	int rc;

	k->st.ops++;
	if (!any)
		warn(k, &at, "unknown op type, not checked");
	else if (!def)
		return fail(k, &at, "not available in ios%u (new in ios%u)", k->ios, any->first);
	else if ((rc = check_row(k, op, &at, def)) != 0)
		return rc;
	if ((rc = check_nested(k, op, &at)) != 0)
		return rc;
	return define_outputs(k, op);
}

/* Every op of 'b' in order. */
static int check_block(struct checker *k, const struct block *b)
{
	int rc = 0;

	for (size_t i = 0; i < b->nops && !rc; i++)
		rc = check_op(k, &b->ops[i], i);
	return rc;
}

static int check_function(struct checker *k, const struct function *f)
{
	int rc = 0;

	k->func = f;
	k->ios = f->ios ? f->ios : 18;
	k->st.functions++;
	strmap_init(&k->vars);
	for (size_t i = 0; i < f->ninputs && !rc; i++)
		rc = define(k, f->inputs[i].name, f->inputs[i].type, NULL, false);
	if (!rc)
		rc = check_block(k, &f->body);
	strmap_free(&k->vars);
	k->func = NULL;
	return rc;
}

static int check_model(struct checker *k, const struct model *m)
{
	int rc = 0;

	for (size_t i = 0; i < m->nchildren && !rc; i++)
		rc = check_model(k, m->children[i]);
	if (rc || m->kind != MODEL_ML_PROGRAM || !m->program)
		return rc;
	for (size_t i = 0; i < m->program->nfuncs && !rc; i++)
		rc = check_function(k, &m->program->funcs[i]);
	return rc;
}

int ops_check(const struct model *m, const char *file, mlcc_event_fn on_event, void *event_ctx,
	      struct ops_check_stats *stats, struct mlcc_diag *d)
{
	struct checker k;
	int rc;

	memset(&k, 0, sizeof k);
	k.file = file;
	k.on_event = on_event;
	k.event_ctx = event_ctx;
	k.d = d;
	arena_init(&k.arena);
	strmap_init(&k.warned);
	rc = check_model(&k, m);
	strmap_free(&k.warned);
	arena_free(&k.arena);
	if (stats)
		*stats = k.st;
	return rc;
}
