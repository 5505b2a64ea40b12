/*
** run.c -- the public runtime entry points: mlcc_model_load and its
** queries, mlcc_state_*, mlcc_predict, and the small tensor helpers.
**
** mlcc_predict checks what the caller gives against the function's
** declarations (every input present, same element type, same rank, same
** size in every dimension not declared flexible) before anything runs;
** messages name the model file, the function and the input.  A state is
** independent of the model it was made for: it holds its own storage and
** serves any function whose state declarations it matches by name, type
** and shape.
*/
#include <stdio.h>
#include <string.h>

#include "ops/ops.h"
#include "runtime/rt.h"

struct mlcc_model {
	struct rt_model *rt;
};

struct state_item {
	char *name;
	enum dtype dtype;
	int rank;
	int64_t shape[MLCC_MAX_RANK];
	size_t count;
	void *data;
};

struct mlcc_state {
	size_t n;
	struct state_item *items;
};

/* ---- tensors -------------------------------------------------------------- */

size_t mlcc_dtype_size(enum mlcc_dtype dtype)
{
	enum dtype t = rt_internal_dtype(dtype);

	return t == DT_INVALID ? 0 : dtype_mem_size(t);
}

const char *mlcc_dtype_name(enum mlcc_dtype dtype)
{
	enum dtype t = rt_internal_dtype(dtype);

	return t == DT_INVALID ? NULL : dtype_info(t)->mil;
}

size_t mlcc_tensor_count(const struct mlcc_tensor *t)
{
	size_t n = 1;

	for (int i = 0; i < t->rank; i++)
		n *= (size_t)t->shape[i];
	return n;
}

void mlcc_tensor_free(struct mlcc_tensor *t)
{
	if (t == NULL)
		return;
	free(t->data);
	memset(t, 0, sizeof *t);
}

/* "fp16 [1, ?, 4]" into 'buf'. */
static const char *type_text(char *buf, size_t size, enum mlcc_dtype dt, int rank,
			     const int64_t *shape)
{
	const char *name = mlcc_dtype_name(dt);
	size_t n = (size_t)snprintf(buf, size, "%s [", name ? name : "?");

	for (int i = 0; i < rank && n < size; i++) {
		if (shape[i] < 0)
			n += (size_t)snprintf(buf + n, size - n, "%s?", i ? ", " : "");
		else
			n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "",
					      (long long)shape[i]);
	}
	if (n < size)
		snprintf(buf + n, size - n, "]");
	return buf;
}

/* ---- the model ---------------------------------------------------------------- */

int mlcc_model_load(const char *path, const struct mlcc_load_options *options, mlcc_model **model,
		    struct mlcc_diag *diag)
{
	struct mlcc_model *m;
	int rc;

	diag_clear(diag);
	*model = NULL;
	if (path == NULL)
		return diag_fail(diag, MLCC_E_USAGE, "mlcc_model_load: no path");
	if ((m = calloc(1, sizeof *m)) == NULL)
		return diag_fail(diag, MLCC_E_NOMEM, "%s: out of memory", path);
	rc = rt_model_load(path, options ? options->threads : 0, &m->rt, diag);
	/* The op catalogue's type check, as compile and assemble run it: an
	** ill-typed program is refused with its diagnostic before it runs. */
	if (rc == MLCC_OK)
		rc = ops_check(m->rt->l.model, path, options ? options->on_event : NULL,
			       options ? options->event_ctx : NULL, NULL, diag);
	if (rc != MLCC_OK) {
		rt_model_free(m->rt);
		free(m);
		return rc;
	}
	*model = m;
	return MLCC_OK;
}

void mlcc_model_free(mlcc_model *model)
{
	if (model == NULL)
		return;
	rt_model_free(model->rt);
	free(model);
}

size_t mlcc_model_function_count(const mlcc_model *model)
{
	return model->rt->nfuncs;
}

const char *mlcc_model_function_name(const mlcc_model *model, size_t i)
{
	return i < model->rt->nfuncs ? model->rt->funcs[i].func->name : NULL;
}

const char *mlcc_model_default_function(const mlcc_model *model)
{
	return model->rt->nfuncs ? model->rt->funcs[model->rt->default_func].func->name : NULL;
}

/* The function 'name' of 'model', or an error listing the functions. */
static int find_func(const mlcc_model *model, const char *name, const struct rt_func **f,
		     struct mlcc_diag *d)
{
	char list[512] = "", q[DIAG_QUOTE_MAX];
	size_t n = 0;

	if ((*f = rt_model_func(model->rt, name)) != NULL)
		return MLCC_OK;
	for (size_t i = 0; i < model->rt->nfuncs && n < sizeof list; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
				      model->rt->funcs[i].func->name);
	return diag_fail(d, MLCC_E_USAGE, "%s: no function '%s' (functions: %s)", model->rt->l.path,
			 diag_quote(q, name ? name : ""), list);
}

int mlcc_model_signature(const mlcc_model *model, const char *function,
			 struct mlcc_signature *signature, struct mlcc_diag *diag)
{
	const struct rt_func *f;
	int rc;

	diag_clear(diag);
	if ((rc = find_func(model, function, &f, diag)) != MLCC_OK)
		return rc;
	*signature = f->sig;
	return MLCC_OK;
}

/* ---- states -------------------------------------------------------------------- */

int mlcc_state_new(const mlcc_model *model, const char *function, mlcc_state **state,
		   struct mlcc_diag *diag)
{
	const struct rt_func *f;
	struct mlcc_state *s;
	int rc;

	diag_clear(diag);
	*state = NULL;
	if ((rc = find_func(model, function, &f, diag)) != MLCC_OK)
		return rc;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->items = calloc(f->nstates + 1, sizeof *s->items)) == NULL) {
		free(s);
		return diag_fail(diag, MLCC_E_NOMEM, "out of memory");
	}
	*state = s;
	for (size_t i = 0; i < f->nstates; i++) {
		const struct mlcc_feature *ft = &f->sig.states[i];
		struct state_item *it = &s->items[s->n];
		it->dtype = rt_internal_dtype(ft->dtype);
		it->rank = ft->rank;
		memcpy(it->shape, ft->shape, sizeof it->shape);
		it->count = rt_shape_count(ft->rank, ft->shape);
		if (it->dtype == DT_INVALID || it->count == SIZE_MAX)
			return diag_fail(diag, MLCC_E_UNSUPPORTED,
					 "%s: state '%s' has no fixed tensor type",
					 model->rt->l.path, ft->name);
		it->name = strdup(ft->name);
		it->data = calloc(it->count ? it->count : 1, dtype_mem_size(it->dtype));
		if (it->name == NULL || it->data == NULL) {
			free(it->name);
			free(it->data);
			return diag_fail(diag, MLCC_E_NOMEM, "out of memory");
		}
		s->n++;
	}
	return MLCC_OK;
}

void mlcc_state_free(mlcc_state *state)
{
	if (state == NULL)
		return;
	for (size_t i = 0; i < state->n; i++) {
		free(state->items[i].name);
		free(state->items[i].data);
	}
	free(state->items);
	free(state);
}

static struct state_item *state_find(mlcc_state *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].name, name) == 0)
			return &s->items[i];
	return NULL;
}

int mlcc_state_get(mlcc_state *state, const char *name, struct mlcc_tensor *view,
		   struct mlcc_diag *diag)
{
	struct state_item *it = state_find(state, name);
	char q[DIAG_QUOTE_MAX];

	diag_clear(diag);
	if (it == NULL)
		return diag_fail(diag, MLCC_E_USAGE, "no state '%s'", diag_quote(q, name));
	memset(view, 0, sizeof *view);
	view->name = it->name;
	view->dtype = rt_public_dtype(it->dtype);
	view->rank = it->rank;
	memcpy(view->shape, it->shape, sizeof view->shape);
	view->data = it->data;
	return MLCC_OK;
}

/* 'rank'/'shape' equal to the item's. */
static bool same_shape(const struct state_item *it, int rank, const int64_t *shape)
{
	if (rank != it->rank)
		return false;
	for (int i = 0; i < rank; i++)
		if (shape[i] != it->shape[i])
			return false;
	return true;
}

int mlcc_state_set(mlcc_state *state, const struct mlcc_tensor *value, struct mlcc_diag *diag)
{
	struct state_item *it;
	char q[DIAG_QUOTE_MAX], want[128], got[128];

	diag_clear(diag);
	if (value->name == NULL || (it = state_find(state, value->name)) == NULL)
		return diag_fail(diag, MLCC_E_USAGE, "no state '%s'",
				 diag_quote(q, value->name ? value->name : ""));
	if (rt_internal_dtype(value->dtype) != it->dtype ||
	    !same_shape(it, value->rank, value->shape))
		return diag_fail(
			diag, MLCC_E_USAGE, "state '%s' is %s, not %s", diag_quote(q, it->name),
			type_text(want, sizeof want, rt_public_dtype(it->dtype), it->rank,
				  it->shape),
			type_text(got, sizeof got, value->dtype, value->rank, value->shape));
	memcpy(it->data, value->data, it->count * dtype_mem_size(it->dtype));
	return MLCC_OK;
}

/* ---- predictions --------------------------------------------------------------- */

/* The caller's tensor for declared input 'ft' checked into 'v' (borrowed). */
static int check_input(const mlcc_model *model, const struct rt_func *f,
		       const struct mlcc_feature *ft, const struct mlcc_tensor *t,
		       struct rt_value *v, struct mlcc_diag *d)
{
	char want[128], got[128], q[DIAG_QUOTE_MAX];
	const char *path = model->rt->l.path;
	bool ok = t->dtype == ft->dtype && t->rank == ft->rank && t->rank >= 0 &&
		  t->rank <= MLCC_MAX_RANK;

	for (int i = 0; ok && i < t->rank; i++)
		ok = t->shape[i] >= 0 && (ft->shape[i] < 0 || ft->shape[i] == t->shape[i]);
	if (!ok)
		return diag_fail(
			d, MLCC_E_USAGE, "%s: function '%s': input '%s' is %s, expected %s", path,
			f->func->name, diag_quote(q, ft->name),
			type_text(got, sizeof got, t->dtype,
				  t->rank >= 0 && t->rank <= MLCC_MAX_RANK ? t->rank : 0, t->shape),
			type_text(want, sizeof want, ft->dtype, ft->rank, ft->shape));
	memset(v, 0, sizeof *v);
	v->dtype = rt_internal_dtype(t->dtype);
	v->rank = t->rank;
	memcpy(v->shape, t->shape, sizeof v->shape);
	v->count = rt_shape_count(t->rank, t->shape);
	v->data = t->data;
	if (v->count == SIZE_MAX || (v->data == NULL && v->count > 0))
		return diag_fail(d, MLCC_E_USAGE, "%s: input '%s' has no data", path,
				 diag_quote(q, ft->name));
	return MLCC_OK;
}

static int gather_inputs(const mlcc_model *model, const struct rt_func *f,
			 const struct mlcc_tensor *inputs, size_t ninputs, struct rt_value *vals,
			 struct mlcc_diag *d)
{
	char want[128], q[DIAG_QUOTE_MAX];
	const char *path = model->rt->l.path;
	int rc;

	for (size_t i = 0; i < ninputs; i++) {
		bool known = false;
		for (size_t j = 0; j < f->ninputs && !known; j++)
			known = inputs[i].name &&
				strcmp(inputs[i].name, f->sig.inputs[j].name) == 0;
		if (!known)
			return diag_fail(d, MLCC_E_USAGE, "%s: function '%s' has no input '%s'",
					 path, f->func->name,
					 diag_quote(q, inputs[i].name ? inputs[i].name : ""));
	}
	for (size_t j = 0; j < f->ninputs; j++) {
		const struct mlcc_feature *ft = &f->sig.inputs[j];
		const struct mlcc_tensor *t = NULL;
		for (size_t i = 0; i < ninputs && !t; i++)
			if (strcmp(inputs[i].name, ft->name) == 0)
				t = &inputs[i];
		if (t == NULL)
			return diag_fail(
				d, MLCC_E_USAGE, "%s: function '%s': input '%s' (%s) is missing",
				path, f->func->name, diag_quote(q, ft->name),
				type_text(want, sizeof want, ft->dtype, ft->rank, ft->shape));
		if ((rc = check_input(model, f, ft, t, &vals[j], d)) != MLCC_OK)
			return rc;
	}
	return MLCC_OK;
}

static int gather_states(const mlcc_model *model, const struct rt_func *f, mlcc_state *state,
			 struct rt_value *vals, struct mlcc_diag *d)
{
	char want[128], got[128], q[DIAG_QUOTE_MAX];
	const char *path = model->rt->l.path;

	if (f->nstates > 0 && state == NULL)
		return diag_fail(d, MLCC_E_USAGE, "%s: function '%s' declares states: give one",
				 path, f->func->name);
	for (size_t j = 0; j < f->nstates; j++) {
		const struct mlcc_feature *ft = &f->sig.states[j];
		struct state_item *it = state_find(state, ft->name);
		if (it == NULL)
			return diag_fail(d, MLCC_E_USAGE,
					 "%s: function '%s': the state given has no '%s'", path,
					 f->func->name, diag_quote(q, ft->name));
		if (rt_internal_dtype(ft->dtype) != it->dtype ||
		    !same_shape(it, ft->rank, ft->shape))
			return diag_fail(
				d, MLCC_E_USAGE, "%s: function '%s': state '%s' is %s, expected %s",
				path, f->func->name, diag_quote(q, ft->name),
				type_text(got, sizeof got, rt_public_dtype(it->dtype), it->rank,
					  it->shape),
				type_text(want, sizeof want, ft->dtype, ft->rank, ft->shape));
		memset(&vals[j], 0, sizeof vals[j]);
		vals[j].dtype = it->dtype;
		vals[j].rank = it->rank;
		memcpy(vals[j].shape, it->shape, sizeof vals[j].shape);
		vals[j].count = it->count;
		vals[j].data = it->data;
	}
	return MLCC_OK;
}

int mlcc_predict(mlcc_model *model, const char *function, const struct mlcc_tensor *inputs,
		 size_t ninputs, mlcc_state *state, struct mlcc_prediction *prediction,
		 struct mlcc_diag *diag)
{
	const struct rt_func *f;
	struct rt_value *ins = NULL, *sts = NULL, *outs = NULL;
	int rc;

	diag_clear(diag);
	memset(prediction, 0, sizeof *prediction);
	if ((rc = find_func(model, function, &f, diag)) != MLCC_OK)
		return rc;
	ins = calloc(f->ninputs + 1, sizeof *ins);
	sts = calloc(f->nstates + 1, sizeof *sts);
	outs = calloc(f->noutputs + 1, sizeof *outs);
	prediction->outputs = calloc(f->noutputs + 1, sizeof *prediction->outputs);
	if (!ins || !sts || !outs || !prediction->outputs)
		rc = diag_fail(diag, MLCC_E_NOMEM, "out of memory");
	if (rc == MLCC_OK)
		rc = gather_inputs(model, f, inputs, ninputs, ins, diag);
	if (rc == MLCC_OK)
		rc = gather_states(model, f, state, sts, diag);
	if (rc == MLCC_OK)
		rc = rt_execute(model->rt, f, ins, sts, outs, diag);
	for (size_t i = 0; rc == MLCC_OK && i < f->noutputs; i++) {
		struct mlcc_tensor *t = &prediction->outputs[i];
		t->name = f->sig.outputs[i].name;
		t->dtype = rt_public_dtype(outs[i].dtype);
		t->rank = outs[i].rank;
		memcpy(t->shape, outs[i].shape, sizeof t->shape);
		t->data = outs[i].data; /* owned: hand_over made it so */
		prediction->noutputs++;
	}
	free(ins);
	free(sts);
	free(outs);
	if (rc != MLCC_OK)
		mlcc_prediction_free(prediction);
	return rc;
}

void mlcc_prediction_free(struct mlcc_prediction *prediction)
{
	if (prediction == NULL)
		return;
	for (size_t i = 0; i < prediction->noutputs; i++)
		free(prediction->outputs[i].data);
	free(prediction->outputs);
	memset(prediction, 0, sizeof *prediction);
}
