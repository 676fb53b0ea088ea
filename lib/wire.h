/* SPDX-License-Identifier: MIT */
/* The wire encoding of one event, gap, run or name record with its origin: the
 * payload of a message that carries tcp-audit records between hosts (the
 * nats sinker writes it, the nats eventer reads it). Compact, versioned,
 * little-endian; byte by byte in tcp-audit-nats(7). */
#ifndef TCA_LIB_WIRE_H
#define TCA_LIB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tcp-audit/plugin.h"

#define WIRE_VERSION 1

/* The second byte of every record. */
enum wire_type {
	WIRE_EVENT = 1,
	WIRE_GAP = 2,
	WIRE_RUN = 3,
	WIRE_NAME = 4, /* a name record (plugin ABI 2.2) */
};

/* Host names and boot ids are length-prefixed by one byte. */
#define WIRE_STR_MAX 255

/* The optional event fields the encoding knows; a record with any other
 * flag set is malformed. */
#define WIRE_EV_KNOWN \
	(TCA_EV_PID | TCA_EV_NETNS | TCA_EV_CGROUP | TCA_EV_UID | TCA_EV_BYTES | TCA_EV_LIFETIME)

/* Header (version, type) and origin (host, boot id, run id), at most. */
#define WIRE_HEAD_MAX (2 + 1 + WIRE_STR_MAX + 1 + WIRE_STR_MAX + 8)
/* The largest record of each type: a buffer of this size always suffices. */
#define WIRE_EVENT_MAX \
	(WIRE_HEAD_MAX + 8 + 8 + 8 + 4 + 4 + 6 + 32 + (4 + 1 + TCA_COMM_LEN - 1) + 4 + 8 + 8 + 16 + 8)
#define WIRE_GAP_MAX (WIRE_HEAD_MAX + 8 + 8 + 8 + 8 + 4 + 4)
#define WIRE_RUN_MAX (WIRE_HEAD_MAX + 8 + 8 + 8 + 8 + 4)
/* A name's text is length-prefixed by two bytes, at most TCA_NAME_MAX - 1. */
#define WIRE_NAME_MAX (WIRE_HEAD_MAX + 4 + 8 + 8 + 8 + 2 + TCA_NAME_MAX - 1)
#define WIRE_RECORD_MAX WIRE_NAME_MAX

/*
 * Encode one record into buf (cap bytes); nothing is allocated. Returns
 * the length, -ENOBUFS when cap is too small (buf is then undefined), or
 * -EINVAL for what the encoding cannot carry: a missing or empty host, a
 * host or boot id longer than WIRE_STR_MAX, a family other than IPv4 and
 * IPv6, or an unknown flag. What encodes, decodes to the same record.
 * Fields whose flag is clear, and reserved fields, are not sent; they
 * decode as zero. A comm is sent up to its NUL (at most 15 bytes).
 */
ssize_t wire_encode_event(void *buf, size_t cap, const struct tca_origin *origin,
			  const struct tca_event *ev);
/* A gap of origin's host (its run_id may be an earlier run's). */
ssize_t wire_encode_gap(void *buf, size_t cap, const struct tca_origin *origin,
			const struct tca_gap *gap);
/* A run record; its origin is run->origin. */
ssize_t wire_encode_run(void *buf, size_t cap, const struct tca_run *run);
/* A name record of origin's host (name->origin is not sent); -EINVAL for
 * a kind this encoding does not know (above TCA_NAME_KIND_MAX, or 0), or
 * a missing text or one of TCA_NAME_MAX bytes or more. */
ssize_t wire_encode_name(void *buf, size_t cap, const struct tca_origin *origin,
			 const struct tca_name *name);

/* One decoded record. origin (and, for a run, run.origin) points into
 * host and boot_id, and a name's text into text, so the record is
 * self-contained and may be copied only with wire_record_fix() after. */
struct wire_record {
	uint8_t type; /* enum wire_type */
	struct tca_origin origin;
	union {
		struct tca_event ev;
		struct tca_gap gap;
		struct tca_run run;
		struct tca_name name; /* its origin index is 0 */
	} u;
	char host[WIRE_STR_MAX + 1];
	char boot_id[WIRE_STR_MAX + 1];
	char text[TCA_NAME_MAX]; /* a name's */
};

/*
 * Decode one record of exactly len bytes into *rec (fields not sent are
 * zero). Returns 0, or -EBADMSG for anything malformed: an unknown version
 * or type, a length that runs past the end or leaves bytes after it, an
 * unknown flag, family or name kind, an empty host, a name's text of
 * TCA_NAME_MAX bytes or more, or a NUL inside a string, comm or text.
 * Decoding and encoding again gives back the same bytes. Never reads
 * outside buf[0 .. len - 1].
 */
int wire_decode(const void *buf, size_t len, struct wire_record *rec);

/* The length of a record's header (version, type and origin), or 0 when
 * buf does not start with a whole one; two records of one origin have the
 * same header bytes. */
size_t wire_head_len(const void *buf, size_t len);

/* The seq of an encoded event, without decoding the rest: for matching a
 * message to its place in a batch. -EBADMSG when it is not an event. */
int wire_event_seq(const void *buf, size_t len, uint64_t *seq);

/* Point rec's origin pointers back at its own strings (after a memcpy). */
void wire_record_fix(struct wire_record *rec);

#endif
