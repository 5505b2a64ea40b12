/*
** copier.h -- the package's weights directory copied in a thread.
**
** Copying multi-GB weights is most of a compile; reading the specification
** and printing the bundle is the rest.  The files of the weights directory
** do not depend on the model (weights_dir_files), so their copy starts as
** soon as the output's temporary directory exists and runs while the main
** thread reads, checks and prints.  The main thread calls copier_finish()
** before it commits or discards the temporary.
*/
#ifndef MLCC_COPIER_H
#define MLCC_COPIER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "mlcc.h"
#include "package.h"
#include "progress.h"
#include "weights.h"

struct copier {
	struct weight_plan files;  /* what is copied: weights/... */
	char *dir;                 /* into this directory */
	enum mlcc_link_mode mode;
	struct progress prog;      /* its 'stop' points at 'stop' */
	atomic_bool stop;
	struct mlcc_diag diag;     /* the thread's own error */
	int rc;
	bool running;              /* a thread was started */
	pthread_t thread;
};

/* List the weights directory of 'pkg' and start copying it into 'dir'
** (which must outlive the copier).  Listing errors are returned at once;
** a package without weight files starts no thread.  'show' enables the
** progress line. */
int copier_start(struct copier *c, const struct package *pkg,
		 const char *dir, enum mlcc_link_mode mode, bool show,
		 struct mlcc_diag *d);

/* Wait for the copy; with 'cancel', make it stop first.  Returns its
** status (0 or MLCC_E_*), the message in c->diag.  Idempotent. */
int copier_finish(struct copier *c, bool cancel);

/* The files copied (empty when nothing was started). */
const struct weight_plan *copier_files(const struct copier *c);

/* Release the copier (after copier_finish). */
void copier_free(struct copier *c);

#endif
