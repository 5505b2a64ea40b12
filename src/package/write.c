/*
** write.c -- a model written as an .mlpackage directory.
**
** Manifest.json is printed exactly as coremltools' nlohmann JSON dump does
** (4-space indent, keys sorted bytewise, `"key": value`, trailing newline;
** docs/spec/coreml-input.md §1.2): two items, the specification and the weights
** directory, author com.apple.CoreML, with coremltools' names and
** descriptions.  Only the identifiers differ from coremltools, which draws
** random UUIDs: ours are name-based (pkg_item_id), so a package is a pure
** function of its model and weight files.
**
** Like bundles, the package is built in a temporary directory beside the
** target and renamed into place at the end (os_output), and
** weight files are cloned or streamed (os_copy_file), never loaded.
*/
#include "package/pkg_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha1.h>

#include "base/diag.h"
#include "base/os.h"
#include "base/strmap.h"
#include "spec/spec_write.h"

#define AUTHOR "com.apple.CoreML"
#define SPEC_ITEM AUTHOR "/model.mlmodel"
#define WEIGHTS_ITEM AUTHOR "/weights"

/* ---- Manifest.json ------------------------------------------------------ */

void pkg_item_id(const char *path, char out[37])
{
	/* RFC 4122 NameSpace_URL, 6ba7b811-9dad-11d1-80b4-00c04fd430c8. */
	static const uint8_t ns[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
				       0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
	static const char hex[] = "0123456789ABCDEF";
	uint8_t h[SHA1_DIGEST_SIZE];
	struct sha1_ctx ctx;
	char *p = out;

	sha1_init(&ctx);
	sha1_update(&ctx, sizeof ns, ns);
	sha1_update(&ctx, strlen(path), (const uint8_t *)path);
	sha1_digest(&ctx, sizeof h, h);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x50); /* version 5 */
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[h[i] >> 4];
		*p++ = hex[h[i] & 15];
	}
	*p = '\0';
}

/* One item object of itemInfoEntries, indented for its place. */
static int put_item(char *out, size_t n, const char *id, const char *desc, const char *name,
		    const char *path, bool last)
{
	return snprintf(out, n,
			"        \"%s\": {\n"
			"            \"author\": \"" AUTHOR "\",\n"
			"            \"description\": \"%s\",\n"
			"            \"name\": \"%s\",\n"
			"            \"path\": \"%s\"\n"
			"        }%s\n",
			id, desc, name, path, last ? "" : ",");
}

char *pkg_manifest(void)
{
	char spec[37], weights[37], items[2][512];
	size_t n = 1024 + sizeof items;
	char *out = malloc(n);
	bool spec_first;

	if (!out)
		return NULL;
	pkg_item_id(SPEC_ITEM, spec);
	pkg_item_id(WEIGHTS_ITEM, weights);
	spec_first = strcmp(spec, weights) < 0; /* nlohmann: std::map order */
	put_item(items[!spec_first], sizeof items[0], spec, "CoreML Model Specification",
		 "model.mlmodel", SPEC_ITEM, !spec_first);
	put_item(items[spec_first], sizeof items[0], weights, "CoreML Model Weights", "weights",
		 WEIGHTS_ITEM, spec_first);
	snprintf(out, n,
		 "{\n"
		 "    \"fileFormatVersion\": \"1.0.0\",\n"
		 "    \"itemInfoEntries\": {\n"
		 "%s%s"
		 "    },\n"
		 "    \"rootModelIdentifier\": \"%s\"\n"
		 "}\n",
		 items[0], items[1], spec);
	return out;
}

/* ---- checks before anything is written ---------------------------------- */

struct refcheck {
	const struct weight_plan *w;
	struct mlcc_diag *d;
	struct strmap names; /* the weight files' rel paths */
};

/* model_walk callback: every blob names a file of the package. */
static int check_value(void *ctx, const struct model_site *at, const struct mvalue *v)
{
	const struct refcheck *rc = ctx;
	const char *f;
	char q[DIAG_QUOTE_MAX];

	if (v->kind != VAL_BLOB)
		return MLCC_OK;
	f = v->blob_file ? v->blob_file : "";
	if (strncmp(f, MLCC_MODEL_PATH_PREFIX, MLCC_MODEL_PATH_PREFIX_LEN) == 0 &&
	    strmap_get(&rc->names, f + MLCC_MODEL_PATH_PREFIX_LEN))
		return MLCC_OK;
	return model_fail(rc->d, MLCC_E_CORRUPT, at,
			  "BLOBFILE '%s' is not among the weight files of the package",
			  diag_quote(q, f));
}

/* Weight paths are safe, distinct, and leave room for the specification;
** 'names' gets every path (a hash: no quadratic search). */
static int check_weights(const char *origin, const struct weight_plan *w, struct strmap *names,
			 struct mlcc_diag *d)
{
	char q[DIAG_QUOTE_MAX];

	for (size_t i = 0; w && i < w->nfiles; i++) {
		const char *rel = w->files[i].rel;
		if (!rel || !w->files[i].abs || !os_rel_path_safe(rel) ||
		    strcmp(rel, "model.mlmodel") == 0 || strncmp(rel, "model.mlmodel/", 14) == 0)
			return diag_fail(d, MLCC_E_CORRUPT, "%s: invalid weight file path '%s'",
					 origin, rel ? diag_quote(q, rel) : "(null)");
		if (strmap_get(names, rel))
			return diag_fail(d, MLCC_E_USAGE, "%s: weight file '%s' given twice",
					 origin, diag_quote(q, rel));
		if (strmap_put(names, rel, (void *)rel) != 0)
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	}
	return MLCC_OK;
}

/* ---- the package directory ---------------------------------------------- */

/* Create 'dir/name' as a directory. */
static int make_dir(const char *dir, const char *name, struct mlcc_diag *d)
{
	char *p = os_join(dir, name);
	int rc = MLCC_OK;

	if (!p)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	if (mkdir(p, 0777) != 0)
		rc = diag_errno(d, p, "cannot create directory", errno);
	free(p);
	return rc;
}

/* Write 'n' bytes to the new file 'dir/name'. */
static int write_in(const char *dir, const char *name, const void *bytes, size_t n,
		    struct mlcc_diag *d)
{
	char *p = os_join(dir, name);
	int rc;

	if (!p)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	rc = os_write_file(p, bytes, n, d);
	free(p);
	return rc;
}

/* Copy one weight file to 'data/rel', creating its directories; it is read
** only inside 'root' (NULL: anywhere). */
static int copy_weight(const char *data, const char *root, const struct weight_file *f,
		       struct mlcc_diag *d)
{
	char *dst = os_join(data, f->rel), *slash;
	int rc = MLCC_OK;

	if (!dst)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", data);
	slash = strrchr(dst, '/');
	*slash = '\0';
	rc = os_mkdir_p(dst, NULL, d);
	*slash = '/';
	if (!rc)
		rc = os_copy_file(root, f->abs, dst, MLCC_LINK_COPY, NULL, NULL, d);
	free(dst);
	return rc;
}

/* Everything of the package inside the empty directory 'dir'. */
static int fill(const char *dir, const uint8_t *spec, size_t len, const struct weight_plan *w,
		struct mlcc_diag *d)
{
	char *manifest = pkg_manifest(), *data = os_join(dir, "Data/" AUTHOR);
	int rc;

	if (!manifest || !data) {
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		goto out;
	}
	rc = write_in(dir, "Manifest.json", manifest, strlen(manifest), d);
	if (!rc)
		rc = make_dir(dir, "Data", d);
	if (!rc && mkdir(data, 0777) != 0)
		rc = diag_errno(d, data, "cannot create directory", errno);
	if (!rc)
		rc = write_in(data, "model.mlmodel", spec, len, d);
	if (!rc)
		rc = make_dir(data, "weights", d);
	for (size_t i = 0; !rc && w && i < w->nfiles; i++)
		rc = copy_weight(data, w->root_real, &w->files[i], d);
out:
	free(manifest);
	free(data);
	return rc;
}

/* Split 'out_path' into its parent directory and name (malloc'd, trailing
** slashes dropped). */
static int split_target(const char *out_path, char **parent, char **name, struct mlcc_diag *d)
{
	size_t blen;
	const char *base = os_basename(out_path, &blen);

	*parent = *name = NULL;
	if (blen == 0 || (blen == 1 && base[0] == '.') ||
	    (blen == 2 && base[0] == '.' && base[1] == '.') || base[0] == '/')
		return diag_fail(d, MLCC_E_USAGE, "%s: not a valid package path", out_path);
	if (base == out_path)
		*parent = strdup(".");
	else if (base == out_path + 1)
		*parent = strdup("/");
	else
		*parent = strndup(out_path, (size_t)(base - out_path) - 1);
	*name = strndup(base, blen);
	if (!*parent || !*name)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", out_path);
	return MLCC_OK;
}

int pkg_write(const char *out_path, const struct model *m, const struct weight_plan *w,
	      struct mlcc_diag *d)
{
	const char *origin = m->origin ? m->origin : out_path;
	struct refcheck refs = {w, d, {0}};
	struct model_visitor v = {NULL, check_value, &refs};
	char *parent = NULL, *name = NULL;
	struct os_output out = {NULL, NULL, {NULL, -1, -1}, NULL, NULL, -1};
	struct arena a;
	uint8_t *spec;
	size_t len;
	int rc;

	arena_init(&a);
	strmap_init(&refs.names);
	rc = split_target(out_path, &parent, &name, d);
	if (!rc)
		rc = check_weights(origin, w, &refs.names, d);
	if (!rc)
		rc = model_walk(m, origin, &v);
	if (!rc)
		rc = spec_write(m, &a, &spec, &len, d);
	if (!rc)
		rc = os_output_open(&out, parent, name, d);
	if (!rc) {
		rc = fill(out.tmp.path, spec, len, w, d);
		rc = os_output_close(&out, rc, NULL, d);
	}
	free(parent);
	free(name);
	strmap_free(&refs.names);
	arena_free(&a);
	return rc;
}
