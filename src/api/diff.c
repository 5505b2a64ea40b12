/*
** diff.c -- `mlcc diff A B`: are two models the same?
**
** A and B are packages, .mlmodel files or compiled bundles, in any mix.
** Both are loaded to the source form of the model (load.c) and compared:
**   1. per file, when both are directories of the same form (bundles or
**      packages): same / differs / only in A / only in B;
**   2. semantically: model type, specification version, description
**      (features, metadata), functions (opset, inputs), and every op,
**      compared as its printed model.mil statement with each weight blob
**      replaced by the SHA-256 of its bytes -- so constants, types and
**      weights are compared by value, wherever the blob lies in its file.
** With MLCC_DIFF_INTERFACE only the interface is compared: model type,
** specification version, functions, their opsets and their inputs,
** outputs and states (names, types, shapes, flexibility).
** Equivalent means no semantic difference (file bytes may still differ,
** e.g. by Apple's random user-metadata order).  At most MAX_SHOWN
** differences are printed, all are counted.
*/
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>

#include "base/diag.h"
#include "mil/mil.h"
#include "mil/flexshape.h"
#include "base/os.h"
#include "load/load.h"

#define MAX_SHOWN 20

struct differ {
	FILE *out;
	bool interface_only; /* MLCC_DIFF_INTERFACE: no ops, files, metadata */
	size_t count;	     /* semantic differences */
	struct loaded *side[2];
	char digest[2][65]; /* scratch for blob digests */
	int which;	    /* side whose blob is being printed */
	int err;
};

static void report(struct differ *df, const char *fmt, ...) MLCC_PRINTF(2, 3);

/* One difference, one line: the text is escaped as a whole (diag_put),
** since the names in it come from the two models. */
static void report(struct differ *df, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (df->count++ >= MAX_SHOWN)
		return;
	fputs("  ", df->out);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	diag_put(df->out, line);
	fputc('\n', df->out);
}

/* ---- per-file comparison ------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_files(const char *base, const char *rel, char ***v, size_t *n)
{
	char *dir = *rel ? os_join(base, rel) : strdup(base);
	DIR *dp = dir ? opendir(dir) : NULL;
	struct dirent *e;

	while (dp && (e = readdir(dp)) != NULL) {
		struct stat st;
		char *r, *abs;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = *rel ? os_join(rel, e->d_name) : strdup(e->d_name);
		abs = r ? os_join(base, r) : NULL;
		if (abs && lstat(abs, &st) == 0 && S_ISDIR(st.st_mode)) {
			list_files(base, r, v, n);
			free(r);
		} else if (r) {
			char **p = realloc(*v, (*n + 1) * sizeof *p);
			if (p) {
				*v = p;
				p[(*n)++] = r;
			} else {
				free(r);
			}
		}
		free(abs);
	}
	if (dp)
		closedir(dp);
	free(dir);
}

/* Where the data at or after 'pos' of 'fd' begins: 'size' when only a
** hole is left, 'pos' when the file system cannot tell. */
static off_t next_data(int fd, off_t pos, off_t size)
{
	off_t d = lseek(fd, pos, SEEK_DATA);

	if (d < 0)
		return errno == ENXIO ? size : pos;
	return d < size ? d : size;
}

/* Compare two files of equal size 'size' open on 'fa' and 'fb': blocks of
** data by reading, holes both files share by skipping them (a sparse file
** costs its data, not its size).  1 same, 0 different. */
static int same_content(int fa, int fb, off_t size)
{
	char x[65536], y[65536];
	off_t pos = 0;

	while (pos < size) {
		off_t da = next_data(fa, pos, size), db = next_data(fb, pos, size);
		ssize_t na, nb;
		if (da > pos && db > pos) {
			pos = da < db ? da : db; /* a hole in both: zeros in both */
			continue;
		}
		na = pread(fa, x, sizeof x, pos);
		nb = pread(fb, y, sizeof y, pos);
		if (na <= 0 || na != nb || memcmp(x, y, (size_t)na) != 0)
			return 0;
		pos += na;
	}
	return 1;
}

/* Compare the files 'a' (inside the real path 'ra') and 'b' (inside 'rb'):
** opened by os_open_input, so a FIFO, a device or a symlink out of its
** model is "unreadable", never read.  Returns "same", "differs" or
** "unreadable". */
static const char *compare_files(const char *ra, const char *a, const char *rb, const char *b)
{
	struct mlcc_diag d = {0, ""};
	struct stat sa, sb;
	int fa = -1, fb = -1;
	const char *what = "unreadable";

	if (os_open_input(ra, a, 0, &fa, &sa, &d) == MLCC_OK &&
	    os_open_input(rb, b, 0, &fb, &sb, &d) == MLCC_OK)
		what = sa.st_size == sb.st_size && same_content(fa, fb, sa.st_size) ? "same"
										    : "differs";
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return what;
}

static void diff_files(struct differ *df, const char *a, const char *b)
{
	char **fa = NULL, **fb = NULL, *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	size_t na = 0, nb = 0, i = 0, j = 0;

	list_files(a, "", &fa, &na);
	list_files(b, "", &fb, &nb);
	if (na)
		qsort(fa, na, sizeof *fa, cmp_str);
	if (nb)
		qsort(fb, nb, sizeof *fb, cmp_str);
	fprintf(df->out, "files:\n");
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(fa[i], fb[j]);
		if (c < 0) {
			fputs("  only in A  ", df->out);
			diag_put(df->out, fa[i++]);
			fputc('\n', df->out);
		} else if (c > 0) {
			fputs("  only in B  ", df->out);
			diag_put(df->out, fb[j++]);
			fputc('\n', df->out);
		} else {
			char *pa = os_join(a, fa[i]), *pb = os_join(b, fb[j]);
			fprintf(df->out, "  %-10s ",
				pa && pb ? compare_files(ra, pa, rb, pb) : "differs");
			diag_put(df->out, fa[i]);
			fputc('\n', df->out);
			free(pa);
			free(pb);
			i++;
			j++;
		}
	}
	for (size_t k = 0; k < na; k++)
		free(fa[k]);
	for (size_t k = 0; k < nb; k++)
		free(fb[k]);
	free(fa);
	free(fb);
	free(ra);
	free(rb);
}

/* ---- blobs by content ---------------------------------------------------- */

#define DIGEST_BLOCK 65536

/* Feed a run of 'zeros' all-zero blocks to 'h' as one token. */
static void flush_zeros(struct sha256_ctx *h, uint64_t *zeros)
{
	uint8_t t[9] = {'Z'};

	if (!*zeros)
		return;
	for (int i = 0; i < 8; i++)
		t[1 + i] = (uint8_t)(*zeros >> (8 * i));
	sha256_update(h, sizeof t, t);
	*zeros = 0;
}

/* The digest of the 'bytes' bytes at 'off' of 'fd', by content but at the
** cost of the data: the blob is cut in blocks of DIGEST_BLOCK from its
** start; a block of data is hashed as 'D' + its bytes, a run of all-zero
** blocks as 'Z' + its length, and blocks inside a hole (SEEK_DATA) are
** counted as zeros without being read.  So a sparse 100 GiB blob costs its
** data, and the same content gives the same digest however it is stored.
** False when the file cannot be read. */
static bool digest_blob(int fd, uint64_t off, uint64_t bytes, uint8_t dg[SHA256_DIGEST_SIZE])
{
	static uint8_t zero[DIGEST_BLOCK];
	uint8_t buf[DIGEST_BLOCK], len[8];
	struct sha256_ctx h;
	uint64_t zeros = 0, done = 0;

	sha256_init(&h);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bytes >> (8 * i));
	sha256_update(&h, sizeof len, len);
	while (done < bytes) {
		size_t want = bytes - done < sizeof buf ? (size_t)(bytes - done) : sizeof buf;
		off_t pos = (off_t)(off + done), data = lseek(fd, pos, SEEK_DATA);
		ssize_t n;
		if ((data < 0 && errno == ENXIO) || (data >= 0 && data >= pos + (off_t)want)) {
			/* A hole: whole blocks up to the data (or the end). */
			uint64_t k = data < 0 ? (bytes - done + DIGEST_BLOCK - 1) / DIGEST_BLOCK
					      : (uint64_t)(data - pos) / DIGEST_BLOCK;
			uint64_t skip = k * DIGEST_BLOCK;
			zeros += k;
			done = skip >= bytes - done ? bytes : done + skip;
			continue;
		}
		n = pread(fd, buf, want, pos);
		if (n != (ssize_t)want)
			return false;
		if (memcmp(buf, zero, want) == 0) {
			zeros++;
		} else {
			flush_zeros(&h, &zeros);
			sha256_update(&h, 1, (const uint8_t *)"D");
			sha256_update(&h, want, buf);
		}
		done += want;
	}
	flush_zeros(&h, &zeros);
	sha256_digest(&h, SHA256_DIGEST_SIZE, dg);
	return true;
}

static int cmp_ref_key(const void *key, const void *elt)
{
	const struct weight_ref *a = key, *b = elt;
	int c = strcmp(a->rel, b->rel);

	return c ? c : (a->offset > b->offset) - (a->offset < b->offset);
}

/* The digest of the data of the blob 'v' on side 's' (hex, digest_blob), "?"
** if unreadable. */
static const char *blob_digest(void *ctx, const struct mvalue *v)
{
	struct differ *df = ctx;
	struct loaded *l = df->side[df->which];
	char *out = df->digest[df->which];
	struct weight_ref key = {.rel = v->blob_file + MLCC_MODEL_PATH_PREFIX_LEN,
				 .offset = v->blob_offset};
	struct mlcc_diag od = {0, ""};
	uint8_t dg[SHA256_DIGEST_SIZE];
	const struct weight_ref *r;
	struct stat st;
	char *path;
	bool got;
	int fd;

	strcpy(out, "?");
	/* plan.refs is sorted by (rel, offset). */
	r = l->plan.nrefs ? bsearch(&key, l->plan.refs, l->plan.nrefs, sizeof key, cmp_ref_key)
			  : NULL;
	if (!r || !(path = os_join(l->files->model_path, key.rel)))
		return out;
	if (os_open_input(l->files->root_real, path, 0, &fd, &st, &od) != MLCC_OK)
		fd = -1;
	free(path);
	if (fd < 0)
		return out;
	got = digest_blob(fd, r->data_offset, r->bytes, dg);
	close(fd);
	for (int i = 0; got && i < 32; i++)
		sprintf(out + 2 * i, "%02x", dg[i]);
	return out;
}

/* The statement of 'op' as text, blobs by digest (malloc'd). */
static char *op_text(struct differ *df, int side, const struct op *op, bool v13)
{
	struct wbuf w;

	df->which = side;
	wbuf_init(&w);
	int rc = mil_print_op(&w, op, v13, blob_digest, df);

	wbuf_putc(&w, '\0');
	if (rc || wbuf_error(&w)) {
		df->err = MLCC_E_NOMEM;
		wbuf_free(&w);
		return NULL;
	}
	return (char *)w.data;
}

/* ---- semantic comparison ------------------------------------------------- */

/* Point at where two strings first differ, for short messages. */
static void show_pair(struct differ *df, const char *where, const char *a, const char *b)
{
	size_t k = 0;

	while (a[k] && a[k] == b[k])
		k++;
	size_t from = k > 40 ? k - 40 : 0;
	report(df, "%s: '%.100s' vs '%.100s'", where, a + from, b + from);
}

static void diff_block(struct differ *df, const char *fn, const struct block *a,
		       const struct block *b, bool v13)
{
	char where[512], label[MODEL_LABEL_MAX];
	size_t n = a->nops < b->nops ? a->nops : b->nops;

	for (size_t i = 0; i < n && !df->err; i++) {
		char *ta = op_text(df, 0, &a->ops[i], v13);
		char *tb = op_text(df, 1, &b->ops[i], v13);
		if (ta && tb && strcmp(ta, tb) != 0) {
			snprintf(where, sizeof where, "function '%s': %s", fn,
				 model_op_label(label, &a->ops[i], i));
			show_pair(df, where, ta, tb);
		}
		free(ta);
		free(tb);
	}
	if (a->nops != b->nops)
		report(df, "function '%s': %zu ops vs %zu", fn, a->nops, b->nops);
	for (size_t i = 0; i < a->noutputs && i < b->noutputs; i++)
		if (strcmp(a->outputs[i], b->outputs[i]) != 0)
			report(df, "function '%s': output %zu is '%s' vs '%s'", fn, i,
			       a->outputs[i], b->outputs[i]);
	if (a->noutputs != b->noutputs)
		report(df, "function '%s': %zu outputs vs %zu", fn, a->noutputs, b->noutputs);
}

/* Packed bytes of one feature description, for comparison. */
static int same_feature(const FeatureDescription *a, const FeatureDescription *b)
{
	size_t na = core_ml__specification__feature_description__get_packed_size(a);
	size_t nb = core_ml__specification__feature_description__get_packed_size(b);
	uint8_t *pa, *pb;
	int same;

	if (na != nb)
		return 0;
	pa = malloc(na + 1);
	pb = malloc(nb + 1);
	same = pa && pb;
	if (same) {
		core_ml__specification__feature_description__pack(a, pa);
		core_ml__specification__feature_description__pack(b, pb);
		same = memcmp(pa, pb, na) == 0;
	}
	free(pa);
	free(pb);
	return same;
}

static void diff_features(struct differ *df, const char *fn, const char *role,
			  FeatureDescription **a, size_t na, FeatureDescription **b, size_t nb)
{
	for (size_t i = 0; i < na || i < nb; i++) {
		if (i >= na || i >= nb) {
			report(df, "function '%s': %s '%s' only in %s", fn, role,
			       i < na ? a[i]->name : b[i]->name, i < na ? "A" : "B");
		} else if (strcmp(a[i]->name, b[i]->name) != 0) {
			report(df, "function '%s': %s %zu is '%s' vs '%s'", fn, role, i, a[i]->name,
			       b[i]->name);
		} else if (!same_feature(a[i], b[i])) {
			report(df,
			       "function '%s': %s '%s': description differs (type, shape or flexibility)",
			       fn, role, a[i]->name);
		}
	}
}

static void diff_function(struct differ *df, const struct model *ma, const struct model *mb,
			  const struct function *a, const struct function *b)
{
	struct func_desc da, db;

	if (a->ios != b->ios)
		report(df, "function '%s': opset ios%u vs ios%u", a->name, a->ios, b->ios);
	/* Function inputs are unordered (model.mil prints them sorted). */
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct named_type *x = &a->inputs[i], *y = NULL;
		for (size_t k = 0; k < b->ninputs && !y; k++)
			if (strcmp(b->inputs[k].name, x->name) == 0)
				y = &b->inputs[k];
		if (!y)
			report(df, "function '%s': input '%s' only in A", a->name, x->name);
		else if (!model_same_type(x->type, y->type))
			report(df, "function '%s': input '%s': type differs", a->name, x->name);
	}
	for (size_t k = 0; k < b->ninputs; k++) {
		bool found = false;
		for (size_t i = 0; i < a->ninputs && !found; i++)
			found = strcmp(a->inputs[i].name, b->inputs[k].name) == 0;
		if (!found)
			report(df, "function '%s': input '%s' only in B", a->name,
			       b->inputs[k].name);
	}
	desc_function(ma->desc, a->name, &da);
	desc_function(mb->desc, b->name, &db);
	diff_features(df, a->name, "input", da.inputs, da.ninputs, db.inputs, db.ninputs);
	diff_features(df, a->name, "output", da.outputs, da.noutputs, db.outputs, db.noutputs);
	diff_features(df, a->name, "state", da.states, da.nstates, db.states, db.nstates);
	if (!df->interface_only)
		diff_block(df, a->name, &a->body, &b->body, ma->spec_version >= 9);
}

static const char *str_or(const char *s)
{
	return s ? s : "";
}

static void diff_metadata(struct differ *df, const Metadata *a, const Metadata *b)
{
	static const Metadata none = CORE_ML__SPECIFICATION__METADATA__INIT;

	a = a ? a : &none;
	b = b ? b : &none;
	if (strcmp(str_or(a->shortdescription), str_or(b->shortdescription)))
		report(df, "metadata: shortDescription differs");
	if (strcmp(str_or(a->versionstring), str_or(b->versionstring)))
		report(df, "metadata: version '%s' vs '%s'", a->versionstring, b->versionstring);
	if (strcmp(str_or(a->author), str_or(b->author)))
		report(df, "metadata: author differs");
	if (strcmp(str_or(a->license), str_or(b->license)))
		report(df, "metadata: license differs");
	/* userDefined: compared as a set (Apple shuffles its order). */
	for (size_t i = 0; i < a->n_userdefined; i++) {
		bool found = false;
		for (size_t k = 0; k < b->n_userdefined && !found; k++)
			found = strcmp(a->userdefined[i]->key, b->userdefined[k]->key) == 0 &&
				strcmp(a->userdefined[i]->value, b->userdefined[k]->value) == 0;
		if (!found)
			report(df, "metadata: userDefined '%s' differs", a->userdefined[i]->key);
	}
	if (a->n_userdefined != b->n_userdefined)
		report(df, "metadata: %zu vs %zu userDefined entries", a->n_userdefined,
		       b->n_userdefined);
}

static void diff_model(struct differ *df, const struct model *a, const struct model *b)
{
	if (a->kind != b->kind || a->type_field != b->type_field) {
		report(df, "model type %u vs %u", a->type_field, b->type_field);
		return;
	}
	if (a->spec_version != b->spec_version)
		report(df, "specificationVersion %d vs %d", (int)a->spec_version,
		       (int)b->spec_version);
	if (a->is_updatable != b->is_updatable)
		report(df, "isUpdatable %d vs %d", a->is_updatable, b->is_updatable);
	if (!df->interface_only)
		diff_metadata(df, a->desc->metadata, b->desc->metadata);
	if (strcmp(str_or(a->desc->defaultfunctionname), str_or(b->desc->defaultfunctionname)))
		report(df, "defaultFunctionName '%s' vs '%s'", a->desc->defaultfunctionname,
		       b->desc->defaultfunctionname);
	for (size_t i = 0; a->program && i < a->program->nfuncs; i++) {
		const struct function *f = &a->program->funcs[i];
		const struct function *g = model_find_function(b->program, f->name);
		if (!g)
			report(df, "function '%s' only in A", f->name);
		else
			diff_function(df, a, b, f, g);
	}
	for (size_t i = 0; b->program && i < b->program->nfuncs; i++)
		if (!model_find_function(a->program, b->program->funcs[i].name))
			report(df, "function '%s' only in B", b->program->funcs[i].name);
	for (size_t i = 0; i < a->nchildren && i < b->nchildren; i++)
		diff_model(df, a->children[i], b->children[i]);
	if (a->nchildren != b->nchildren)
		report(df, "%zu vs %zu pipeline models", a->nchildren, b->nchildren);
}

int mlcc_diff(const char *a, const char *b, int flags, FILE *out, int *different,
	      struct mlcc_diag *d)
{
	struct loaded la, lb;
	struct differ df = {.out = out,
			    .side = {&la, &lb},
			    .interface_only = (flags & MLCC_DIFF_INTERFACE) != 0};
	struct stat sa, sb;
	int rc;

	diag_clear(d);
	*different = 0;
	rc = load_input(a, &la, d);
	if (rc) {
		load_free(&la);
		return rc;
	}
	rc = load_input(b, &lb, d);
	if (rc) {
		load_free(&la);
		load_free(&lb);
		return rc;
	}
	fprintf(out, "A: %s (%s)\nB: %s (%s)\n", a, load_form_name(la.form), b,
		load_form_name(lb.form));
	if (!df.interface_only && la.form == lb.form && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    S_ISDIR(sa.st_mode) && S_ISDIR(sb.st_mode))
		diff_files(&df, a, b);
	fprintf(out, "semantic differences:\n");
	diff_model(&df, la.model, lb.model);
	if (df.err)
		rc = diag_fail(d, df.err, "diff: out of memory");
	if (df.count > MAX_SHOWN)
		fprintf(out, "  ... and %zu more\n", df.count - MAX_SHOWN);
	fprintf(out, "%s (%zu semantic difference%s)\n", df.count ? "not equivalent" : "equivalent",
		df.count, df.count == 1 ? "" : "s");
	*different = df.count != 0;
	load_free(&la);
	load_free(&lb);
	return rc;
}
