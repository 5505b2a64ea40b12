/*
** stamp.h -- the Apple compiler version mlcc claims to be.
**
** model.mil's buildInfo names the compiler ("coremlc-version") and its MIL
** component ("coremlc-component-MIL"); a few output rules also depend on
** the compiler release (metadata.json key orders, histogram keys).  A stamp
** is that pair, parsed once.
*/
#ifndef MLCC_STAMP_H
#define MLCC_STAMP_H

#include "mlccint.h"

#include "mlcc.h"

struct stamp {
	char coremlc[32];	      /* "3500.32.1" */
	char mil[32];		      /* "3500.14.1" */
	unsigned major, minor, patch; /* of 'coremlc' */
};

/* Fill 's' from the requested versions; NULL picks the newest known
** compiler and the MIL component usually seen with it.  Unknown versions
** are refused with a message listing the known ones. */
MLCC_MUST_CHECK int stamp_init(struct stamp *s, const char *coremlc, const char *mil,
			       struct mlcc_diag *d);

/* Fill 's' with the versions a model.mil names, whatever they are (used to
** print a parsed model.mil back): copied verbatim, each shorter than 32
** bytes.  An empty 'coremlc' means the text named no compiler; mil_print()
** then prints no compiler entries (and no buildInfo line when nothing else
** is in it).  major/minor/patch are parsed when the version has the form
** A.B.C, else 0.  Refuses only versions too long to hold. */
MLCC_MUST_CHECK int stamp_init_any(struct stamp *s, const char *coremlc, const char *mil,
				   struct mlcc_diag *d);

/* Compare the stamp's compiler with major.minor.patch: <0, 0, >0. */
int stamp_cmp(const struct stamp *s, unsigned major, unsigned minor, unsigned patch);

#endif
