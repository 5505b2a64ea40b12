/*
** validate.c -- the checks a program must pass before it is printed.
**
** model.mil is text that Core ML parses back, so mlcc refuses what would
** print as a broken or ambiguous program:
**
**  - functions: names are unique in a program;
**  - names: every name printed bare (functions, inputs, op outputs, op
**    types, parameter and attribute keys) is a MIL identifier,
**    [A-Za-z_][A-Za-z0-9_@.]* as mil/lex.c reads them back -- the language
**    has no quoting for names, so a quote or a newline cannot be escaped;
**  - definitions: a name is defined once while it is visible (MIL is SSA);
**    sibling blocks may reuse names -- coremltools gives a while_loop's
**    cond and body blocks the same input names;
**  - uses: an op input or a block output names a variable defined before
**    it, in its block or an enclosing one.  Names of a finished nested
**    block are out of scope afterwards.
**
** Messages: "<file>: function 'f': op 'x': <problem>", names quoted with
** diag_quote().  The first problem wins.
*/
#include "mil/validate.h"

#include <stdbool.h>
#include <string.h>

#include "base/diag.h"
#include "mil/lex.h"
#include "base/strmap.h"

/* The state of one function's check.  'defs' maps every name defined so far
** to the scope that defined it; a scope is open while its block is being
** checked, so a name is visible iff its scope is still open. */
struct checker {
	const char *path;
	const struct function *func;
	struct strmap defs;
	struct arena scopes; /* one 'bool open' per block */
	struct mlcc_diag *d;
};

/* Where a check applies: an op (named lazily, only for a message), or a
** place given as text ("input", "output"; "" for the function itself). */
struct site {
	const struct op *op;
	size_t index;	  /* of the op in its block */
	const char *text; /* when 'op' is NULL */
};

/* Fail with "<file>[:LINE:COL]: function 'f': <where>: <what> '<name>'<tail>",
** the op named by model_op_label(). */
static int fail(struct checker *c, const struct site *where, const char *what, const char *name,
		const char *tail)
{
	const struct model_site at = {c->path, c->func, where->op, where->index};
	char qn[DIAG_QUOTE_MAX];

	return model_fail(c->d, MLCC_E_CORRUPT, &at, "%s%s%s '%s'%s", where->op ? "" : where->text,
			  !where->op && *where->text ? ": " : "", what, diag_quote(qn, name), tail);
}

static int check_ident(struct checker *c, const struct site *where, const char *kind,
		       const char *name)
{
	if (mil_is_ident(name))
		return 0;
	return fail(c, where, kind, name, " is not a MIL identifier ([A-Za-z_][A-Za-z0-9_@.]*)");
}

/* Define 'name' in 'scope'. */
static int define(struct checker *c, const struct site *where, const char *name, bool *scope)
{
	const bool *prev = strmap_get(&c->defs, name);
	int rc = check_ident(c, where, "variable name", name);

	if (rc)
		return rc;
	if (prev && *prev)
		return fail(c, where, "variable", name, " is defined twice");
	if (strmap_put(&c->defs, name, scope))
		return diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	return 0;
}

/* True when an op output or block input of 'b' (nested blocks included)
** is named 'name'.  Only called to word an error. */
static bool block_defines(const struct block *b, const char *name)
{
	for (size_t i = 0; i < b->ninputs; i++)
		if (strcmp(b->inputs[i].name, name) == 0)
			return true;
	for (size_t i = 0; i < b->nops; i++) {
		const struct op *op = &b->ops[i];
		for (size_t j = 0; j < op->noutputs; j++)
			if (strcmp(op->outputs[j].name, name) == 0)
				return true;
		for (size_t j = 0; j < op->nblocks; j++)
			if (block_defines(&op->blocks[j], name))
				return true;
	}
	return false;
}

/* 'name' is used at 'where': it must be visible. */
static int use(struct checker *c, const struct site *where, const char *name)
{
	const bool *scope = strmap_get(&c->defs, name);

	if (scope && *scope)
		return 0;
	if (scope)
		return fail(c, where, "variable", name,
			    " is used outside the block that defines it");
	if (block_defines(&c->func->body, name))
		return fail(c, where, "variable", name, " is used before its definition");
	return fail(c, where, "variable", name, " is never defined");
}

static int check_block(struct checker *c, const struct block *b, const struct site *owner);

/* Check one op of a block whose scope is 'scope'. */
static int check_op(struct checker *c, const struct op *op, size_t index, bool *scope)
{
	const struct site here = {op, index, NULL};
	int rc = check_ident(c, &here, "op type", op->type);

	for (size_t i = 0; i < op->ninputs && !rc; i++) {
		const struct argument *a = &op->inputs[i];
		rc = check_ident(c, &here, "parameter name", a->param);
		for (size_t j = 0; j < a->n && !rc; j++)
			if (a->b[j].name)
				rc = use(c, &here, a->b[j].name);
	}
	for (size_t i = 0; i < op->nattrs && !rc; i++)
		rc = check_ident(c, &here, "attribute name", op->attrs[i].key);
	/* Nested blocks see what is defined before the op, not its outputs. */
	for (size_t i = 0; i < op->nblocks && !rc; i++)
		rc = check_block(c, &op->blocks[i], &here);
	for (size_t i = 0; i < op->noutputs && !rc; i++)
		rc = define(c, &here, op->outputs[i].name, scope);
	return rc;
}

/* Check 'b' in a new scope; its names are out of scope afterwards.
** 'owner' is the op holding the block, NULL for a function body. */
static int check_block(struct checker *c, const struct block *b, const struct site *owner)
{
	static const struct site output = {NULL, 0, "output"};
	const struct site *where = owner ? owner : &output;
	bool *scope = arena_alloc(&c->scopes, sizeof *scope);
	int rc = 0;

	if (!scope)
		return diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	*scope = true;
	for (size_t i = 0; i < b->ninputs && !rc; i++)
		rc = define(c, where, b->inputs[i].name, scope);
	for (size_t i = 0; i < b->nops && !rc; i++)
		rc = check_op(c, &b->ops[i], i, scope);
	for (size_t i = 0; i < b->noutputs && !rc; i++)
		rc = use(c, where, b->outputs[i]);
	*scope = false;
	return rc;
}

static int check_function(struct checker *c, const struct function *f)
{
	static const struct site self = {NULL, 0, ""}, input = {NULL, 0, "input"};
	bool *scope = arena_alloc(&c->scopes, sizeof *scope);
	int rc = check_ident(c, &self, "function name", f->name);

	if (!scope)
		return rc ? rc : diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->path);
	*scope = true;
	for (size_t i = 0; i < f->ninputs && !rc; i++)
		rc = define(c, &input, f->inputs[i].name, scope);
	if (!rc)
		rc = check_block(c, &f->body, NULL);
	return rc;
}

/* Function names are unique in a program (the protobuf map allows a key
** twice on the wire; MIL text allows anything). */
static int check_function_names(const struct program *p, const char *path, struct mlcc_diag *d)
{
	struct strmap seen;
	char q[DIAG_QUOTE_MAX];
	int rc = 0;

	strmap_init(&seen);
	for (size_t i = 0; i < p->nfuncs && !rc; i++) {
		const char *name = p->funcs[i].name;
		if (strmap_get(&seen, name))
			rc = diag_fail(d, MLCC_E_CORRUPT, "%s: function '%s' is defined twice",
				       path, diag_quote(q, name));
		else if (strmap_put(&seen, name, (void *)name))
			rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	}
	strmap_free(&seen);
	return rc;
}

static int validate_program(const struct program *p, const char *path, struct mlcc_diag *d)
{
	int rc = check_function_names(p, path, d);

	for (size_t i = 0; i < p->nfuncs && !rc; i++) {
		struct checker c = {.path = path, .func = &p->funcs[i], .d = d};
		strmap_init(&c.defs);
		arena_init(&c.scopes);
		rc = check_function(&c, &p->funcs[i]);
		strmap_free(&c.defs);
		arena_free(&c.scopes);
	}
	return rc;
}

int validate_model(const struct model *m, const char *path, struct mlcc_diag *d)
{
	int rc = m->program ? validate_program(m->program, path, d) : 0;

	for (size_t i = 0; i < m->nchildren && !rc; i++)
		rc = validate_model(m->children[i], path, d);
	return rc;
}
