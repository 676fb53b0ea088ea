/* SPDX-License-Identifier: MIT */
/* The wire encoding of one event, gap or run record with its origin: the
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
#define WIRE_RECORD_MAX WIRE_EVENT_MAX

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

/* One decoded record. origin (and, for a run, run.origin) points into
 * host and boot_id, so the record is self-contained and may be copied
 * only with wire_record_fix() after. */
struct wire_record {
	uint8_t type; /* enum wire_type */
	struct tca_origin origin;
	union {
		struct tca_event ev;
		struct tca_gap gap;
		struct tca_run run;
	} u;
	char host[WIRE_STR_MAX + 1];
	char boot_id[WIRE_STR_MAX + 1];
};

/*
 * Decode one record of exactly len bytes into *rec (fields not sent are
 * zero). Returns 0, or -EBADMSG for anything malformed: an unknown version
 * or type, a length that runs past the end or leaves bytes after it, an
 * unknown flag or family, an empty host, or a NUL inside a string or
 * comm. Decoding and encoding again gives back the same bytes. Never reads outside buf[0 .. len - 1].
 */
int wire_decode(const void *buf, size_t len, struct wire_record *rec);

/* Point rec's origin pointers back at its own strings (after a memcpy). */
void wire_record_fix(struct wire_record *rec);

#endif
