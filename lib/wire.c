/* SPDX-License-Identifier: MIT */
/* The wire encoding of records (wire.h): a bounded little-endian writer
 * and a reader that checks every length before it reads. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "wire.h"

/* ---- writing --------------------------------------------------------- */

struct wbuf {
	uint8_t *p;
	uint8_t *end;
	bool overflow; /* remembered once, checked once at the end */
};

static void w_mem(struct wbuf *w, const void *s, size_t n)
{
	if ((size_t)(w->end - w->p) < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p, s, n);
	w->p += n;
}

static void w_u8(struct wbuf *w, uint8_t v)
{
	w_mem(w, &v, 1);
}

static void w_le(struct wbuf *w, uint64_t v, unsigned bytes)
{
	uint8_t b[8];

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w_mem(w, b, bytes);
}

static void w_str(struct wbuf *w, const char *s, size_t len)
{
	w_u8(w, (uint8_t)len);
	w_mem(w, s, len);
}

static int origin_check(const struct tca_origin *o, size_t *host_len, size_t *boot_len)
{
	if (!o || !o->host || !o->host[0])
		return -EINVAL;
	*host_len = strlen(o->host);
	*boot_len = o->boot_id ? strlen(o->boot_id) : 0;
	if (*host_len > WIRE_STR_MAX || *boot_len > WIRE_STR_MAX)
		return -EINVAL;
	return 0;
}

/* Version, type and origin: the first bytes of every record. */
static int w_head(struct wbuf *w, uint8_t type, const struct tca_origin *o)
{
	size_t host_len, boot_len;
	int r = origin_check(o, &host_len, &boot_len);

	if (r < 0)
		return r;
	w_u8(w, WIRE_VERSION);
	w_u8(w, type);
	w_str(w, o->host, host_len);
	w_str(w, o->boot_id, boot_len);
	w_le(w, o->run_id, 8);
	return 0;
}

static ssize_t w_done(const struct wbuf *w, const void *buf)
{
	return w->overflow ? -ENOBUFS : (ssize_t)(w->p - (const uint8_t *)buf);
}

static size_t addr_len(uint8_t family)
{
	return family == TCA_FAMILY_IPV4 ? 4 : 16;
}

ssize_t wire_encode_event(void *buf, size_t cap, const struct tca_origin *origin,
			  const struct tca_event *ev)
{
	struct wbuf w = { .p = buf, .end = (uint8_t *)buf + cap };
	size_t alen = addr_len(ev->family);
	int r;

	if ((ev->flags & ~(uint32_t)WIRE_EV_KNOWN) ||
	    (ev->family != TCA_FAMILY_IPV4 && ev->family != TCA_FAMILY_IPV6))
		return -EINVAL;
	r = w_head(&w, WIRE_EVENT, origin);
	if (r < 0)
		return r;
	w_le(&w, ev->seq, 8);
	w_le(&w, ev->time_ns, 8);
	w_le(&w, ev->sock, 8);
	w_le(&w, ev->flags, 4);
	w_u8(&w, ev->family);
	w_u8(&w, ev->oldstate);
	w_u8(&w, ev->newstate);
	w_u8(&w, ev->owner);
	w_le(&w, ev->protocol, 2);
	w_le(&w, ev->sport, 2);
	w_le(&w, ev->dport, 2);
	w_mem(&w, ev->saddr, alen);
	w_mem(&w, ev->daddr, alen);
	if (ev->flags & TCA_EV_PID) {
		w_le(&w, (uint32_t)ev->pid, 4);
		w_str(&w, ev->comm, strnlen(ev->comm, TCA_COMM_LEN - 1));
	}
	if (ev->flags & TCA_EV_UID)
		w_le(&w, ev->uid, 4);
	if (ev->flags & TCA_EV_NETNS)
		w_le(&w, ev->netns, 8);
	if (ev->flags & TCA_EV_CGROUP)
		w_le(&w, ev->cgroup, 8);
	if (ev->flags & TCA_EV_BYTES) {
		w_le(&w, ev->bytes_sent, 8);
		w_le(&w, ev->bytes_received, 8);
	}
	if (ev->flags & TCA_EV_LIFETIME)
		w_le(&w, ev->lifetime_ns, 8);
	return w_done(&w, buf);
}

ssize_t wire_encode_gap(void *buf, size_t cap, const struct tca_origin *origin,
			const struct tca_gap *gap)
{
	struct wbuf w = { .p = buf, .end = (uint8_t *)buf + cap };
	int r = w_head(&w, WIRE_GAP, origin);

	if (r < 0)
		return r;
	w_le(&w, gap->run_id, 8);
	w_le(&w, gap->first_seq, 8);
	w_le(&w, gap->count, 8);
	w_le(&w, gap->time_ns, 8);
	w_le(&w, gap->reason, 4);
	w_le(&w, (uint32_t)gap->cpu, 4);
	return w_done(&w, buf);
}

ssize_t wire_encode_run(void *buf, size_t cap, const struct tca_run *run)
{
	struct wbuf w = { .p = buf, .end = (uint8_t *)buf + cap };
	int r = w_head(&w, WIRE_RUN, &run->origin);

	if (r < 0)
		return r;
	w_le(&w, run->prev_run_id, 8);
	w_le(&w, run->start_ns, 8);
	w_le(&w, run->end_ns, 8);
	w_le(&w, run->last_seq, 8);
	w_le(&w, run->state, 4);
	return w_done(&w, buf);
}

/* A cgroup path may be longer than a byte can count, hence two. */
ssize_t wire_encode_name(void *buf, size_t cap, const struct tca_origin *origin,
			 const struct tca_name *name)
{
	struct wbuf w = { .p = buf, .end = (uint8_t *)buf + cap };
	size_t text_len;
	int r;

	if (name->kind == 0 || name->kind > TCA_NAME_KIND_MAX || !name->text)
		return -EINVAL;
	text_len = strnlen(name->text, TCA_NAME_MAX);
	if (text_len >= TCA_NAME_MAX)
		return -EINVAL;
	r = w_head(&w, WIRE_NAME, origin);
	if (r < 0)
		return r;
	w_le(&w, name->kind, 4);
	w_le(&w, name->id, 8);
	w_le(&w, name->time_ns, 8);
	w_le(&w, name->run_id, 8);
	w_le(&w, text_len, 2);
	w_mem(&w, name->text, text_len);
	return w_done(&w, buf);
}

/* ---- reading --------------------------------------------------------- */

struct rbuf {
	const uint8_t *p;
	const uint8_t *end;
	bool bad; /* a read ran past the end or met a bad value */
};

static void r_mem(struct rbuf *b, void *d, size_t n)
{
	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = true;
		memset(d, 0, n);
		return;
	}
	memcpy(d, b->p, n);
	b->p += n;
}

static uint8_t r_u8(struct rbuf *b)
{
	uint8_t v;

	r_mem(b, &v, 1);
	return v;
}

static uint64_t r_le(struct rbuf *b, unsigned bytes)
{
	uint8_t v[8];
	uint64_t x = 0;

	r_mem(b, v, bytes);
	for (unsigned i = 0; i < bytes; i++)
		x |= (uint64_t)v[i] << (8 * i);
	return x;
}

/* A length-prefixed string into d (room for max bytes and a NUL); a NUL
 * inside would silently shorten it, so it is malformed. */
static size_t r_str(struct rbuf *b, char *d, size_t max)
{
	size_t len = r_u8(b);

	if (len > max)
		b->bad = true;
	if (b->bad) {
		d[0] = '\0';
		return 0;
	}
	r_mem(b, d, len);
	d[b->bad ? 0 : len] = '\0';
	if (!b->bad && memchr(d, '\0', len))
		b->bad = true;
	return len;
}

static void r_event(struct rbuf *b, struct tca_event *ev)
{
	size_t alen;

	ev->seq = r_le(b, 8);
	ev->time_ns = r_le(b, 8);
	ev->sock = r_le(b, 8);
	ev->flags = (uint32_t)r_le(b, 4);
	ev->family = r_u8(b);
	ev->oldstate = r_u8(b);
	ev->newstate = r_u8(b);
	ev->owner = r_u8(b);
	ev->protocol = (uint16_t)r_le(b, 2);
	ev->sport = (uint16_t)r_le(b, 2);
	ev->dport = (uint16_t)r_le(b, 2);
	if ((ev->flags & ~(uint32_t)WIRE_EV_KNOWN) ||
	    (ev->family != TCA_FAMILY_IPV4 && ev->family != TCA_FAMILY_IPV6)) {
		b->bad = true;
		return;
	}
	alen = addr_len(ev->family);
	r_mem(b, ev->saddr, alen);
	r_mem(b, ev->daddr, alen);
	if (ev->flags & TCA_EV_PID) {
		ev->pid = (int32_t)(uint32_t)r_le(b, 4);
		r_str(b, ev->comm, TCA_COMM_LEN - 1);
	}
	if (ev->flags & TCA_EV_UID)
		ev->uid = (uint32_t)r_le(b, 4);
	if (ev->flags & TCA_EV_NETNS)
		ev->netns = r_le(b, 8);
	if (ev->flags & TCA_EV_CGROUP)
		ev->cgroup = r_le(b, 8);
	if (ev->flags & TCA_EV_BYTES) {
		ev->bytes_sent = r_le(b, 8);
		ev->bytes_received = r_le(b, 8);
	}
	if (ev->flags & TCA_EV_LIFETIME)
		ev->lifetime_ns = r_le(b, 8);
}

static void r_gap(struct rbuf *b, struct tca_gap *g)
{
	g->run_id = r_le(b, 8);
	g->first_seq = r_le(b, 8);
	g->count = r_le(b, 8);
	g->time_ns = r_le(b, 8);
	g->reason = (uint32_t)r_le(b, 4);
	g->cpu = (int32_t)(uint32_t)r_le(b, 4);
}

static void r_run(struct rbuf *b, struct tca_run *run)
{
	run->prev_run_id = r_le(b, 8);
	run->start_ns = r_le(b, 8);
	run->end_ns = r_le(b, 8);
	run->last_seq = r_le(b, 8);
	run->state = (uint32_t)r_le(b, 4);
}

static void r_name(struct rbuf *b, struct tca_name *n, char *text)
{
	size_t len;

	n->kind = (uint32_t)r_le(b, 4);
	n->id = r_le(b, 8);
	n->time_ns = r_le(b, 8);
	n->run_id = r_le(b, 8);
	len = (size_t)r_le(b, 2);
	if (n->kind == 0 || n->kind > TCA_NAME_KIND_MAX || len >= TCA_NAME_MAX) {
		b->bad = true;
		return;
	}
	r_mem(b, text, len);
	text[b->bad ? 0 : len] = '\0';
	/* A NUL inside would silently shorten the name. */
	if (!b->bad && memchr(text, '\0', len))
		b->bad = true;
}

void wire_record_fix(struct wire_record *rec)
{
	rec->origin.host = rec->host;
	rec->origin.boot_id = rec->boot_id;
	if (rec->type == WIRE_RUN)
		rec->u.run.origin = rec->origin;
	else if (rec->type == WIRE_NAME)
		rec->u.name.text = rec->text;
}

int wire_decode(const void *buf, size_t len, struct wire_record *rec)
{
	struct rbuf b;

	/* Not the text's 4 KiB: this is once per event on a collector. */
	memset(rec, 0, offsetof(struct wire_record, text));
	rec->text[0] = '\0';
	if (!buf || len < 2)
		return -EBADMSG; /* and no arithmetic on a NULL pointer */
	b = (struct rbuf){ .p = buf, .end = (const uint8_t *)buf + len };
	if (r_u8(&b) != WIRE_VERSION)
		return -EBADMSG;
	rec->type = r_u8(&b);
	if (r_str(&b, rec->host, WIRE_STR_MAX) == 0)
		return -EBADMSG;
	r_str(&b, rec->boot_id, WIRE_STR_MAX);
	rec->origin.run_id = r_le(&b, 8);
	switch (rec->type) {
	case WIRE_EVENT:
		r_event(&b, &rec->u.ev);
		break;
	case WIRE_GAP:
		r_gap(&b, &rec->u.gap);
		break;
	case WIRE_RUN:
		r_run(&b, &rec->u.run);
		break;
	case WIRE_NAME:
		r_name(&b, &rec->u.name, rec->text);
		break;
	default:
		return -EBADMSG;
	}
	if (b.bad || b.p != b.end)
		return -EBADMSG;
	wire_record_fix(rec);
	return 0;
}

size_t wire_head_len(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t at = 2;

	if (!buf || len < 3 || b[0] != WIRE_VERSION)
		return 0;
	at += 1 + (size_t)b[at]; /* host */
	if (at >= len)
		return 0;
	at += 1 + (size_t)b[at]; /* boot id */
	at += 8;                 /* run id */
	return at <= len ? at : 0;
}

int wire_event_seq(const void *buf, size_t len, uint64_t *seq)
{
	size_t at = wire_head_len(buf, len);
	struct rbuf b;

	if (!at || ((const uint8_t *)buf)[1] != WIRE_EVENT || len - at < 8)
		return -EBADMSG;
	b = (struct rbuf){ .p = (const uint8_t *)buf + at, .end = (const uint8_t *)buf + len };
	*seq = r_le(&b, 8);
	return 0;
}
