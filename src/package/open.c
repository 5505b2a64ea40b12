/*
** open.c -- .mlpackage / .mlmodel input location.
**
** Package rules (docs/spec/coreml-input.md §1.2-1.6): the manifest is Manifest.json
** (a case-insensitive match is accepted, as on macOS); only
** rootModelIdentifier and the root item's 'path' are required (tolerant of
** minimal manifests); the item file is <package>/Data/<path>; identifiers
** are opaque strings.  `@model_path` is the directory of the root model
** file (§1.4).  Nothing outside the package is ever opened: item paths and
** blob paths with "..", absolute paths and symlinks leading out are refused.
*/
#include "package/package.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/diag.h"
#include "base/os.h"

#define MANIFEST "Manifest.json"
#define MANIFEST_MAX (16u << 20)

/* 'name' without its last extension, or without 'ext' when it ends so. */
static char *strip_ext(const char *name, size_t len, const char *ext)
{
	size_t el = strlen(ext);

	if (ext[0] && len > el && strncmp(name + len - el, ext, el) == 0)
		len -= el;
	else if (!ext[0]) {
		for (size_t i = len; i > 0; i--)
			if (name[i - 1] == '.') {
				len = i - 1;
				break;
			}
	}
	return strndup(name, len);
}

/* The manifest's path: exact name first, then a case-insensitive match.
** NULL with errno ENOMEM when out of memory, else ENOENT when absent. */
static char *find_manifest(const char *dir)
{
	char *p = os_join(dir, MANIFEST);
	struct dirent *e;
	DIR *dp;

	if (!p || access(p, F_OK) == 0)
		return p;
	free(p);
	p = NULL;
	dp = opendir(dir);
	if (!dp) {
		errno = errno == ENOMEM ? ENOMEM : ENOENT;
		return NULL;
	}
	errno = ENOENT;
	while ((e = readdir(dp)) != NULL)
		if (strcasecmp(e->d_name, MANIFEST) == 0) {
			p = os_join(dir, e->d_name);
			break;
		}
	int err = p ? 0 : errno == ENOMEM ? ENOMEM : ENOENT;
	closedir(dp);
	errno = err;
	return p;
}

int package_manifest_root(const char *origin, const char *text, size_t len, char **out,
			  struct mlcc_diag *d)
{
	json_error_t jerr;
	json_t *root, *entries, *item, *path;
	const char *id;
	char q[DIAG_QUOTE_MAX], q2[DIAG_QUOTE_MAX];
	int rc = MLCC_OK;

	*out = NULL;
	if (len > MANIFEST_MAX)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: manifest larger than 16 MiB", origin);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: invalid JSON: %s (line %d, column %d)",
				 origin, jerr.text, jerr.line, jerr.column);
	id = json_string_value(json_object_get(root, "rootModelIdentifier"));
	entries = json_object_get(root, "itemInfoEntries");
	item = id ? json_object_get(entries, id) : NULL;
	path = json_object_get(item, "path");
	if (!json_is_object(root))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: not a JSON object", origin);
	else if (!id)
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: rootModelIdentifier is missing", origin);
	else if (!json_is_object(item))
		rc = diag_fail(d, MLCC_E_CORRUPT,
			       "%s: rootModelIdentifier '%s' names no item in itemInfoEntries",
			       origin, diag_quote(q, id));
	else if (!json_is_string(path))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: item '%s' has no path", origin,
			       diag_quote(q, id));
	else if (!os_rel_path_safe(json_string_value(path)))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: item '%s': path '%s' leaves the package",
			       origin, diag_quote(q, id), diag_quote(q2, json_string_value(path)));
	else if (!(*out = strdup(json_string_value(path))))
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	json_decref(root);
	return rc;
}

/* Read the manifest file (inside 'root') and return the root item's path
** (malloc'd). */
static int manifest_root_path(const char *root, const char *mpath, char **out, struct mlcc_diag *d)
{
	uint8_t *text;
	size_t len;
	int rc = os_read_file_in(root, mpath, MANIFEST_MAX, &text, &len, d);

	if (rc)
		return rc;
	rc = package_manifest_root(mpath, (const char *)text, len, out, d);
	free(text);
	return rc;
}

/* The root model file opens as a regular file inside the package (checked
** on the descriptor by os_open_input, which the reader uses again). */
static int check_root_file(const char *root, const char *path, struct mlcc_diag *d)
{
	struct mlcc_diag od = {0, ""};
	struct stat st;
	int fd;

	if (os_open_input(root, path, 0, &fd, &st, &od) == MLCC_OK) {
		close(fd);
		return MLCC_OK;
	}
	if (access(path, F_OK) != 0)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: root model file is missing", path);
	if (strstr(od.message, ": leaves the package (symlink)"))
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: root model file leaves the package (symlink)", path);
	*d = od;
	return d->status;
}

static int open_package(struct package *pkg, const char *input, struct mlcc_diag *d)
{
	char *mpath = find_manifest(input), *rel = NULL, *data;
	size_t blen;
	const char *base;
	int rc;

	if (!mpath && errno == ENOMEM)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
	if (!mpath)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: not a Core ML package: Manifest.json is missing", input);
	rc = manifest_root_path(pkg->files.root_real, mpath, &rel, d);
	free(mpath);
	if (rc)
		return rc;
	data = os_join(input, "Data");
	pkg->files.origin = data ? os_join(data, rel) : NULL;
	free(data);
	if (!pkg->files.origin) {
		free(rel);
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
	}
	free(rel);
	rc = check_root_file(pkg->files.root_real, pkg->files.origin, d);
	if (rc)
		return rc;
	base = os_basename(input, &blen);
	pkg->stem = strip_ext(base, blen, ".mlpackage");
	return pkg->stem ? MLCC_OK : diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
}

int package_open(struct package *pkg, const char *input, struct mlcc_diag *d)
{
	struct stat st;
	const char *base;
	size_t blen;
	char *dir;
	int rc;

	memset(pkg, 0, sizeof *pkg);
	pkg->input = strdup(input);
	if (!pkg->input)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
	if (stat(input, &st) != 0)
		return diag_errno(d, input, "cannot open model", errno);
	pkg->is_package = S_ISDIR(st.st_mode);
	if (pkg->is_package) {
		pkg->files.root_real = realpath(input, NULL);
		if (!pkg->files.root_real)
			return diag_errno(d, input, "cannot resolve", errno);
		rc = open_package(pkg, input, d);
	} else {
		pkg->files.origin = strdup(input);
		base = os_basename(input, &blen);
		pkg->stem = strip_ext(base, blen, ".mlmodel");
		dir = strndup(input, (size_t)(base - input));
		pkg->files.root_real = realpath(dir && *dir ? dir : ".", NULL);
		free(dir);
		if (!pkg->files.origin || !pkg->stem || !pkg->files.root_real)
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
		rc = MLCC_OK;
	}
	if (rc)
		return rc;
	base = os_basename(pkg->files.origin, &blen);
	pkg->spec_name = strip_ext(base, blen, "");
	pkg->files.model_path = strndup(pkg->files.origin, (size_t)(base - pkg->files.origin));
	if (!pkg->spec_name || !pkg->files.model_path)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
	if (!*pkg->files.model_path) {
		free(pkg->files.model_path);
		pkg->files.model_path = strdup("./");
	}
	if (pkg->is_package)
		pkg->files.weights_dir = os_join(pkg->files.model_path, "weights");
	if (!pkg->files.model_path || (pkg->is_package && !pkg->files.weights_dir))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", input);
	return MLCC_OK;
}

int package_resolve_blob(const struct model_files *f, const char *blob_path, const char **rel,
			 char **abs, struct mlcc_diag *d)
{
	size_t n = MLCC_MODEL_PATH_PREFIX_LEN;
	char q[DIAG_QUOTE_MAX];

	*abs = NULL;
	if (strncmp(blob_path, MLCC_MODEL_PATH_PREFIX, n) != 0)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: BLOBFILE path '%s' is not under @model_path", f->origin,
				 diag_quote(q, blob_path));
	*rel = blob_path + n;
	if (!os_rel_path_safe(*rel))
		return diag_fail(d, MLCC_E_CORRUPT, "%s: BLOBFILE path '%s' leaves the package",
				 f->origin, diag_quote(q, blob_path));
	*abs = os_join(f->model_path, *rel);
	if (!*abs)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", f->origin);
	return MLCC_OK;
}

void model_files_free(struct model_files *f)
{
	free(f->origin);
	free(f->model_path);
	free(f->root_real);
	free(f->weights_dir);
	memset(f, 0, sizeof *f);
}

void package_close(struct package *pkg)
{
	free(pkg->input);
	model_files_free(&pkg->files);
	free(pkg->stem);
	free(pkg->spec_name);
	memset(pkg, 0, sizeof *pkg);
}
