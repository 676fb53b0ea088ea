/* SPDX-License-Identifier: MIT */
/*
 * Raw records of a tracefs instance's ring buffer, as trace_pipe_raw hands
 * them over: the tracefs eventer reads all of them, the bpf eventer its
 * count of the tracepoint's hits when it recovers what its programs
 * missed. Built with libtraceevent (lib/libtcatrace.la).
 */
#ifndef TCA_TRACE_RECORD_H
#define TCA_TRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <tcp-audit/plugin.h>

struct tep_handle;
struct tep_event;

/* ---- trace-page.c: one ring-buffer sub-buffer, every length checked */

struct trec {
	const void *data;          /* the record: the event's fields */
	size_t size;
	uint64_t ts;               /* trace clock, ns */
};

struct tpage {
	const uint8_t *data;       /* the first event header */
	size_t len;                /* bytes of events, within what was read */
	size_t pos;
	uint64_t ts;
	int64_t missed;            /* events lost before this page; -1: some */
	bool corrupt;              /* a length ran past the page: walk stopped */
};

/* Check the header of the size bytes read (commit_size: the kernel's
 * long); -EBADMSG when the commit runs past them. */
int tpage_load(struct tpage *pg, const void *buf, size_t size, size_t commit_size);
/* 1 and the next data record, or 0 at the end (pg->corrupt if it ended
 * at a bad length). Time extends and padding are consumed on the way. */
int tpage_next(struct tpage *pg, struct trec *rec);

/* ---- trace-decode.c: the event's fields at offsets resolved once at start */

/* No field of the record may end past this (bounds struct tfield). */
#define TDECODE_MAX_SIZE 4096

struct tfield {
	uint16_t offset;
	uint8_t size;
};

struct tep_event;
/* Where field NAME of EV lies, if its size is min..max and one that
 * tfield_num() or a copy can read; *end (if not NULL) grows to the end of
 * the field, so that a record too short for it is refused. */
bool tfield_find(struct tep_event *ev, const char *name, int min, int max, struct tfield *f,
		 size_t *end);

/* A number field, in host order (the kernel writes the record natively). */
static inline uint64_t tfield_num(struct tfield f, const uint8_t *p)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f.size) {
	case 1:
		memcpy(&v8, p + f.offset, 1);
		return v8;
	case 2:
		memcpy(&v16, p + f.offset, 2);
		return v16;
	case 4:
		memcpy(&v32, p + f.offset, 4);
		return v32;
	default:
		memcpy(&v64, p + f.offset, 8);
		return v64;
	}
}

struct tdecode {
	int type_id;
	struct tfield type, flags, pid, skaddr, oldstate, newstate, sport, dport, family,
		protocol, saddr, daddr, saddr_v6, daddr_v6;
	size_t min_size;           /* the record must hold every field */
	bool ipv4_mapped;
};

/* What the attribution needs besides the event record. */
struct traw {
	uint64_t skaddr;
	uint64_t ts;               /* trace clock; set by the caller */
	int pid;                   /* task on the CPU */
	bool process_ctx;          /* not irq, softirq or NMI */
};

int tdecode_init(const struct tca_host *host, struct tep_handle *tep, bool ipv4_mapped,
		 struct tdecode *d);
/* A parser of only what is read: the ring buffer's page header and the
 * state-change event's format, from the tracefs mounted at dir (named in
 * errors), then tdecode_init(). *tep is set even on failure (tep_free). */
int tdecode_load(const struct tca_host *host, const char *dir, bool ipv4_mapped,
		 struct tep_handle **tep, struct tdecode *d);
/* The record's event id (common_type), or -1 if it is too short. */
int tdecode_type(const struct tdecode *d, const void *data, size_t size);
/* 1 if the record is our event and was decoded, 0 to skip it. */
int tdecode_event(const struct tdecode *d, const void *data, size_t size, struct tca_event *ev,
		  struct traw *raw);

#endif
