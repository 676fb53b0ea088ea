/* SPDX-License-Identifier: MIT */
/* Encoding and checking spool segment headers and records. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crc32c.h"
#include "spool-format.h"

void spool_header_make(struct spool_header *h, const struct tca_origin *origin, uint64_t first_seq,
		       uint64_t start_ns, uint64_t prev_run_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, SPOOL_MAGIC, sizeof(h->magic));
	h->version = SPOOL_VERSION;
	h->header_size = sizeof(*h);
	h->run_id = origin->run_id;
	h->first_seq = first_seq;
	h->start_ns = start_ns;
	h->prev_run_id = prev_run_id;
	snprintf(h->host, sizeof(h->host), "%s", origin->host ? origin->host : "");
	snprintf(h->boot_id, sizeof(h->boot_id), "%s", origin->boot_id ? origin->boot_id : "");
	h->crc = crc32c(0, h, offsetof(struct spool_header, crc));
}

int spool_header_check(const struct spool_header *h)
{
	if (memcmp(h->magic, SPOOL_MAGIC, sizeof(h->magic)) != 0 || h->version != SPOOL_VERSION ||
	    h->header_size != sizeof(*h) || h->crc != crc32c(0, h, offsetof(struct spool_header, crc)))
		return -EBADMSG;
	if (!memchr(h->host, '\0', sizeof(h->host)) || !memchr(h->boot_id, '\0', sizeof(h->boot_id)))
		return -EBADMSG;
	return 0;
}

static uint32_t record_crc(uint32_t type, const void *payload, size_t len)
{
	return crc32c(crc32c(0, &type, sizeof(type)), payload, len);
}

void spool_record_make(struct spool_record *r, uint32_t type, const void *payload, size_t len)
{
	*r = (struct spool_record){ .len = (uint32_t)len, .type = type };
	r->crc = record_crc(type, payload, len);
}

bool spool_record_ok(const struct spool_record *r, const void *payload)
{
	return r->crc == record_crc(r->type, payload, r->len);
}

void spool_run_make(struct spool_run *out, const struct tca_run *run)
{
	memset(out, 0, sizeof(*out));
	out->run_id = run->origin.run_id;
	out->prev_run_id = run->prev_run_id;
	out->start_ns = run->start_ns;
	out->end_ns = run->end_ns;
	out->last_seq = run->last_seq;
	out->state = run->state;
	snprintf(out->host, sizeof(out->host), "%s", run->origin.host ? run->origin.host : "");
	snprintf(out->boot_id, sizeof(out->boot_id), "%s", run->origin.boot_id ? run->origin.boot_id : "");
}

void spool_run_get(const struct spool_run *sr, struct tca_run *run)
{
	*run = (struct tca_run){
		.origin = { .host = sr->host, .boot_id = sr->boot_id, .run_id = sr->run_id },
		.prev_run_id = sr->prev_run_id,
		.start_ns = sr->start_ns,
		.end_ns = sr->end_ns,
		.last_seq = sr->last_seq,
		.state = sr->state,
	};
}
