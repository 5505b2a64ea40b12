/*
** stamp.h -- the Apple compiler version mlcc claims to be, and the output
** rules of its release.
**
** model.mil's buildInfo names the compiler ("coremlc-version") and its MIL
** component ("coremlc-component-MIL").  Several output rules changed between
** compiler releases (buildInfo itself, the Metadata of coremldata.bin, keys
** and orders of metadata.json): stamp.c's table holds, per known compiler,
** its usual MIL component, those rules and the corpus items that show them.
** A stamp is one row of that table, parsed once.
*/
#ifndef MLCC_STAMP_H
#define MLCC_STAMP_H

#include <stdbool.h>

#include "mlccint.h"

#include "mlcc.h"

/* Stamps of output written by compilers older than buildInfo (model.mil
** names no compiler), accepted by --coremlc-version: "pre-buildinfo"
** writes metadata.json and analytics/, "pre-metadata" (Xcode 11 era)
** neither. */
#define STAMP_PRE_BUILDINFO "pre-buildinfo"
#define STAMP_PRE_METADATA "pre-metadata"

/* What one compiler release writes differently (docs/spec/mlmodelc.md §10
** "Compiler eras"). */
struct stamp_rules {
	bool metadata_json;	/* the bundle has metadata.json */
	bool analytics;		/* the bundle has analytics/coremldata.bin */
	bool pipeline_metadata; /* a pipeline bundle has metadata.json too */
	bool build_info;	/* model.mil's buildInfo names the compiler */
	bool cd_metadata;	/* coremldata.bin's description always has a Metadata */
	bool state_schema;	/* metadata.json has "stateSchema" (empty when no state) */
	bool vision_os;		/* metadata.json's availability lists visionOS */
	bool sorted_histogram;	/* histogram keys inserted sorted into a presized table */
};

struct stamp {
	char coremlc[32];	      /* "3500.32.1"; "" for the eras before buildInfo */
	char mil[32];		      /* "3500.14.1"; "" likewise */
	unsigned major, minor, patch; /* of 'coremlc'; 1.0.0 (older than any) before buildInfo */
	struct stamp_rules rules;
};

/* Fill 's' from the requested versions; NULL picks the newest known
** compiler and the MIL component usually seen with it; STAMP_PRE_* the
** eras before buildInfo (no MIL version then).  Unknown versions are refused
** with a message listing the known ones. */
MLCC_MUST_CHECK int stamp_init(struct stamp *s, const char *coremlc, const char *mil,
			       struct mlcc_diag *d);

/* Fill 's' with the versions a model.mil names, whatever they are (used to
** print a parsed model.mil back): copied verbatim, each shorter than 32
** bytes.  An empty 'coremlc' means the text named no compiler; mil_print()
** then prints no compiler entries (and no buildInfo line when nothing else
** is in it).  major/minor/patch are parsed when the version has the form
** A.B.C, else 0; the rules are those of the newest known compiler not newer
** than it (pre-buildinfo's for an empty 'coremlc').  Refuses only
** versions too long to hold. */
MLCC_MUST_CHECK int stamp_init_any(struct stamp *s, const char *coremlc, const char *mil,
				   struct mlcc_diag *d);

/* Compare the stamp's compiler with major.minor.patch: <0, 0, >0. */
int stamp_cmp(const struct stamp *s, unsigned major, unsigned minor, unsigned patch);

#endif
