/*
** op_state.c -- states (iOS18): read_state (a copy of the state's
** current value), write_state (data copied into the state's storage; no
** output) and coreml_update_state (write, then give the value written).
**
** The state's storage belongs to the caller's mlcc_state: the executor
** binds the state input to it (RT_STATE), so what a prediction writes is
** there for the next one.  read_state gives a view of the storage, no
** copy: before any write into it (write_state, an in-place slice_update)
** rt_before_write() gives every value still sharing it a copy of its own,
** so a value once read never changes.
*/
#include <string.h>

#include "runtime/op.h"

/* The state bound to 'param' and a check that 'data' fits it. */
static int state_arg(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     const char *param, struct rt_value **st)
{
	int rc = rt_need_arg(ctx, op, in, param, st);

	if (rc == MLCC_OK && !((*st)->flags & RT_STATE))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' is not a state", param);
	return rc;
}

static int store(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *st,
		 const struct rt_value *data)
{
	bool same =
		data->dtype == st->dtype && data->rank == st->rank && !(data->flags & RT_PACKED);

	for (int i = 0; same && i < st->rank; i++)
		same = data->shape[i] == st->shape[i];
	if (!same)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "value does not match the state's type");
	if (data->data == st->data) /* updated in place already */
		return MLCC_OK;
	int rc = rt_before_write(ctx, op, st->data);
	if (rc == MLCC_OK)
		memcpy(st->data, data->data, st->count * dtype_mem_size(st->dtype));
	return rc;
}

int rt_op_read_state(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value *st;
	int rc;

	if ((rc = state_arg(ctx, op, in, "input", &st)) != MLCC_OK)
		return rc;
	rt_share(out, st, st->rank, st->shape);
	return MLCC_OK;
}

int rt_op_write_state(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		      struct rt_value *out)
{
	struct rt_value *st, *data;
	int rc;

	(void)out;
	if ((rc = state_arg(ctx, op, in, "input", &st)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "data", &data)) != MLCC_OK)
		return rc;
	return store(ctx, op, st, data);
}

int rt_op_coreml_update_state(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			      struct rt_value *out)
{
	struct rt_value *st, *v;
	int rc;

	if ((rc = state_arg(ctx, op, in, "state", &st)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "value", &v)) != MLCC_OK ||
	    (rc = store(ctx, op, st, v)) != MLCC_OK)
		return rc;
	rt_share(out, v, v->rank, v->shape);
	return MLCC_OK;
}
