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

size_t spool_name_size(const struct tca_name *name)
{
	return SPOOL_NAME_HEAD + strlen(name->text) + 1;
}

static unsigned char *put_bytes(unsigned char *p, const void *v, size_t n)
{
	memcpy(p, v, n);
	return p + n;
}

size_t spool_name_encode(void *buf, const struct tca_name *name)
{
	uint32_t len = (uint32_t)strlen(name->text);
	unsigned char *p = buf;

	p = put_bytes(p, &name->kind, sizeof(name->kind));
	p = put_bytes(p, &name->id, sizeof(name->id));
	p = put_bytes(p, &name->time_ns, sizeof(name->time_ns));
	p = put_bytes(p, &name->run_id, sizeof(name->run_id));
	p = put_bytes(p, &len, sizeof(len));
	p = put_bytes(p, name->text, (size_t)len + 1);
	return (size_t)(p - (unsigned char *)buf);
}

/* One name at p, with left bytes there. Returns its size, or 0 when it is
 * not a whole, valid one. */
static size_t name_decode(const unsigned char *p, size_t left, struct tca_name *out)
{
	uint32_t len;

	if (left < SPOOL_NAME_HEAD)
		return 0;
	*out = (struct tca_name){ 0 };
	memcpy(&out->kind, p, 4);
	memcpy(&out->id, p + 4, 8);
	memcpy(&out->time_ns, p + 12, 8);
	memcpy(&out->run_id, p + 20, 8);
	memcpy(&len, p + 28, 4);
	if (len >= TCA_NAME_MAX || left - SPOOL_NAME_HEAD < (size_t)len + 1)
		return 0;
	out->text = (const char *)p + SPOOL_NAME_HEAD;
	/* The text ends at its NUL, and there only. */
	if (out->text[len] != '\0' || memchr(out->text, '\0', len))
		return 0;
	if (out->kind < 1 || out->kind > TCA_NAME_KIND_MAX)
		return 0;
	return SPOOL_NAME_HEAD + (size_t)len + 1;
}

int spool_names_decode(const void *buf, size_t len, struct tca_name *out, size_t max)
{
	const unsigned char *p = buf;
	size_t off = 0, n = 0;

	while (off < len) {
		size_t used;
		if (n == max || !(used = name_decode(p + off, len - off, &out[n])))
			return -EBADMSG;
		off += used;
		n++;
	}
	return n ? (int)n : -EBADMSG;
}
