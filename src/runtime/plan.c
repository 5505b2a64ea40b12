/*
** plan.c -- a loaded model turned into something the executor can run
** (rt.h describes the plan): weight files mapped, constants built, every
** binding resolved to a value slot, lazy constexpr constants set up, the
** last use of every slot known.
**
** Errors name the model file, the function and the op (model_fail): an
** unknown variable, an op the runtime does not implement, a blob outside
** its file, a nested block (control flow is not supported yet).
*/
#include <stdint.h>
#include <string.h>

#include "base/os.h"
#include "base/strmap.h"
#include "runtime/rt.h"

/* Building one function's plan. */
struct planner {
	struct rt_model *m;
	struct rt_func *f;
	struct strmap names; /* variable -> slot + 1 */
	size_t cap;	     /* slots allocated */
	struct mlcc_diag *d;
	size_t block;	/* id of the block being planned (0: the body) */
	size_t nblocks; /* block ids given so far */
	/* names bound inside the current blocks, with what they meant before
	** (restored when a block ends: names are scoped by block) */
	size_t nundo, undo_cap;
	struct undo {
		const char *name;
		uintptr_t old;
	} * undo;
};

static int fail_at(struct planner *p, const struct op *op, size_t index, int status,
		   const char *fmt, const char *arg)
{
	struct model_site at = {p->m->l.files->origin, p->f->func, op, index};
	char q[DIAG_QUOTE_MAX];

	return model_fail(p->d, status, &at, fmt, arg ? diag_quote(q, arg) : "");
}

/* ---- weight files ---------------------------------------------------------- */

/* Map every weight file of the plan once. */
static int map_weights(struct rt_model *m, struct mlcc_diag *d)
{
	const struct weight_plan *wp = &m->l.plan;
	int rc;

	m->maps = arena_array(&m->arena, wp->nfiles ? wp->nfiles : 1, sizeof *m->maps);
	if (m->maps == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", m->l.path);
	for (size_t i = 0; i < wp->nfiles; i++) {
		const void *base;
		size_t size;
		if (wp->files[i].size == 0 && wp->nrefs == 0)
			continue;
		if ((rc = os_map_file(wp->files[i].abs, &base, &size, d)) != MLCC_OK)
			return rc;
		m->maps[m->nmaps].rel = wp->files[i].rel;
		m->maps[m->nmaps].base = base;
		m->maps[m->nmaps].size = size;
		m->nmaps++;
	}
	return MLCC_OK;
}

static const struct rt_map *find_map(const struct rt_model *m, const char *rel)
{
	for (size_t i = 0; i < m->nmaps; i++)
		if (strcmp(m->maps[i].rel, rel) == 0)
			return &m->maps[i];
	return NULL;
}

/* The checked reference of blob (rel, offset), or NULL. */
static const struct weight_ref *find_ref(const struct weight_plan *wp, const char *rel,
					 uint64_t offset)
{
	size_t lo = 0, hi = wp->nrefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(wp->refs[mid].rel, rel);
		if (c == 0)
			c = wp->refs[mid].offset < offset ? -1 : wp->refs[mid].offset > offset;
		if (c == 0)
			return &wp->refs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- constants ----------------------------------------------------------- */

/* Shape of a tensor type into 'v' (every dimension known). */
static bool type_shape(const struct mtype *t, struct rt_value *v)
{
	if (t == NULL || t->kind != TY_TENSOR || t->rank < 0 || t->rank > RT_MAX_RANK)
		return false;
	v->dtype = t->dtype;
	v->rank = (int)t->rank;
	for (size_t i = 0; i < t->ndims; i++) {
		if (t->dims[i] < 0)
			return false;
		v->shape[i] = t->dims[i];
	}
	v->count = rt_shape_count(v->rank, v->shape);
	return v->count != SIZE_MAX;
}

/* The runtime value of literal 'mv' (an immediate or a blob). */
static int literal(struct planner *p, const struct op *op, size_t index, const struct mvalue *mv,
		   struct rt_value *v)
{
	memset(v, 0, sizeof *v);
	if (mv->kind != VAL_TENSOR && mv->kind != VAL_BLOB)
		return fail_at(p, op, index, MLCC_E_UNSUPPORTED,
			       "%slist, tuple and dictionary values are not supported by the "
			       "runtime",
			       NULL);
	if (!type_shape(mv->type, v))
		return fail_at(p, op, index, MLCC_E_CORRUPT, "%sconstant of unknown shape", NULL);
	if (mv->kind == VAL_TENSOR) {
		if (mv->count != v->count)
			return fail_at(p, op, index, MLCC_E_CORRUPT,
				       "%sconstant holds the wrong number of elements", NULL);
		v->data = mv->data;
		return MLCC_OK;
	}
	const char *rel = mv->blob_file;
	if (strncmp(rel, MLCC_MODEL_PATH_PREFIX, MLCC_MODEL_PATH_PREFIX_LEN) == 0)
		rel += MLCC_MODEL_PATH_PREFIX_LEN;
	const struct weight_ref *ref = find_ref(&p->m->l.plan, rel, mv->blob_offset);
	const struct rt_map *map = find_map(p->m, rel);
	size_t need = dtype_packed_bytes(v->dtype, v->count);
	if (ref == NULL || map == NULL)
		return fail_at(p, op, index, MLCC_E_CORRUPT, "blob in '%s' was not checked", rel);
	if (need == (size_t)-1 || ref->bytes < need || ref->data_offset > map->size ||
	    map->size - ref->data_offset < need)
		return fail_at(p, op, index, MLCC_E_CORRUPT, "blob data lies outside '%s'", rel);
	v->data = (void *)(map->base + ref->data_offset);
	if (dtype_info(v->dtype)->bits < 8)
		v->flags |= RT_PACKED;
	return MLCC_OK;
}

/* ---- slots ------------------------------------------------------------------ */

static int new_slot(struct planner *p, const char *name, struct mtype *type, size_t *slot)
{
	struct rt_func *f = p->f;

	if (f->nslots == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct mtype **t = arena_array(&p->m->arena, cap, sizeof *t);
		const char **n = arena_array(&p->m->arena, cap, sizeof *n);
		struct rt_value *k = arena_array(&p->m->arena, cap, sizeof *k);
		bool *c = arena_array(&p->m->arena, cap, sizeof *c);
		size_t *di = arena_array(&p->m->arena, cap, sizeof *di);
		if (!t || !n || !k || !c || !di)
			return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
		if (f->nslots) {
			memcpy(t, f->slot_type, f->nslots * sizeof *t);
			memcpy(n, f->slot_name, f->nslots * sizeof *n);
			memcpy(k, f->konst, f->nslots * sizeof *k);
			memcpy(c, f->is_const, f->nslots * sizeof *c);
			memcpy(di, f->defined_in, f->nslots * sizeof *di);
		}
		f->slot_type = t;
		f->slot_name = n;
		f->konst = k;
		f->is_const = c;
		f->defined_in = di;
		p->cap = cap;
	}
	*slot = f->nslots++;
	f->slot_type[*slot] = type;
	f->slot_name[*slot] = name ? name : "";
	f->defined_in[*slot] = p->block;
	if (name == NULL)
		return MLCC_OK;
	if (p->block != 0) {
		if (p->nundo == p->undo_cap) {
			size_t cap = p->undo_cap ? 2 * p->undo_cap : 32;
			struct undo *u = realloc(p->undo, cap * sizeof *u);
			if (u == NULL)
				return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
			p->undo = u;
			p->undo_cap = cap;
		}
		p->undo[p->nundo].name = name;
		p->undo[p->nundo++].old = (uintptr_t)strmap_get(&p->names, name);
	}
	if (strmap_put(&p->names, name, (void *)(uintptr_t)(*slot + 1)) != 0)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	return MLCC_OK;
}

static bool lookup(struct planner *p, const char *name, size_t *slot)
{
	uintptr_t s = (uintptr_t)strmap_get(&p->names, name);

	*slot = s - 1;
	return s != 0;
}

/* ---- ops ---------------------------------------------------------------------- */

/* A `const` op: its output slot holds the value of attribute 'val'. */
static int plan_const(struct planner *p, const struct op *op, size_t index)
{
	const struct mvalue *val = model_attr(op->attrs, op->nattrs, "val");
	size_t slot;
	int rc;

	if (val == NULL || op->noutputs != 1)
		return fail_at(p, op, index, MLCC_E_CORRUPT, "%sconst without a value", NULL);
	if ((rc = new_slot(p, op->outputs[0].name, op->outputs[0].type, &slot)) != MLCC_OK)
		return rc;
	p->f->is_const[slot] = true;
	return literal(p, op, index, val, &p->f->konst[slot]);
}

/* Is attribute 'a' a parameter?  iOS16 constexpr ops (as coremltools
** writes them) carry their parameters as attributes -- lut, indices,
** shape, scale... -- not inputs; every tensor-valued attribute but the op's
** name is visible to kernels as a constant argument of that name. */
static bool attr_param(const struct attribute *a)
{
	return strcmp(a->key, "name") != 0 && a->value &&
	       (a->value->kind == VAL_TENSOR || a->value->kind == VAL_BLOB);
}

/* A literal value into slot '*slot' (a new constant). */
static int literal_slot(struct planner *p, const struct op *op, size_t index,
			const struct mvalue *v, size_t *slot)
{
	int rc = new_slot(p, NULL, v->type, slot);

	if (rc != MLCC_OK)
		return rc;
	p->f->is_const[*slot] = true;
	return literal(p, op, index, v, &p->f->konst[*slot]);
}

/* Resolve the bindings of 'op' into 'o' (literals get constant slots),
** then its parameter attributes (attr_param) after them. */
static int plan_inputs(struct planner *p, const struct op *op, size_t index, struct rt_op *o)
{
	size_t n = 0, k = 0, na = op->ninputs;
	int rc;

	for (size_t i = 0; i < op->ninputs; i++)
		n += op->inputs[i].n;
	for (size_t i = 0; i < op->nattrs; i++)
		if (attr_param(&op->attrs[i])) {
			n++;
			na++;
		}
	o->args = arena_array(&p->m->arena, na ? na : 1, sizeof *o->args);
	o->in = arena_array(&p->m->arena, n ? n : 1, sizeof *o->in);
	if (!o->args || !o->in)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	o->nargs = na;
	o->nin = n;
	for (size_t i = 0; i < op->ninputs; i++) {
		const struct argument *a = &op->inputs[i];
		o->args[i].param = a->param;
		o->args[i].first = k;
		o->args[i].n = a->n;
		for (size_t j = 0; j < a->n; j++, k++) {
			const struct binding *b = &a->b[j];
			if (b->name) {
				if (!lookup(p, b->name, &o->in[k]))
					return fail_at(p, op, index, MLCC_E_CORRUPT,
						       "unknown variable '%s'", b->name);
				continue;
			}
			if ((rc = literal_slot(p, op, index, b->value, &o->in[k])) != MLCC_OK)
				return rc;
		}
	}
	for (size_t i = 0, j = op->ninputs; i < op->nattrs; i++) {
		if (!attr_param(&op->attrs[i]))
			continue;
		o->args[j].param = op->attrs[i].key;
		o->args[j].first = k;
		o->args[j++].n = 1;
		if ((rc = literal_slot(p, op, index, op->attrs[i].value, &o->in[k++])) != MLCC_OK)
			return rc;
	}
	return MLCC_OK;
}

/* True when every input of 'o' is a constant that needs no computing. */
static bool all_const(const struct rt_func *f, const struct rt_op *o)
{
	for (size_t i = 0; i < o->nin; i++)
		if (!f->is_const[o->in[i]])
			return false;
	return true;
}

/* Append 'lz' to the model's list of lazy constants (released with it). */
static int add_lazy(struct planner *p, struct rt_lazy *lz)
{
	struct rt_lazy **list = arena_array(&p->m->arena, p->m->nlazy + 1, sizeof *list);

	if (list == NULL)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	if (p->m->nlazy)
		memcpy(list, p->m->lazies, p->m->nlazy * sizeof *list);
	list[p->m->nlazy++] = lz;
	p->m->lazies = list;
	return MLCC_OK;
}

/* A constexpr op on constants: each output becomes a lazy constant, the
** first one computing them all. */
static int plan_lazy(struct planner *p, struct rt_op *o)
{
	struct rt_func *f = p->f;
	struct rt_lazy **group = arena_array(&p->m->arena, o->nout, sizeof *group);
	struct rt_value **vals = arena_array(&p->m->arena, o->nin ? o->nin : 1, sizeof *vals);
	int rc;

	if (group == NULL || vals == NULL)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < o->nout; i++) {
		struct rt_lazy *lz = arena_alloc(&p->m->arena, sizeof *lz);
		size_t slot = o->out[i];
		if (lz == NULL)
			return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
		lz->op = *o;
		lz->model = p->m;
		lz->func = f->func;
		/* 'vals' point into f->konst, which may still move: set at the end
		** (bind_lazies) */
		lz->vals = vals;
		lz->first = group[0] ? group[0] : lz;
		lz->which = i;
		group[i] = lz;
		if (!type_shape(f->slot_type[slot], &f->konst[slot]))
			return fail_at(p, o->op, o->index, MLCC_E_CORRUPT,
				       "%sresult of unknown shape", NULL);
		f->konst[slot].lazy = lz;
		f->is_const[slot] = true;
		if ((rc = add_lazy(p, lz)) != MLCC_OK)
			return rc;
	}
	group[0]->group = group;
	return MLCC_OK;
}

static int plan_op(struct planner *p, const struct op *op, size_t index, struct rt_op *ops,
		   size_t *nops);

/* Every slot the ops of 'b' (and their nested blocks) read, and its
** outputs, that blocks inside the subtree starting at id 'first' do not
** define: appended to the set 'reads' (marked in 'seen'). */
static void block_reads(const struct rt_func *f, const struct rt_block *b, size_t first,
			size_t *reads, size_t *n, bool *seen)
{
	for (size_t i = 0; i < b->nops; i++) {
		const struct rt_op *o = &b->ops[i];
		for (size_t j = 0; j < o->nin + o->nreads; j++) {
			size_t s = j < o->nin ? o->in[j] : o->reads[j - o->nin];
			if (f->defined_in[s] < first && !seen[s]) {
				seen[s] = true;
				reads[(*n)++] = s;
			}
		}
	}
	for (size_t i = 0; i < b->noutputs; i++) {
		size_t s = b->output_slot[i];
		if (f->defined_in[s] < first && !seen[s]) {
			seen[s] = true;
			reads[(*n)++] = s;
		}
	}
}

/* Plan block 'blk' of an op into 'rb': its inputs get slots of a new
** block id, its ops are planned in order, its outputs looked up; names
** bound inside are unbound again at the end. */
static int plan_block(struct planner *p, const struct op *op, size_t index, const struct block *blk,
		      struct rt_block *rb)
{
	size_t saved = p->block, mark = p->nundo;
	int rc = MLCC_OK;

	rb->id = p->block = ++p->nblocks;
	rb->input_slot = arena_array(&p->m->arena, blk->ninputs + 1, sizeof *rb->input_slot);
	rb->output_slot = arena_array(&p->m->arena, blk->noutputs + 1, sizeof *rb->output_slot);
	rb->ops = arena_array(&p->m->arena, blk->nops + 1, sizeof *rb->ops);
	if (!rb->input_slot || !rb->output_slot || !rb->ops)
		rc = diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; rc == MLCC_OK && i < blk->ninputs; i++)
		rc = new_slot(p, blk->inputs[i].name, blk->inputs[i].type, &rb->input_slot[i]);
	rb->ninputs = blk->ninputs;
	for (size_t i = 0; rc == MLCC_OK && i < blk->nops; i++)
		rc = plan_op(p, &blk->ops[i], i, rb->ops, &rb->nops);
	for (size_t i = 0; rc == MLCC_OK && i < blk->noutputs; i++)
		if (!lookup(p, blk->outputs[i], &rb->output_slot[i]))
			rc = fail_at(p, op, index, MLCC_E_CORRUPT, "unknown block output '%s'",
				     blk->outputs[i]);
	rb->noutputs = blk->noutputs;
	while (p->nundo > mark) {
		p->nundo--;
		if (strmap_put(&p->names, p->undo[p->nundo].name, (void *)p->undo[p->nundo].old) !=
			    0 &&
		    rc == MLCC_OK)
			rc = diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	}
	p->block = saved;
	return rc;
}

/* The nested blocks of 'op' into 'o', and the outer values they read. */
static int plan_blocks(struct planner *p, const struct op *op, size_t index, struct rt_op *o)
{
	size_t first = p->nblocks + 1, n = 0;
	int rc;

	o->nblocks = op->nblocks;
	o->blocks = arena_array(&p->m->arena, op->nblocks, sizeof *o->blocks);
	if (o->blocks == NULL)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < op->nblocks; i++)
		if ((rc = plan_block(p, op, index, &op->blocks[i], &o->blocks[i])) != MLCC_OK)
			return rc;
	size_t *reads = arena_array(&p->m->arena, p->f->nslots + 1, sizeof *reads);
	bool *seen = calloc(p->f->nslots + 1, sizeof *seen);
	if (reads == NULL || seen == NULL) {
		free(seen);
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < op->nblocks; i++)
		block_reads(p->f, &o->blocks[i], first, reads, &n, seen);
	free(seen);
	o->reads = reads;
	o->nreads = n;
	return MLCC_OK;
}

static int plan_op(struct planner *p, const struct op *op, size_t index, struct rt_op *ops,
		   size_t *nops)
{
	struct rt_func *f = p->f;
	struct rt_op *o = &ops[*nops];
	int rc;

	if (strcmp(op->type, "const") == 0)
		return plan_const(p, op, index);
	memset(o, 0, sizeof *o);
	o->op = op;
	o->index = index;
	o->impl = rt_find_impl(op->type);
	if (o->impl == NULL)
		return fail_at(p, op, index, MLCC_E_UNSUPPORTED, "not supported by the runtime%s",
			       NULL);
	if ((rc = plan_inputs(p, op, index, o)) != MLCC_OK)
		return rc;
	if (op->nblocks > 0 && (rc = plan_blocks(p, op, index, o)) != MLCC_OK)
		return rc;
	o->nout = op->noutputs;
	o->out = arena_array(&p->m->arena, op->noutputs ? op->noutputs : 1, sizeof *o->out);
	if (o->out == NULL)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < op->noutputs; i++)
		if ((rc = new_slot(p, op->outputs[i].name, op->outputs[i].type, &o->out[i])) !=
		    MLCC_OK)
			return rc;
	if ((o->impl->flags & RT_F_CONSTEXPR) && o->nout >= 1 && all_const(f, o))
		return plan_lazy(p, o);
	(*nops)++;
	return MLCC_OK;
}

/* ---- signature ----------------------------------------------------------------- */

static void feature_of(struct rt_func *f, struct mlcc_feature *ft, const char *name,
		       const struct mtype *t)
{
	(void)f;
	memset(ft, 0, sizeof *ft);
	ft->name = name;
	if (t && t->kind == TY_STATE)
		t = t->elem;
	if (t == NULL || t->kind != TY_TENSOR)
		return;
	ft->dtype = rt_public_dtype(t->dtype);
	ft->rank = t->rank < 0 || t->rank > MLCC_MAX_RANK ? 0 : (int)t->rank;
	for (int i = 0; i < ft->rank; i++)
		ft->shape[i] = t->dims[i];
}

static int plan_signature(struct planner *p)
{
	struct rt_func *f = p->f;
	const struct function *fn = f->func;
	size_t n = fn->ninputs + fn->body.noutputs, ni = 0, ns = 0;
	struct mlcc_feature *ins, *sts;

	f->features = arena_array(&p->m->arena, n ? n : 1, sizeof *f->features);
	f->input_slot = arena_array(&p->m->arena, fn->ninputs + 1, sizeof *f->input_slot);
	f->state_slot = arena_array(&p->m->arena, fn->ninputs + 1, sizeof *f->state_slot);
	f->output_slot = arena_array(&p->m->arena, fn->body.noutputs + 1, sizeof *f->output_slot);
	if (!f->features || !f->input_slot || !f->state_slot || !f->output_slot)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < fn->ninputs; i++)
		ns += fn->inputs[i].type->kind == TY_STATE;
	ins = f->features;
	sts = f->features + (fn->ninputs - ns) + fn->body.noutputs;
	for (size_t i = 0; i < fn->ninputs; i++) {
		const struct named_type *in = &fn->inputs[i];
		size_t slot;
		int rc;
		if (in->type->kind != TY_STATE && in->type->kind != TY_TENSOR)
			return fail_at(p, NULL, 0, MLCC_E_UNSUPPORTED,
				       "input '%s' is not a tensor or a state", in->name);
		if ((rc = new_slot(p, in->name, in->type, &slot)) != MLCC_OK)
			return rc;
		if (in->type->kind == TY_STATE) {
			feature_of(f, &sts[f->nstates], in->name, in->type);
			f->state_slot[f->nstates++] = slot;
		} else {
			feature_of(f, &ins[ni], in->name, in->type);
			f->input_slot[ni++] = slot;
		}
	}
	f->ninputs = ni;
	f->sig.function = fn->name;
	f->sig.ninputs = ni;
	f->sig.nstates = f->nstates;
	f->sig.inputs = ins;
	f->sig.outputs = ins + ni;
	f->sig.states = sts;
	return MLCC_OK;
}

/* Output slots and their features, once the ops are planned. */
static int plan_outputs(struct planner *p)
{
	struct rt_func *f = p->f;
	const struct block *b = &f->func->body;
	struct mlcc_feature *outs = (struct mlcc_feature *)f->sig.outputs;

	for (size_t i = 0; i < b->noutputs; i++) {
		size_t slot;
		if (!lookup(p, b->outputs[i], &slot))
			return fail_at(p, NULL, 0, MLCC_E_CORRUPT, "unknown output '%s'",
				       b->outputs[i]);
		f->output_slot[i] = slot;
		feature_of(f, &outs[i], b->outputs[i], f->slot_type[slot]);
	}
	f->noutputs = b->noutputs;
	f->sig.noutputs = b->noutputs;
	return MLCC_OK;
}

/* last_use of the slots block 'id' defines, from its op list (and the
** outer reads of nested blocks, counted at their op); then the nested
** blocks' own slots. */
static void block_lifetimes(struct rt_func *f, const struct rt_op *ops, size_t nops, size_t id,
			    const size_t *outputs, size_t noutputs)
{
	for (size_t i = 0; i < nops; i++)
		for (size_t j = 0; j < ops[i].nin + ops[i].nreads; j++) {
			size_t s = j < ops[i].nin ? ops[i].in[j] : ops[i].reads[j - ops[i].nin];
			if (f->defined_in[s] == id)
				f->last_use[s] = i + 1;
		}
	for (size_t i = 0; i < noutputs; i++)
		if (f->defined_in[outputs[i]] == id)
			f->last_use[outputs[i]] = SIZE_MAX;
	for (size_t i = 0; i < nops; i++)
		for (size_t b = 0; b < ops[i].nblocks; b++) {
			const struct rt_block *rb = &ops[i].blocks[b];
			block_lifetimes(f, rb->ops, rb->nops, rb->id, rb->output_slot,
					rb->noutputs);
		}
}

/* Index of the last op reading each slot; outputs live to the end. */
static int plan_lifetimes(struct planner *p)
{
	struct rt_func *f = p->f;

	f->last_use = arena_array(&p->m->arena, f->nslots + 1, sizeof *f->last_use);
	if (f->last_use == NULL)
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	block_lifetimes(f, f->ops, f->nops, 0, f->output_slot, f->noutputs);
	return MLCC_OK;
}

/* The slot bound to parameter 'param' of 'o', or SIZE_MAX. */
static size_t arg_slot(const struct rt_op *o, const char *param)
{
	for (size_t i = 0; i < o->nargs; i++)
		if (strcmp(o->args[i].param, param) == 0 && o->args[i].n == 1)
			return o->in[o->args[i].first];
	return SIZE_MAX;
}

/* Is op 'k', a slice_update, the KV-cache pattern that can update a
** state in place: x = read_state(S) read by nothing after it, x bound
** once, and the result read only by write_state(data = result, input = S)?
** (Reader counts in 'uses'; 'producer' maps a slot to its op or SIZE_MAX.) */
static bool inplace_update(const struct rt_func *f, size_t k, const size_t *uses,
			   const size_t *producer)
{
	const struct rt_op *o = &f->ops[k];
	size_t xs = arg_slot(o, "x"), u = o->nout == 1 ? o->out[0] : SIZE_MAX, n = 0;

	if (xs == SIZE_MAX || u == SIZE_MAX || producer[xs] == SIZE_MAX ||
	    f->last_use[xs] != k + 1 || uses[u] != 1)
		return false;
	for (size_t i = 0; i < o->nin; i++)
		n += o->in[i] == xs;
	const struct rt_op *r = &f->ops[producer[xs]];
	size_t st = arg_slot(r, "input");
	if (n != 1 || strcmp(r->op->type, "read_state") != 0 || st == SIZE_MAX)
		return false;
	for (size_t j = k + 1; j < f->nops; j++) {
		const struct rt_op *w = &f->ops[j];
		for (size_t i = 0; i < w->nin; i++)
			if (w->in[i] == u)
				return strcmp(w->op->type, "write_state") == 0 &&
				       arg_slot(w, "data") == u && arg_slot(w, "input") == st;
	}
	return false;
}

/* Mark the slice_updates that can work in place (RT_OP_INPLACE): no copy
** of a KV cache per token. */
static int plan_inplace(struct planner *p)
{
	struct rt_func *f = p->f;
	size_t *uses = calloc(f->nslots + 1, sizeof *uses);
	size_t *producer = malloc((f->nslots + 1) * sizeof *producer);

	if (uses == NULL || producer == NULL) {
		free(uses);
		free(producer);
		return diag_fail(p->d, MLCC_E_NOMEM, "out of memory");
	}
	for (size_t s = 0; s < f->nslots; s++)
		producer[s] = SIZE_MAX;
	for (size_t k = 0; k < f->nops; k++) {
		for (size_t i = 0; i < f->ops[k].nin; i++)
			uses[f->ops[k].in[i]]++;
		for (size_t i = 0; i < f->ops[k].nreads; i++)
			uses[f->ops[k].reads[i]]++;
		for (size_t i = 0; i < f->ops[k].nout; i++)
			producer[f->ops[k].out[i]] = k;
	}
	for (size_t i = 0; i < f->noutputs; i++)
		uses[f->output_slot[i]]++;
	for (size_t k = 0; k < f->nops; k++)
		if (strcmp(f->ops[k].op->type, "slice_update") == 0 &&
		    inplace_update(f, k, uses, producer))
			f->ops[k].flags |= RT_OP_INPLACE;
	free(uses);
	free(producer);
	return MLCC_OK;
}

/* Point the inputs of this function's lazy constants at its (final)
** constant slots. */
static void bind_lazies(struct rt_model *m, struct rt_func *f)
{
	for (size_t i = 0; i < m->nlazy; i++) {
		struct rt_lazy *lz = m->lazies[i];
		if (lz->func != f->func)
			continue;
		for (size_t j = 0; j < lz->op.nin; j++)
			lz->vals[j] = &f->konst[lz->op.in[j]];
	}
}

static int plan_function(struct rt_model *m, const struct function *fn, struct rt_func *f,
			 struct mlcc_diag *d)
{
	struct planner p = {m, f, {0}, 0, d, 0, 0, 0, 0, NULL};
	int rc;

	strmap_init(&p.names);
	f->func = fn;
	f->ops = arena_array(&m->arena, fn->body.nops + 1, sizeof *f->ops);
	if (f->ops == NULL)
		rc = diag_fail(d, MLCC_E_NOMEM, "out of memory");
	else
		rc = plan_signature(&p);
	for (size_t i = 0; rc == MLCC_OK && i < fn->body.nops; i++)
		rc = plan_op(&p, &fn->body.ops[i], i, f->ops, &f->nops);
	if (rc == MLCC_OK)
		rc = plan_outputs(&p);
	if (rc == MLCC_OK)
		rc = plan_lifetimes(&p);
	if (rc == MLCC_OK)
		rc = plan_inplace(&p);
	if (rc == MLCC_OK)
		bind_lazies(m, f);
	strmap_free(&p.names);
	free(p.undo);
	return rc;
}

/* ---- the model -------------------------------------------------------------------- */

/* The default function of program 'pg' described by 'desc' (its
** defaultFunctionName, else "main", else the first). */
static size_t default_function(const struct program *pg, const ModelDescription *desc)
{
	const char *want = desc && desc->defaultfunctionname && *desc->defaultfunctionname
				   ? desc->defaultfunctionname
				   : "main";

	for (size_t i = 0; i < pg->nfuncs; i++)
		if (strcmp(pg->funcs[i].name, want) == 0)
			return i;
	return 0;
}

/* Feature 'name' among 'f', or NULL. */
static const struct mlcc_feature *feature(const struct mlcc_feature *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* A pipeline of ML programs: each child's default function is a stage;
** the pipeline's one function "main" takes the stage inputs no earlier
** stage produces (first-appearance order) and gives the outputs its
** description names, each as the stage producing it declares it. */
static int plan_pipeline(struct rt_model *m, struct mlcc_diag *d)
{
	const struct model *md = m->l.model;
	struct rt_func *stages, *f;
	struct function *fn;
	size_t n = md->nchildren, nin = 0, cap = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (md->children[i]->kind != MODEL_ML_PROGRAM || !md->children[i]->program)
			return diag_fail(d, MLCC_E_UNSUPPORTED,
					 "%s: pipeline child %zu is not an ML program (%s)",
					 m->l.path, i,
					 model_type_description(md->children[i]->type_field));
	stages = arena_array(&m->arena, n + 1, sizeof *stages);
	m->funcs = f = arena_array(&m->arena, 1, sizeof *m->funcs);
	fn = arena_alloc(&m->arena, sizeof *fn);
	f->stages = arena_array(&m->arena, n + 1, sizeof *f->stages);
	if (!stages || !f || !fn || !f->stages)
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct program *pg = md->children[i]->program;
		size_t k = default_function(pg, md->children[i]->desc);
		if ((rc = plan_function(m, &pg->funcs[k], &stages[i], d)) != MLCC_OK)
			return rc;
		if (stages[i].nstates)
			return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: pipeline child %zu has states",
					 m->l.path, i);
		f->stages[i] = &stages[i];
		cap += stages[i].ninputs;
	}
	f->nstages = n;
	size_t nout = md->desc ? md->desc->n_output : 0;
	f->features = arena_array(&m->arena, cap + nout + 1, sizeof *f->features);
	if (f->features == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < stages[i].ninputs; j++) {
			const struct mlcc_feature *in = &stages[i].sig.inputs[j];
			bool made = false;
			for (size_t k = 0; k < i && !made; k++)
				made = feature(stages[k].sig.outputs, stages[k].noutputs, in->name);
			if (!made && !feature(f->features, nin, in->name))
				f->features[nin++] = *in;
		}
	for (size_t o = 0; o < nout; o++) {
		const struct mlcc_feature *src = NULL;
		for (size_t i = n; i-- > 0 && !src;)
			src = feature(stages[i].sig.outputs, stages[i].noutputs,
				      md->desc->output[o]->name);
		if (src == NULL)
			return diag_fail(d, MLCC_E_CORRUPT,
					 "%s: no pipeline stage produces output '%s'", m->l.path,
					 md->desc->output[o]->name);
		f->features[nin + o] = *src;
	}
	fn->name = "main";
	f->func = fn;
	f->ninputs = nin;
	f->noutputs = nout;
	f->sig.function = fn->name;
	f->sig.ninputs = nin;
	f->sig.noutputs = nout;
	f->sig.inputs = f->features;
	f->sig.outputs = f->features + nin;
	f->sig.states = f->features + nin + nout;
	m->nfuncs = 1;
	return MLCC_OK;
}

/* True when a function of 'pg' ends in Core ML's classify op (an
** ML-program classifier, docs/spec/mlmodelc.md). */
static bool is_classifier(const struct program *pg)
{
	for (size_t f = 0; f < pg->nfuncs; f++)
		for (size_t i = 0; i < pg->funcs[f].body.nops; i++)
			if (strcmp(pg->funcs[f].body.ops[i].type, "classify") == 0)
				return true;
	return false;
}

static int plan_model(struct rt_model *m, struct mlcc_diag *d)
{
	const struct model *md = m->l.model;
	const struct program *pg = md->program;
	int rc;

	if (md->kind == MODEL_PIPELINE && md->nchildren > 0) {
		if ((rc = map_weights(m, d)) != MLCC_OK)
			return rc;
		return plan_pipeline(m, d);
	}
	if (md->kind != MODEL_ML_PROGRAM || pg == NULL)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: only ML programs can be run (this is %s)", m->l.path,
				 model_type_description(md->type_field));
	if (is_classifier(pg))
		return diag_fail(
			d, MLCC_E_UNSUPPORTED,
			"%s: a classifier: its outputs (a class label and a dictionary of "
			"probabilities) are not tensors, and mlcc run computes tensors only",
			m->l.path);
	if ((rc = map_weights(m, d)) != MLCC_OK)
		return rc;
	m->funcs = arena_array(&m->arena, pg->nfuncs + 1, sizeof *m->funcs);
	if (m->funcs == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < pg->nfuncs; i++) {
		if ((rc = plan_function(m, &pg->funcs[i], &m->funcs[i], d)) != MLCC_OK)
			return rc;
		m->nfuncs++;
	}
	m->default_func = 0;
	if (md->desc && md->desc->defaultfunctionname && *md->desc->defaultfunctionname)
		for (size_t i = 0; i < m->nfuncs; i++)
			if (strcmp(pg->funcs[i].name, md->desc->defaultfunctionname) == 0)
				m->default_func = i;
	for (size_t i = 0; i < m->nfuncs && !(md->desc && md->desc->defaultfunctionname &&
					      *md->desc->defaultfunctionname);
	     i++)
		if (strcmp(pg->funcs[i].name, "main") == 0)
			m->default_func = i;
	return MLCC_OK;
}

int rt_model_load(const char *path, int threads, struct rt_model **out, struct mlcc_diag *d)
{
	struct rt_model *m = calloc(1, sizeof *m);
	int rc;

	*out = m;
	if (m == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	arena_init(&m->arena);
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->pool_lock, NULL);
	m->loaded = true;
	/* the loaded model keeps the path as given: messages of later
	** predictions name it, so it must live as long as the model */
	const char *own = arena_strdup(&m->arena, path);
	if (own == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	if ((rc = load_input(own, &m->l, d)) != MLCC_OK)
		return rc;
	if ((rc = plan_model(m, d)) != MLCC_OK)
		return rc;
	m->pool = kpool_new(threads);
	if (m->pool == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "%s: cannot start worker threads", path);
	return MLCC_OK;
}

void rt_model_free(struct rt_model *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nlazy; i++)
		rt_value_free(&m->lazies[i]->result);
	for (size_t i = 0; i < m->nmaps; i++)
		os_unmap_file(m->maps[i].base, m->maps[i].size);
	if (m->pool)
		kpool_free(m->pool);
	if (m->loaded)
		load_free(&m->l);
	arena_free(&m->arena);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->pool_lock);
	free(m);
}

const struct rt_func *rt_model_func(const struct rt_model *m, const char *name)
{
	if (name == NULL)
		return m->nfuncs ? &m->funcs[m->default_func] : NULL;
	for (size_t i = 0; i < m->nfuncs; i++)
		if (strcmp(m->funcs[i].func->name, name) == 0)
			return &m->funcs[i];
	return NULL;
}
