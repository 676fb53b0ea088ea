/* SPDX-License-Identifier: MIT */
/*
 * Walk one ring-buffer sub-buffer as trace_pipe_raw hands it over
 * (kernel/trace/ring_buffer.c: a page header, then 32-bit event headers),
 * trusting no length in it: the commit size, every record length and the
 * missed-events count are checked against the bytes actually read, and
 * every step moves forward, so a corrupt page ends early (counted) instead
 * of reading past the buffer or looping.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "trace-record.h"

/* The page header: u64 timestamp, then the commit word (a long), whose top
 * bits flag events missed before this page (count stored after the data). */
#define PAGE_TS_SIZE 8
#define PAGE_MISSED_EVENTS (UINT64_C(1) << 31)
#define PAGE_MISSED_STORED (UINT64_C(1) << 30)
#define PAGE_FLAGS (PAGE_MISSED_EVENTS | PAGE_MISSED_STORED)

/* Event header: 5 bits of type_len, 27 bits of time delta. */
#define TYPE_PADDING 29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP 31
#define TS_SHIFT 27
#define TS_MSB (UINT64_C(0x1f) << 59) /* what an absolute stamp leaves out */

static uint64_t page_read(const uint8_t *p, size_t size)
{
	uint64_t v64 = 0;
	uint32_t v32 = 0;

	if (size == 8) {
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return v32;
}

static uint32_t page_read4(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int tpage_load(struct tpage *pg, const void *buf, size_t size, size_t commit_size)
{
	const uint8_t *p = buf;
	size_t hdr = PAGE_TS_SIZE + commit_size;
	uint64_t commit, len;

	memset(pg, 0, sizeof(*pg));
	if ((commit_size != 4 && commit_size != 8) || size < hdr)
		return -EBADMSG;
	pg->ts = page_read(p, 8);
	commit = page_read(p + PAGE_TS_SIZE, commit_size);
	len = commit & ~PAGE_FLAGS;
	if (commit_size == 8)
		len &= UINT32_MAX; /* the flags live in the low word on both sizes */
	if (len > size - hdr)
		return -EBADMSG;
	pg->data = p + hdr;
	pg->len = (size_t)len;
	if (commit & PAGE_MISSED_EVENTS) {
		pg->missed = -1;
		/* The count follows the data when there was room for it. */
		if ((commit & PAGE_MISSED_STORED) && size - hdr - pg->len >= commit_size) {
			uint64_t n = page_read(pg->data + pg->len, commit_size);
			if (n > 0 && n <= INT64_MAX)
				pg->missed = (int64_t)n;
		}
	}
	return 0;
}

int tpage_next(struct tpage *pg, struct trec *rec)
{
	while (pg->pos + 4 <= pg->len) {
		const uint8_t *e = pg->data + pg->pos;
		size_t room = pg->len - pg->pos;
		uint32_t h = page_read4(e), arg;
		unsigned type;
		uint64_t delta;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		type = h >> 27;
		delta = h & ((1u << 27) - 1);
#else
		type = h & 31;
		delta = h >> 5;
#endif
		if (type == TYPE_PADDING && delta == 0)
			break; /* the rest of the page is empty */
		if (type == 0 || type >= TYPE_PADDING) {
			if (room < 8)
				goto corrupt;
			arg = page_read4(e + 4);
		} else {
			arg = 0;
		}
		switch (type) {
		case TYPE_PADDING: /* a discarded event: 4 + arg bytes */
			if (arg < 4 || arg > room - 4)
				goto corrupt;
			pg->ts += delta;
			pg->pos += 4 + ((arg + 3) & ~3u);
			continue;
		case TYPE_TIME_EXTEND:
			pg->ts += ((uint64_t)arg << TS_SHIFT) + delta;
			pg->pos += 8;
			continue;
		case TYPE_TIME_STAMP:
			pg->ts = (pg->ts & TS_MSB) | ((uint64_t)arg << TS_SHIFT) | delta;
			pg->pos += 8;
			continue;
		case 0: /* arg counts itself and the data */
			if (arg < 4 || arg - 4 > room - 8)
				goto corrupt;
			rec->data = e + 8;
			rec->size = arg - 4;
			pg->pos += 8 + (((size_t)arg - 4 + 3) & ~(size_t)3);
			break;
		default:
			if ((size_t)type * 4 > room - 4)
				goto corrupt;
			rec->data = e + 4;
			rec->size = (size_t)type * 4;
			pg->pos += 4 + (size_t)type * 4;
			break;
		}
		pg->ts += delta;
		rec->ts = pg->ts;
		return 1;
	}
	pg->pos = pg->len;
	return 0;
corrupt:
	pg->corrupt = true;
	pg->pos = pg->len;
	return 0;
}
