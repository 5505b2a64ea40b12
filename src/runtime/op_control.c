/*
** op_control.c -- control flow: cond (run the then or the else block on
** the predicate) and while_loop (run the cond block on the loop variables,
** then the body block for new ones, until the cond block gives false).
**
** Blocks run through rt_run_block() (exec.c): they see the values of the
** enclosing scopes, their own values are released after every run, and
** their outputs come back as values the kernel owns.  A while_loop's loop
** variables are copied once into values it owns, then replaced by each
** iteration's outputs; the final ones become the op's outputs.  Values are
** moved, never recomputed: the numeric rules are those of the ops inside.
*/
#include <string.h>

#include "runtime/op.h"

/* At most this many iterations: a program that loops forever is reported,
** not run forever. */
#define MAX_ITERATIONS 100000000

int rt_op_cond(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	bool pred;
	int rc;

	if ((rc = rt_bool(ctx, op, in, "pred", false, false, &pred)) != MLCC_OK)
		return rc;
	size_t b = pred ? 0 : 1;
	if (op->nblocks != 2 || rt_block_outputs(op, b) != op->nout)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "cond needs two blocks with one output per result");
	return rt_run_block(ctx, op, b, NULL, 0, out);
}

static void free_all(struct rt_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rt_value_free(&v[i]);
}

int rt_op_while_loop(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value **init, *cur = NULL, *next = NULL, *ptr[64], c;
	size_t n = rt_args(op, in, "loop_vars", &init);
	int rc = MLCC_OK;

	if (op->nblocks != 2 || n != op->nout || n > 64 || rt_block_inputs(op, 0) != n ||
	    rt_block_inputs(op, 1) != n || rt_block_outputs(op, 0) != 1 ||
	    rt_block_outputs(op, 1) != n)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "while_loop needs a cond block (loop variables -> bool) and a body "
			       "block (loop variables -> loop variables)");
	cur = calloc(n + 1, sizeof *cur);
	next = calloc(n + 1, sizeof *next);
	if (cur == NULL || next == NULL) {
		free(cur);
		free(next);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	/* the initial values are borrowed: the first iteration reads them */
	for (size_t i = 0; i < n; i++) {
		cur[i] = *init[i];
		cur[i].flags &= ~(unsigned)(RT_OWNED | RT_STATE);
	}
	for (long it = 0;; it++) {
		for (size_t i = 0; i < n; i++)
			ptr[i] = &cur[i];
		memset(&c, 0, sizeof c);
		if ((rc = rt_run_block(ctx, op, 0, ptr, n, &c)) != MLCC_OK)
			break;
		bool go = c.count == 1 && rt_geti(&c, 0) != 0;
		rt_value_free(&c);
		if (!go)
			break;
		if (it == MAX_ITERATIONS) {
			rc = rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "more than %d iterations",
				     MAX_ITERATIONS);
			break;
		}
		if ((rc = rt_run_block(ctx, op, 1, ptr, n, next)) != MLCC_OK)
			break;
		free_all(cur, n); /* owned after the first iteration; else no-op */
		memcpy(cur, next, n * sizeof *cur);
		memset(next, 0, n * sizeof *next);
	}
	for (size_t i = 0; rc == MLCC_OK && i < n; i++) {
		if (cur[i].flags & RT_OWNED)
			out[i] = cur[i];
		else /* the loop never ran: its outputs are views of the initial values */
			rt_share(&out[i], &cur[i], cur[i].rank, cur[i].shape);
		memset(&cur[i], 0, sizeof cur[i]);
	}
	free_all(cur, n);
	free(cur);
	free(next);
	return rc;
}
