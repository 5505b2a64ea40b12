/*
** nn_read.c -- a neural-network (espresso) bundle, read as far as its files
** say what the model is.
**
** Layout (corpus compiled/talkie-test-83081395-ggml-tiny.en-encoder;
** docs/spec/nn-compile-plan.md has every observed byte):
**   coremldata.bin                     type 500, compiled version 3.0.0
**                                      "generic", the spec VersionInfo, the
**                                      description, a tail (cd_read.c)
**   model/coremldata.bin               64 zero bytes
**   neural_network_optionals/coremldata.bin
**   model.espresso.net                 JSON: format_version, storage, layers
**   model.espresso.shape               JSON: layer_shapes
**   model.espresso.weights             the weights ("storage")
** The description gives the interface; the espresso files give the layer
** graph, which is summarized here (layer count, types) -- rebuilding the
** NeuralNetwork layers of the source needs the espresso -> NeuralNetwork
** layer mapping, which the corpus cannot prove (no NN source is paired).
*/
#include "bundle/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/diag.h"
#include "base/os.h"

/* espresso JSON files are text descriptions of the graph: tens of MiB at
** most even for large networks. */
#define ESPRESSO_JSON_MAX ((size_t)512 << 20)

static json_t *read_json(const char *root, const char *dir, const char *name, char **path,
			 struct mlcc_diag *d)
{
	uint8_t *text;
	size_t len;
	json_error_t err;
	json_t *j = NULL;

	*path = os_join(dir, name);
	if (!*path) {
		diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	if (os_read_file_in(root, *path, ESPRESSO_JSON_MAX, &text, &len, d) != MLCC_OK)
		return NULL;
	j = json_loadb((const char *)text, len, 0, &err);
	free(text);
	if (!j)
		diag_fail(d, MLCC_E_CORRUPT, "%s:%d: not JSON: %s", *path, err.line, err.text);
	return j;
}

/* Count the layers of model.espresso.net by type, in first-appearance
** order. */
static int summarize_layers(struct arena *a, const char *path, json_t *layers, struct nn_summary *s,
			    struct mlcc_diag *d)
{
	size_t n = json_array_size(layers);
	const char **types = arena_array(a, n + 1, sizeof *types);
	size_t *counts = arena_array(a, n + 1, sizeof *counts);

	if (!types || !counts)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	for (size_t i = 0; i < n; i++) {
		const char *t =
			json_string_value(json_object_get(json_array_get(layers, i), "type"));
		size_t k = 0;
		if (!t)
			return diag_fail(d, MLCC_E_CORRUPT, "%s: layer %zu has no type", path, i);
		while (k < s->ntypes && strcmp(types[k], t) != 0)
			k++;
		if (k == s->ntypes) {
			if (!(types[k] = arena_strdup(a, t)))
				return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
			counts[k] = 0;
			s->ntypes++;
		}
		counts[k]++;
	}
	s->nlayers = n;
	s->types = types;
	s->type_counts = counts;
	return MLCC_OK;
}

static int read_net(struct arena *a, const char *root, const char *dir, struct nn_summary *s,
		    struct mlcc_diag *d)
{
	char *path = NULL;
	json_t *net = read_json(root, dir, "model.espresso.net", &path, d);
	json_t *layers = net ? json_object_get(net, "layers") : NULL;
	const char *storage = net ? json_string_value(json_object_get(net, "storage")) : NULL;
	int rc = d->status;

	if (net &&
	    (!json_is_array(layers) || !json_is_integer(json_object_get(net, "format_version"))))
		rc = diag_fail(d, MLCC_E_CORRUPT,
			       "%s: no \"layers\" array or \"format_version\": not an espresso net",
			       path);
	else if (net) {
		s->format_version = json_integer_value(json_object_get(net, "format_version"));
		s->storage = arena_strdup(a, storage ? storage : "");
		rc = s->storage ? summarize_layers(a, path, layers, s, d)
				: diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	}
	json_decref(net);
	free(path);
	return rc;
}

static int read_shapes(const char *root, const char *dir, struct nn_summary *s, struct mlcc_diag *d)
{
	char *path = NULL;
	json_t *j = read_json(root, dir, "model.espresso.shape", &path, d);
	json_t *shapes = j ? json_object_get(j, "layer_shapes") : NULL;
	int rc = d->status;

	if (j && !json_is_object(shapes))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: no \"layer_shapes\" object", path);
	else if (j)
		s->nshapes = json_object_size(shapes);
	json_decref(j);
	free(path);
	return rc;
}

/* The weights file the net names: its size, or -1 when it is not there
** (public snapshots often lack it: blobs of 4 MiB and more). */
static int weights_size(const char *dir, struct nn_summary *s, struct mlcc_diag *d)
{
	char q[DIAG_QUOTE_MAX];
	struct stat st;
	char *path;

	s->weights_bytes = -1;
	if (!*s->storage || strchr(s->storage, '/') || strcmp(s->storage, "..") == 0)
		return *s->storage ? diag_fail(d, MLCC_E_CORRUPT,
					       "%s: espresso storage '%s' is not a file name", dir,
					       diag_quote(q, s->storage))
				   : MLCC_OK;
	if (!(path = os_join(dir, s->storage)))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		s->weights_bytes = (int64_t)st.st_size;
	free(path);
	return MLCC_OK;
}

int nn_read_dir(struct arena *a, const char *root, const char *dir, const struct cd_file *cd,
		struct model *m, struct mlcc_diag *d)
{
	struct nn_summary *s = arena_alloc(a, sizeof *s);
	int rc;

	if (!s)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	memset(s, 0, sizeof *s);
	memcpy(s->compiled, cd->compiled, sizeof s->compiled);
	s->noutput_names = cd->nnn_names;
	s->output_names = (const char *const *)cd->nn_names;
	rc = read_net(a, root, dir, s, d);
	if (!rc)
		rc = read_shapes(root, dir, s, d);
	if (!rc)
		rc = weights_size(dir, s, d);
	if (rc)
		return rc;
	m->kind = MODEL_NEURAL_NETWORK;
	m->nn = s;
	return MLCC_OK;
}
