/*
 * keyorder.h - how Apple's compiler fills each dictionary of metadata.json
 *
 * nsdict.h turns (keys in insertion order, fill mode) into the printed key
 * order.  This module supplies the insertion order and fill mode of every
 * dictionary kind of metadata.json, fitted on the 53 corpus files and the
 * orders documented from 178 public files (docs/spec/metadata-keys.md §7).
 *
 * Easiest use: md_order() with the keys actually present, in any order.
 * Pure C11, libc only, no global state.
 */
#ifndef MLCC_MD_KEYORDER_H
#define MLCC_MD_KEYORDER_H

#include <stdbool.h>

#include "mlccint.h"

#include <stddef.h>

#include "bundle/metadata/nsdict.h"

enum md_dict_kind {
	MD_TOP_LEVEL,	   /* the one object of the top-level array;
			      ML program, pipeline (also NN and
			      classifier bundles) */
	MD_FUNCTION_ENTRY, /* items of "functions" */
	/* inputSchema / outputSchema / stateSchema entries */
	MD_FEATURE_MULTIARRAY,		  /* MultiArray, fixed shape */
	MD_FEATURE_MULTIARRAY_RANGE,	  /* MultiArray, shape range */
	MD_FEATURE_MULTIARRAY_ENUMERATED, /* MultiArray, enumerated shapes */
	MD_FEATURE_IMAGE,		  /* Image, fixed size */
	MD_FEATURE_IMAGE_RANGE,		  /* Image, size range (PREDICTED) */
	MD_FEATURE_IMAGE_ENUMERATED,	  /* Image, enumerated sizes
					     (PREDICTED) */
	MD_FEATURE_STRING,
	MD_FEATURE_DICTIONARY,
	MD_FEATURE_INT64,    /* PREDICTED */
	MD_FEATURE_DOUBLE,   /* PREDICTED */
	MD_FEATURE_SEQUENCE, /* PREDICTED */
	MD_FEATURE_STATE,    /* PREDICTED (key set itself a guess) */
	MD_AVAILABILITY,
	MD_MODEL_TYPE,		       /* "modelType" */
	MD_MODEL_TYPE_STRUCTURE_ENTRY, /* items of modelType.structure */
	MD_HISTOGRAM,		       /* mlProgramOperationTypeHistogram; keys
					  supplied by the caller, see md_order */
	MD_USER_DEFINED,	       /* userDefinedMetadata; keys supplied by the
					  caller in source order (Apple's own order
					  is run-dependent) */
	MD_KIND_COUNT
};

/*
 * md_insertion_order - the global insertion order of `kind`.
 *
 * Returns a static array of *n key names.  Insert the keys actually present,
 * in this relative order, with md_fill_mode() (and, for feature-schema
 * kinds, the initial capacity of md_initial_capacity()).  MD_HISTOGRAM and
 * MD_USER_DEFINED have no fixed key set: they return NULL with *n = 0 (the
 * caller supplies the order).  Unknown kind: NULL, *n = 0.  `n` may be NULL.
 */
const char *const *md_insertion_order(enum md_dict_kind kind, size_t *n);

/*
 * md_fill_mode - fill mode of `kind` for a bundle written by a compiler
 * whose histogram rule is `sorted_histogram` (struct stamp_rules: the
 * compiler releases before 3401, see model/stamp.c).
 *
 * MD_HISTOGRAM: NSDICT_PRESIZED when sorted (and the keys must then be
 * inserted in bytewise-sorted order), else NSDICT_GROWING (keys in order of
 * first appearance).  Feature-schema kinds return NSDICT_GROWING
 * but start from a pre-sized table: use nsdict_order_cap() with
 * md_initial_capacity() (or md_order()); nsdict_order() alone is wrong for
 * them.  Other kinds do not depend on the version.
 */
enum nsdict_fill md_fill_mode(enum md_dict_kind kind, bool sorted_histogram);

/*
 * md_initial_capacity - the capacity the dictionary is created with, to pass
 * to nsdict_order_cap() together with the keys in insertion order.
 *
 * Feature-schema kinds: the number of present keys other than "name",
 * "shortDescription" and "formattedType" (the size of the type's key map,
 * see the .c file).  NSDICT_PRESIZED kinds: n.  Others: 0.
 */
size_t md_initial_capacity(enum md_dict_kind kind, const char *const *keys, const size_t *lens,
			   size_t n, bool sorted_histogram);

/*
 * md_order - printed order of a metadata.json dictionary.
 *
 * keys[0..n) are the keys present (lens may be NULL: NUL-terminated keys).
 * For MD_HISTOGRAM they must be in order of first appearance of each op in
 * the printed function (const skipped); md_order sorts them itself when the
 * compiler's rule calls for it.  For MD_USER_DEFINED they are inserted as given.
 * For every other kind they may come in any order: md_order sorts them into
 * the kind's insertion order.  A key the kind does not list is inserted
 * after the listed ones, in the caller's order (feature-schema kinds: sorted
 * in among the type keys, which is what the mechanism implies).
 *
 * Writes the indices (into keys[]) in printed order to order[0..n).
 * Returns 0; 1 if some key was not listed for the kind (order still
 * written, but it is a guess); -1 on allocation failure or bad kind.
 */
MLCC_MUST_CHECK int md_order(enum md_dict_kind kind, const char *const *keys, const size_t *lens,
			     size_t n, bool sorted_histogram, size_t *order);

/* md_kind_name - short name of a kind for messages ("top-level", ...). */
const char *md_kind_name(enum md_dict_kind kind);

#endif /* MLCC_MD_KEYORDER_H */
