/*
** copier.c -- the weights directory copied while the model is compiled.
**
** The thread only reads c->files, c->dir and c->mode, writes c->diag,
** c->rc and c->prog, and polls c->stop; the main thread touches none of
** them until pthread_join() in copier_finish().
*/
#include "copier.h"

#include <string.h>

#include "diag.h"

static void *copy_thread(void *arg)
{
	struct copier *c = arg;

	c->rc = weights_copy(&c->files, c->dir, c->mode, &c->prog, NULL,
			     &c->diag);
	return NULL;
}

int copier_start(struct copier *c, const struct package *pkg,
		 const char *dir, enum mlcc_link_mode mode, bool show,
		 struct mlcc_diag *d)
{
	int rc, err;

	memset(c, 0, sizeof *c);
	atomic_init(&c->stop, false);
	diag_clear(&c->diag);
	rc = weights_dir_files(pkg, &c->files, d);
	if (rc || c->files.nfiles == 0)
		return rc;
	c->dir = (char *)dir;
	c->mode = mode;
	c->prog.enabled = show;
	c->prog.stop = &c->stop;
	err = pthread_create(&c->thread, NULL, copy_thread, c);
	if (err)
		copy_thread(c); /* no thread to be had: copy here, now */
	else
		c->running = true;
	return MLCC_OK;
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

const struct weight_plan *copier_files(const struct copier *c)
{
	return &c->files;
}

void copier_free(struct copier *c)
{
	copier_finish(c, true);
	weights_free(&c->files);
}
