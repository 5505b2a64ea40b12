/*
** corpus.h -- facts about Apple bundles of the corpus that the corpus tests
** share: the compiler that wrote one, weights missing from a snapshot.
*/
#ifndef MLCC_TK_CORPUS_H
#define MLCC_TK_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

/* The stamp to compile with to reproduce the bundle (or mil-text item)
** 'dir', as --coremlc-version/--mil-version values: the buildInfo of its
** first model.mil (its own, else its first child's with one);
** "pre-buildinfo" when that model.mil names no compiler; "pre-metadata"
** for a bundle without model.mil and without metadata.json (Xcode 11
** era); "" (mlcc's default) otherwise.  'mil' is "" when not named. */
void tk_bundle_stamp(const char *dir, char coremlc[32], char mil[32]);

/* True when the model.mil at 'mil_path' references a weight blob. */
bool tk_names_blobs(const char *mil_path);

/* True when an ML-program directory of the bundle (itself or a pipeline
** child) references blobs but has no weights/ (not published). */
bool tk_bundle_lacks_weights(const char *dir);

/* Give every such directory of the (writable) bundle 'dir' stand-in
** weights (standin.h).  Returns how many directories got some, -1 on
** failure. */
int tk_bundle_standins(const char *dir);

/* Stand-in weights under 'root' (a package's @model_path) for every
** model.mil of the bundle 'bundle' (pipeline children included).  Returns
** how many model.mil files named blobs, -1 on failure. */
int tk_standins_into(const char *bundle, const char *root);

/* The modelName of the bundle's analytics (its source spec file's stem:
** "model" for packages), "model" when absent. */
void tk_analytics_model_name(const char *bundle, char *out, size_t n);

/* True when the package (or .mlmodel) 'pkg' that mlcc decompiled is the
** source 'source' again: same model types and specification versions,
** functions in order with their opsets, inputs in order with their types,
** buildInfo entries in order, descriptions byte for byte (metadata
** presence included) up to Apple's random user-metadata order, for every
** model of a pipeline.  Else the first difference is written to 'why'. */
bool tk_decompiled_is_source(const char *source, const char *pkg, char *why, size_t n);

/* A copy of the source package 'src' in directory 'dir' (created if
** needed) with stand-in weights for every model.mil of Apple's 'bundle';
** its path goes to 'out'.  0 or -1. */
int tk_standin_copy(const char *src, const char *bundle, const char *dir, char *out, size_t n);

/* cp -R 'from' 'to', made writable. 0 or -1. */
int tk_copy_tree(const char *from, const char *to);

/* True for a neural-network (espresso) bundle. */
bool tk_is_espresso(const char *dir);

/* mlcc compile 'src' 'outdir' [--coremlc-version V [--mil-version M]]
** [--link hard]; returns the exit status, stderr in '*err'. */
int tk_compile(const char *mlcc, const char *src, const char *outdir, const char *coremlc,
	       const char *mil, bool hard_links, char **err);

#endif
