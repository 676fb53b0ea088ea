/* SPDX-License-Identifier: MIT */
/* The on-disk format of spool segments: a header, then records, each
 * with its length and a CRC-32C, so that a torn or damaged tail is found
 * and never replayed. Native byte order: a spool never leaves its host. */
#ifndef TCA_SPOOL_FORMAT_H
#define TCA_SPOOL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

#define SPOOL_MAGIC "TCASPOOL"
#define SPOOL_VERSION 1u

/* Who captured the records of a segment (its struct tca_origin). */
struct spool_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;   /* sizeof(struct spool_header) */
	uint64_t run_id;
	uint64_t first_seq;     /* the first seq the segment was opened for */
	uint64_t start_ns;      /* the run's start, and the run before it: what */
	uint64_t prev_run_id;   /* a damaged segment's run record needs */
	char host[256];
	char boot_id[40];
	uint32_t reserved;
	uint32_t crc;           /* CRC-32C of everything before it */
};

enum spool_type {
	SPOOL_EVENTS = 1,       /* struct tca_event[] */
	SPOOL_GAPS = 2,         /* struct tca_gap[] */
	SPOOL_RUN = 3,          /* struct spool_run */
	SPOOL_NAMES = 4,        /* name records (ABI 2.2), each encoded as below;
				 * a spool of an older version simply has none */
};

/* Each record: this, then len bytes of payload. crc covers type and payload. */
struct spool_record {
	uint32_t len;
	uint32_t crc;
	uint32_t type;          /* enum spool_type */
	uint32_t reserved;
};

/* A run record with its own origin: the records a run still owes may be
 * another run's (the end of the run before it). */
struct spool_run {
	uint64_t run_id;
	uint64_t prev_run_id;
	uint64_t start_ns;
	uint64_t end_ns;
	uint64_t last_seq;
	uint32_t state;
	uint32_t reserved;
	char host[256];
	char boot_id[40];
};

/* The largest payload a record may have: a sane bound to reject a
 * damaged length before reading it. */
#define SPOOL_RECORD_MAX (1024 * sizeof(struct tca_event))

/*
 * A SPOOL_NAMES payload is a sequence of names, each: kind (u32), id,
 * time_ns and run_id (u64 each), len (u32), then len bytes of text and a
 * NUL. At most SPOOL_NAMES_MAX names, and SPOOL_RECORD_MAX bytes, a record.
 */
#define SPOOL_NAME_HEAD (4u + 8u + 8u + 8u + 4u)
#define SPOOL_NAMES_MAX 64

/* The bytes that name takes in a SPOOL_NAMES payload. */
size_t spool_name_size(const struct tca_name *name);
/* Encode name at buf, which has room for spool_name_size(name) bytes.
 * Returns the bytes written. */
size_t spool_name_encode(void *buf, const struct tca_name *name);
/* Decode a payload into out[0..max), whose texts then point into buf.
 * Returns how many, or -EBADMSG when it does not hold whole, valid
 * names (or more than max). */
int spool_names_decode(const void *buf, size_t len, struct tca_name *out, size_t max);

void spool_header_make(struct spool_header *h, const struct tca_origin *origin, uint64_t first_seq,
		       uint64_t start_ns, uint64_t prev_run_id);
/* Returns 0, or -EBADMSG when it is not a segment header of this format. */
int spool_header_check(const struct spool_header *h);
void spool_record_make(struct spool_record *r, uint32_t type, const void *payload, size_t len);
/* Returns whether the payload matches its record header. */
bool spool_record_ok(const struct spool_record *r, const void *payload);
void spool_run_make(struct spool_run *out, const struct tca_run *run);
/* The record as a tca_run whose origin points into sr. */
void spool_run_get(const struct spool_run *sr, struct tca_run *run);

#endif
