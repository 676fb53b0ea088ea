/* SPDX-License-Identifier: MIT */
/* A bounded output cursor for the formatters of the hot path: appending
 * copies bytes or writes digits directly, with no printf parsing per field,
 * and an overflow is remembered once instead of checked at every call. */
#ifndef TCA_LIB_OUTBUF_H
#define TCA_LIB_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct outbuf {
	char *p;
	char *end;     /* one past the last usable byte (room for a NUL kept) */
	bool overflow;
};

static inline struct outbuf outbuf_init(char *buf, size_t size)
{
	return (struct outbuf){ .p = buf, .end = size ? buf + size - 1 : buf, .overflow = !size };
}

static inline void outbuf_mem(struct outbuf *o, const void *s, size_t n)
{
	if ((size_t)(o->end - o->p) < n) {
		o->overflow = true;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

/* A string literal, its length known at compile time. */
#define outbuf_lit(o, s) outbuf_mem((o), (s), sizeof(s) - 1)

static inline void outbuf_str(struct outbuf *o, const char *s)
{
	outbuf_mem(o, s, strlen(s));
}

static inline void outbuf_u64(struct outbuf *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	outbuf_mem(o, tmp + i, sizeof(tmp) - i);
}

static inline void outbuf_i64(struct outbuf *o, int64_t v)
{
	if (v < 0) {
		outbuf_lit(o, "-");
		outbuf_u64(o, (uint64_t)0 - (uint64_t)v);
	} else {
		outbuf_u64(o, (uint64_t)v);
	}
}

/* v in exactly width digits, with leading zeros (v < 10^width). */
static inline void outbuf_digits(struct outbuf *o, uint64_t v, unsigned width)
{
	char tmp[20];

	if (width > sizeof(tmp))
		width = sizeof(tmp);
	for (unsigned i = width; i > 0; i--) {
		tmp[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	outbuf_mem(o, tmp, width);
}

/* Spaces up to column width after start, and at least one after a value
 * that fills it (printf's "%-*s " of the text columns). */
static inline void outbuf_pad(struct outbuf *o, const char *start, size_t width)
{
	size_t used = (size_t)(o->p - start);

	do {
		outbuf_lit(o, " ");
	} while (!o->overflow && ++used < width + 1);
}

/* NUL-terminate; returns the length, or -1 after an overflow. */
static inline int outbuf_finish(struct outbuf *o, char *start)
{
	*o->p = '\0';
	return o->overflow ? -1 : (int)(o->p - start);
}

#endif
