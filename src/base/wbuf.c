/*
** wbuf.c -- growing or streaming output buffers.
*/
#include "base/wbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void wbuf_init(struct wbuf *w)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
}

int wbuf_open_fd(struct wbuf *w, int fd, size_t cap)
{
	wbuf_init(w);
	w->data = malloc(cap);
	if (!w->data)
		return w->err = ENOMEM;
	w->cap = cap;
	w->fd = fd;
	return 0;
}

/* Write 'n' bytes to the descriptor, retrying short writes. */
static int write_all(struct wbuf *w, const unsigned char *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = write(w->fd, p + off, n - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return w->err = errno;
		}
		off += (size_t)k;
	}
	w->flushed += n;
	return 0;
}

int wbuf_flush(struct wbuf *w)
{
	if (w->err || w->fd < 0)
		return w->err;
	if (write_all(w, w->data, w->len))
		return w->err;
	w->len = 0;
	return 0;
}

/* Make room for 'n' more bytes: flush a file buffer, grow a memory one. */
static int reserve(struct wbuf *w, size_t n)
{
	size_t cap;
	unsigned char *p;

	if (w->err)
		return -1;
	if (w->cap - w->len >= n)
		return 0;
	if (w->fd >= 0) {
		if (wbuf_flush(w))
			return -1;
		if (w->cap >= n)
			return 0;
	}
	cap = w->cap ? w->cap : 256;
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2) {
			w->err = ENOMEM;
			return -1;
		}
		cap *= 2;
	}
	p = realloc(w->data, cap);
	if (!p) {
		w->err = ENOMEM;
		return -1;
	}
	w->data = p;
	w->cap = cap;
	return 0;
}

void wbuf_put(struct wbuf *w, const void *p, size_t n)
{
	if (n == 0 || w->err)
		return;
	if (w->fd >= 0 && n >= w->cap) {
		/* Too big to buffer: flush, then write it through. */
		if (!wbuf_flush(w))
			write_all(w, p, n);
		return;
	}
	if (reserve(w, n))
		return;
	memcpy(w->data + w->len, p, n);
	w->len += n;
}

void wbuf_putc(struct wbuf *w, char c)
{
	if (w->len < w->cap && !w->err) {
		w->data[w->len++] = (unsigned char)c;
		return;
	}
	wbuf_put(w, &c, 1);
}

void wbuf_puts(struct wbuf *w, const char *s)
{
	wbuf_put(w, s, strlen(s));
}

void wbuf_put_u64(struct wbuf *w, uint64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	wbuf_put(w, p, (size_t)(tmp + sizeof tmp - p));
}

void wbuf_put_i64(struct wbuf *w, int64_t v)
{
	if (v < 0) {
		wbuf_putc(w, '-');
		wbuf_put_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		wbuf_put_u64(w, (uint64_t)v);
	}
}

void wbuf_printf(struct wbuf *w, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = w->err ? w->err : EINVAL;
		return;
	}
	if ((size_t)n < sizeof small) {
		wbuf_put(w, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		w->err = w->err ? w->err : ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	wbuf_put(w, big, (size_t)n);
	free(big);
}

void wbuf_le32(struct wbuf *w, uint32_t v)
{
	unsigned char b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	wbuf_put(w, b, 4);
}

void wbuf_le64(struct wbuf *w, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	wbuf_put(w, b, 8);
}

void wbuf_free(struct wbuf *w)
{
	free(w->data);
	w->data = NULL;
	w->len = w->cap = 0;
}
