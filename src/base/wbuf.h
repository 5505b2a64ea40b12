/*
** wbuf.h -- an output buffer, in memory or streaming to a file.
**
** Emitters append text and bytes to a wbuf.  A memory wbuf grows; a file
** wbuf (wbuf_open_fd) flushes to its descriptor whenever the buffer fills,
** so emitting a model.mil of any size needs a fixed amount of memory.
** Errors are sticky: after the first failure every append is a no-op and
** wbuf_error() reports the errno; callers check once at the end.
*/
#ifndef MLCC_WBUF_H
#define MLCC_WBUF_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

struct wbuf {
	unsigned char *data;
	size_t len, cap;
	int fd;		  /* -1: memory only */
	int err;	  /* first errno, 0 = fine */
	uint64_t flushed; /* bytes already written to 'fd' */
};

/* A growing in-memory buffer. */
void wbuf_init(struct wbuf *w);

/* A buffer of 'cap' bytes that flushes to 'fd' (not closed by wbuf). */
MLCC_MUST_CHECK int wbuf_open_fd(struct wbuf *w, int fd, size_t cap);

void wbuf_put(struct wbuf *w, const void *p, size_t n);
void wbuf_putc(struct wbuf *w, char c);
void wbuf_puts(struct wbuf *w, const char *s);
void wbuf_put_u64(struct wbuf *w, uint64_t v); /* decimal */
void wbuf_put_i64(struct wbuf *w, int64_t v);  /* decimal */
void wbuf_printf(struct wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Little-endian binary primitives. */
void wbuf_le32(struct wbuf *w, uint32_t v);
void wbuf_le64(struct wbuf *w, uint64_t v);

/* Write what is buffered to the descriptor (file buffers only). */
int wbuf_flush(struct wbuf *w);

/* 0 or the first errno recorded. */
static inline int wbuf_error(const struct wbuf *w)
{
	return w->err;
}

/* Release the buffer memory. */
void wbuf_free(struct wbuf *w);

#endif
