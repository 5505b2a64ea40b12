/*
** weights.c -- BLOBFILE checks and weight files of the bundle.
**
** Blob file format (docs/spec/coreml-input.md §3): a 64-byte header, then per blob a
** 64-byte metadata record at BlobFileValue.offset:
**   0  u32 sentinel 0xDEADBEEF      4  u32 blob data type (dtype.c)
**   8  u64 size of the data         16 u64 absolute offset of the data
** A reference is accepted when the record lies inside the file, carries the
** sentinel and the dtype of the referencing tensor, its data lies inside
** the file, and (shape known) the size fits the element count.
**
** Bundle contents (docs/spec/mlmodelc.md §6, VERIFIED 32/32 byte-identical):
** every file keeps its path relative to @model_path; the whole weights
** directory of a package is copied, referenced or not (MEDIUM).
*/
#include "package/weights.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/blobfile.h"
#include "base/diag.h"
#include "base/lfs.h"
#include "base/os.h"
#include "base/strmap.h"

/* One reference, with the place it comes from for messages. */
struct ref {
	const struct mvalue *v;
	struct model_site at;
	size_t file; /* index into plan->files */
};

struct walker {
	const struct model_files *files;
	struct weight_plan *plan;
	struct mlcc_diag *d;
	struct ref *refs;
	size_t nrefs, cap;
	struct strmap index; /* rel -> index + 1 in plan->files */
};

/* ---- the file list ------------------------------------------------------ */

/* Index of 'rel' in the plan, adding it when new; (size_t)-1 on failure.
** 'index' (rel -> index + 1) finds it in constant time and the array grows
** geometrically, so listing n files costs O(n), not O(n^2). */
static size_t plan_add(struct weight_plan *plan, struct strmap *index, const char *rel,
		       const char *abs)
{
	struct weight_file *f;
	void *known = strmap_get(index, rel);

	if (known)
		return (size_t)((uintptr_t)known - 1);
	if (plan->nfiles == plan->cap) {
		size_t cap = plan->cap ? 2 * plan->cap : 16;
		if (cap > SIZE_MAX / sizeof *f)
			return (size_t)-1;
		f = realloc(plan->files, cap * sizeof *f);
		if (!f)
			return (size_t)-1;
		plan->files = f;
		plan->cap = cap;
	}
	f = plan->files + plan->nfiles;
	f->rel = strdup(rel);
	f->abs = strdup(abs);
	f->size = 0;
	if (!f->rel || !f->abs ||
	    strmap_put(index, f->rel, (void *)(uintptr_t)(plan->nfiles + 1)) != 0) {
		free(f->rel);
		free(f->abs);
		return (size_t)-1;
	}
	return plan->nfiles++;
}

struct lister {
	struct weight_plan *plan;
	struct mlcc_diag *d;
	struct strmap index;
};

/* os_walk callback: one file of a weights directory. */
static int add_file(void *ctx, const char *abs, const char *rel, const struct stat *st)
{
	struct lister *l = ctx;

	if (!S_ISREG(st->st_mode))
		return diag_fail(l->d, MLCC_E_CORRUPT, "%s: is %s, not a regular file", abs,
				 os_file_kind(st->st_mode));
	if (plan_add(l->plan, &l->index, rel, abs) == (size_t)-1)
		return diag_fail(l->d, MLCC_E_NOMEM, "%s: out of memory", abs);
	return MLCC_OK;
}

static int cmp_file(const void *a, const void *b);

int weights_list_dir(const char *dir, const char *rel, const char *root_real,
		     struct weight_plan *plan, struct mlcc_diag *d)
{
	struct lister l = {plan, d, {0}};
	int rc;

	strmap_init(&l.index);
	if (root_real && !plan->root_real && !(plan->root_real = strdup(root_real)))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	/* Files listed before (another pipeline child's) are known. */
	for (size_t i = 0; i < plan->nfiles; i++)
		if (strmap_put(&l.index, plan->files[i].rel, (void *)(uintptr_t)(i + 1)) != 0) {
			strmap_free(&l.index);
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		}
	plan->cap = plan->nfiles; /* grows from here */
	rc = os_walk(dir, rel, root_real, add_file, &l, d);
	strmap_free(&l.index);
	if (!rc && plan->nfiles)
		qsort(plan->files, plan->nfiles, sizeof *plan->files, cmp_file);
	return rc;
}

/* ---- collecting references ---------------------------------------------- */

static int ref_fail(struct walker *w, const struct ref *r, int status, const char *what)
{
	char q[DIAG_QUOTE_MAX];

	return model_fail(w->d, status, &r->at, "BLOBFILE '%s' offset %llu: %s",
			  diag_quote(q, r->v->blob_file), (unsigned long long)r->v->blob_offset,
			  what);
}

/* model_walk callback: a blob value is a reference to check. */
static int add_ref(void *ctx, const struct model_site *at, const struct mvalue *v)
{
	struct walker *w = ctx;
	const char *rel;
	char *abs;
	size_t idx;
	int rc;

	if (v->kind != VAL_BLOB)
		return MLCC_OK;
	rc = package_resolve_blob(w->files, v->blob_file, &rel, &abs, w->d);
	if (rc)
		return rc;
	idx = plan_add(w->plan, &w->index, rel, abs);
	free(abs);
	if (idx == (size_t)-1)
		return diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", w->files->origin);
	if (w->nrefs == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct ref *p = realloc(w->refs, cap * sizeof *p);
		if (!p)
			return diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", w->files->origin);
		w->refs = p;
		w->cap = cap;
	}
	w->refs[w->nrefs++] = (struct ref){v, *at, idx};
	return MLCC_OK;
}

/* How inspect names an op: its "name" attribute, else its type. */
static const char *op_name(const struct op *op)
{
	const char *s = model_value_string(model_attr(op->attrs, op->nattrs, "name"));

	return s ? s : op->type;
}

/* ---- checking references ------------------------------------------------ */

static int check_ref(struct walker *w, const struct ref *r, int fd, uint64_t fsize,
		     struct weight_ref *out)
{
	uint8_t rec[BLOB_RECORD];
	uint64_t off = r->v->blob_offset;
	int64_t count = model_tensor_count(r->v->type);
	struct blob_record br;
	const char *bad;
	char msg[200];

	/* A shape whose element count overflows cannot match any blob; it
	** must not pass as "shape unknown" (-1), which skips the size check. */
	if (count == -2)
		return ref_fail(w, r, MLCC_E_CORRUPT,
				"the tensor's shape has more than 2^63 elements");
	if (fsize < BLOB_RECORD || off > fsize - BLOB_RECORD) {
		snprintf(msg, sizeof msg, "blob record beyond the end of the file (%llu bytes)",
			 (unsigned long long)fsize);
		return ref_fail(w, r, MLCC_E_CORRUPT, msg);
	}
	if (pread(fd, rec, sizeof rec, (off_t)off) != (ssize_t)sizeof rec)
		return ref_fail(w, r, MLCC_E_IO, "cannot read the blob record");
	blob_record_decode(rec, &br);
	bad = blob_record_check(&br, fsize, r->v->type->dtype, count, msg, sizeof msg);
	if (bad)
		return ref_fail(w, r, MLCC_E_CORRUPT, bad);
	*out = (struct weight_ref){w->plan->files[r->file].rel,
				   off,
				   r->v->type->dtype,
				   br.data_offset,
				   br.size,
				   count,
				   r->at.func ? r->at.func->name : "",
				   r->at.op ? op_name(r->at.op) : ""};
	return MLCC_OK;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->v->blob_offset != y->v->blob_offset)
		return x->v->blob_offset < y->v->blob_offset ? -1 : 1;
	return 0;
}

/* Open the weight file 'f' of the reference 'r' (os_open_input: inside
** the package, a regular file); errors are the reference's, with what
** os_open_input said about the file. */
static int open_weights(struct walker *w, const struct ref *r, const struct weight_file *f, int *fd,
			struct stat *st)
{
	struct mlcc_diag od = {0, ""};
	size_t n = strlen(f->abs);
	const char *what = od.message;

	if (os_open_input(w->files->root_real, f->abs, 0, fd, st, &od) == MLCC_OK) {
		/* 64-byte reads all over the file: no read-ahead, which
		** would compete with the copy streaming the same file. */
		(void)posix_fadvise(*fd, 0, 0, POSIX_FADV_RANDOM);
		return MLCC_OK;
	}
	if (access(f->abs, F_OK) != 0 && errno == ENOENT)
		return ref_fail(w, r, MLCC_E_CORRUPT, "weight file is missing");
	if (strncmp(what, f->abs, n) == 0 && what[n] == ':' && what[n + 1] == ' ')
		what += n + 2;
	if (strcmp(what, "leaves the package (symlink)") == 0)
		what = "weight file leaves the package (symlink)";
	return ref_fail(w, r, od.status, what);
}

/* Check the references, grouped by file so each file is opened once. */
static int check_refs(struct walker *w)
{
	int fd = -1, rc = MLCC_OK;
	size_t cur = (size_t)-1;
	struct stat st;

	if (w->nrefs)
		qsort(w->refs, w->nrefs, sizeof *w->refs, cmp_ref);
	w->plan->refs = calloc(w->nrefs + 1, sizeof *w->plan->refs);
	if (!w->plan->refs)
		return diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", w->files->origin);
	for (size_t i = 0; i < w->nrefs && !rc; i++) {
		const struct ref *r = &w->refs[i];
		struct weight_file *f = &w->plan->files[r->file];
		if (r->file != cur) {
			if (fd >= 0)
				close(fd);
			cur = r->file;
			rc = open_weights(w, r, f, &fd, &st);
			if (rc)
				return rc;
			f->size = (uint64_t)st.st_size;
			uint8_t head[64];
			ssize_t got = pread(fd, head, sizeof head, 0);
			if (got > 0 && lfs_pointer(head, (size_t)got)) {
				close(fd);
				return ref_fail(
					w, r, MLCC_E_CORRUPT,
					"weight file is a Git LFS pointer, not the weights: "
					"run git lfs pull");
			}
		}
		if (i > 0 && cmp_ref(r, r - 1) == 0 && r->v->type->dtype == r[-1].v->type->dtype &&
		    model_tensor_count(r->v->type) == model_tensor_count(r[-1].v->type))
			continue; /* same blob, same type: checked already */
		rc = check_ref(w, r, fd, f->size, &w->plan->refs[w->plan->nrefs]);
		if (!rc)
			w->plan->nrefs++;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct weight_file *)a)->rel, ((const struct weight_file *)b)->rel);
}

static int cmp_weight_ref(const void *a, const void *b)
{
	const struct weight_ref *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);

	if (c)
		return c;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

int weights_dir_files(const struct model_files *f, struct weight_plan *plan, struct mlcc_diag *d)
{
	memset(plan, 0, sizeof *plan);
	if (!f->weights_dir)
		return MLCC_OK;
	return weights_list_dir(f->weights_dir, "weights", f->root_real, plan, d);
}

/* The weights directory's files into 'plan': those of 'listed' when given
** (listed once by the caller), else listed now. */
static int add_dir_files(struct walker *w, const struct weight_plan *listed)
{
	struct weight_plan own;
	int rc = MLCC_OK;

	if (!listed) {
		rc = weights_dir_files(w->files, &own, w->d);
		listed = &own;
	}
	for (size_t i = 0; i < listed->nfiles && !rc; i++)
		if (plan_add(w->plan, &w->index, listed->files[i].rel, listed->files[i].abs) ==
		    (size_t)-1)
			rc = diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", w->files->origin);
	if (listed == &own)
		weights_free(&own);
	return rc;
}

int weights_plan(const struct model_files *f, const struct model *m,
		 const struct weight_plan *listed, struct weight_plan *plan, struct mlcc_diag *d)
{
	struct walker w = {f, plan, d, NULL, 0, 0, {0}};
	struct model_visitor v = {NULL, add_ref, &w};
	int rc;

	memset(plan, 0, sizeof *plan);
	strmap_init(&w.index);
	if (f->root_real && !(plan->root_real = strdup(f->root_real)))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", f->origin);
	rc = model_walk(m, f->origin, &v);
	if (!rc)
		rc = check_refs(&w);
	if (!rc)
		rc = add_dir_files(&w, listed);
	free(w.refs);
	strmap_free(&w.index);
	if (!rc && plan->nfiles)
		qsort(plan->files, plan->nfiles, sizeof *plan->files, cmp_file);
	if (!rc && plan->nrefs)
		qsort(plan->refs, plan->nrefs, sizeof *plan->refs, cmp_weight_ref);
	return rc;
}

/* True when 'plan' lists 'rel' (plan->files is sorted). */
static bool plan_has(const struct weight_plan *plan, const char *rel)
{
	struct weight_file key = {(char *)rel, NULL, 0};

	return plan && plan->nfiles &&
	       bsearch(&key, plan->files, plan->nfiles, sizeof key, cmp_file);
}

int weights_copy(const struct weight_plan *plan, const char *dir, enum mlcc_link_mode mode,
		 struct progress *prog, const struct weight_plan *skip, struct os_copy_stats *stats,
		 struct mlcc_diag *d)
{
	for (size_t i = 0; i < plan->nfiles; i++) {
		char *dst, *slash;
		int rc;
		if (plan_has(skip, plan->files[i].rel))
			continue;
		dst = os_join(dir, plan->files[i].rel);
		if (!dst)
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		slash = strrchr(dst, '/');
		*slash = '\0';
		rc = os_mkdir_p(dst, NULL, d);
		*slash = '/';
		if (!rc)
			rc = os_copy_file(plan->root_real, plan->files[i].abs, dst, mode, prog,
					  stats, d);
		free(dst);
		if (rc)
			return rc;
	}
	return MLCC_OK;
}

void weights_free(struct weight_plan *plan)
{
	for (size_t i = 0; i < plan->nfiles; i++) {
		free(plan->files[i].rel);
		free(plan->files[i].abs);
	}
	free(plan->files);
	free(plan->refs);
	free(plan->root_real);
	memset(plan, 0, sizeof *plan);
}
