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

#include "mlccint.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "base/os.h"
#include "base/progress.h"
#include "mlcc.h"
#include "package/weights.h"

struct copier {
	const struct weight_plan *files; /* what is copied: weights/... */
	const char *dir;		 /* into this directory */
	enum mlcc_link_mode mode;
	struct progress prog;	    /* its 'stop' points at 'stop' */
	struct os_copy_stats stats; /* bytes brought */
	atomic_bool stop;
	struct mlcc_diag diag; /* the thread's own error */
	int rc;
	bool running; /* a thread was started */
	pthread_t thread;
};

/* Start copying 'files' into 'dir' (both must outlive the copier); no
** thread when there is nothing to copy.  Progress events go to 'fn'
** (may be NULL), from the copier's thread. */
void copier_start(struct copier *c, const struct weight_plan *files, const char *dir,
		  enum mlcc_link_mode mode, mlcc_event_fn fn, void *ctx);

/* Wait for the copy; with 'cancel', make it stop first.  Returns its
** status (0 or MLCC_E_*), the message in c->diag.  Idempotent; a copier
** never started (zeroed) returns 0. */
MLCC_MUST_CHECK int copier_finish(struct copier *c, bool cancel);

#endif
