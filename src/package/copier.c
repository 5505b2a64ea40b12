/*
** copier.c -- the weights directory copied while the model is compiled.
**
** The thread only reads c->files, c->dir and c->mode, writes c->diag,
** c->rc and c->prog, and polls c->stop; the main thread touches none of
** them until pthread_join() in copier_finish().
*/
#include "package/copier.h"

#include <string.h>

#include "base/diag.h"

static void *copy_thread(void *arg)
{
	struct copier *c = arg;

	c->rc = weights_copy(c->files, c->dir, c->mode, &c->prog, NULL, &c->stats, &c->diag);
	return NULL;
}

void copier_start(struct copier *c, const struct weight_plan *files, const char *dir,
		  enum mlcc_link_mode mode, mlcc_event_fn fn, void *ctx)
{
	memset(c, 0, sizeof *c);
	atomic_init(&c->stop, false);
	diag_clear(&c->diag);
	if (files->nfiles == 0)
		return;
	c->files = files;
	c->dir = dir;
	c->mode = mode;
	c->prog.fn = fn;
	c->prog.ctx = ctx;
	c->prog.stop = &c->stop;
	if (pthread_create(&c->thread, NULL, copy_thread, c) != 0)
		copy_thread(c); /* no thread to be had: copy here, now */
	else
		c->running = true;
}

int copier_finish(struct copier *c, bool cancel)
{
	if (c->running) {
		if (cancel)
			atomic_store(&c->stop, true);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	return c->rc;
}
