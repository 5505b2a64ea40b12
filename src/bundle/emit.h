/*
** emit.h -- the emitters: one function per file of the compiled bundle.
**
** Each emitter prints one file of OUTDIR/<stem>.mlmodelc from the
** in-memory model.  They never touch weights and never read input files;
** everything they need is in 'struct emit_ctx'.
*/
#ifndef MLCC_EMIT_H
#define MLCC_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "mlcc.h"
#include "model/model.h"
#include "model/stamp.h"
#include "base/wbuf.h"

struct emit_ctx {
	const struct model *model;   /* the model being compiled */
	const struct stamp *stamp;   /* compiler version written out */
	const char *stem;            /* source file stem: "unified_int8" */
	const char *spec_name;       /* spec file stem for analytics: "model" */
	uint8_t spec_sha256[32];     /* SHA-256 of the spec file bytes */
	struct mlcc_diag *diag;
	enum mlcc_link_mode link;    /* how weight files reach the bundle */
	struct progress *progress;   /* for long weight copies, or NULL */
};

/* model.mil (mlmodelc-format.md §4); 'm' must be an ML program. */
int emit_mil(const struct emit_ctx *c, const struct model *m, struct wbuf *w);

/* A MIL string literal body: '"' + escaped text + '"' (§4.6; the escape
** rule is OPEN, see emit_mil.c). */
void emit_mil_string(struct wbuf *w, const char *s);

/* One op statement of model.mil (indent 0, nested blocks included); with
** 'blob_text' set, each blob literal prints as BLOBFILE(<its text>), so
** that callers can compare ops by weight content (mlcc diff). */
int emit_mil_op(struct wbuf *w, const struct op *op, bool v13,
		const char *(*blob_text)(void *ctx, const struct mvalue *v),
		void *ctx);

/* coremldata.bin (§2.2, §2.6); 'm' may be an ML program or a pipeline. */
int emit_coremldata(const struct emit_ctx *c, const struct model *m,
		    struct wbuf *w);

/* modelNames/coremldata.bin of a pipeline with names (§2.7). */
int emit_model_names(const struct emit_ctx *c, const struct model *m,
		     struct wbuf *w);

/* analytics/coremldata.bin (§3) of the top-level model. */
int emit_analytics(const struct emit_ctx *c, struct wbuf *w);

/* metadata.json (§5) of the top-level model. */
int emit_metadata(const struct emit_ctx *c, struct wbuf *w);

/* The compiled version written into coremldata.bin for 'm' (§2.3):
** fills major/minor/patch and returns the variant string. */
const char *emit_compiled_version(const struct model *m, unsigned v[3]);

#endif
