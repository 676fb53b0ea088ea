/* SPDX-License-Identifier: MIT */
/* Formatting of event fields: time, addresses, JSON. Allocation-free. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "names.h"
#include "outbuf.h"

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm): pure
 * arithmetic, so no gmtime_r() locking or time zone look-up per event. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DDTHH:MM:SS" of one second since the epoch (more digits past
 * year 9999, where printf's width would grow too). */
static void put_second(struct outbuf *o, uint64_t secs)
{
	unsigned sod = (unsigned)(secs % 86400);
	int y;
	unsigned m, d;

	civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
	if (y > 9999)
		outbuf_u64(o, (uint64_t)y);
	else
		outbuf_digits(o, (uint64_t)y, 4);
	outbuf_lit(o, "-");
	outbuf_digits(o, m, 2);
	outbuf_lit(o, "-");
	outbuf_digits(o, d, 2);
	outbuf_lit(o, "T");
	outbuf_digits(o, sod / 3600, 2);
	outbuf_lit(o, ":");
	outbuf_digits(o, sod / 60 % 60, 2);
	outbuf_lit(o, ":");
	outbuf_digits(o, sod % 60, 2);
}

/* The last second formatted, per thread: events come in time order, most
 * thousands to a second, and the calendar was an eighth of a json
 * event's cost. */
static __thread struct {
	uint64_t secs;
	unsigned len;
	char text[32];
} last_second = { .secs = UINT64_MAX };

static void put_time(struct outbuf *o, uint64_t time_ns)
{
	uint64_t secs = time_ns / 1000000000u;

	if (secs != last_second.secs) {
		struct outbuf t = outbuf_init(last_second.text, sizeof(last_second.text));
		int n;

		put_second(&t, secs);
		n = outbuf_finish(&t, last_second.text);
		if (n < 0) {
			put_second(o, secs); /* never: a year has 12 digits at most */
			goto fraction;
		}
		last_second.secs = secs;
		last_second.len = (unsigned)n;
	}
	outbuf_mem(o, last_second.text, last_second.len);
fraction:
	outbuf_lit(o, ".");
	outbuf_digits(o, time_ns % 1000000000u, 9);
	outbuf_lit(o, "Z");
}

/* As snprintf would: cut to size, and the whole length returned. */
size_t fmt_time_rfc3339(char *buf, size_t size, uint64_t time_ns)
{
	char full[FMT_TIME_LEN];
	struct outbuf o = outbuf_init(full, sizeof(full));
	int n;

	put_time(&o, time_ns);
	n = outbuf_finish(&o, full);
	if (n < 0)
		n = 0;
	if (size) {
		size_t keep = (size_t)n < size - 1 ? (size_t)n : size - 1;
		memcpy(buf, full, keep);
		buf[keep] = '\0';
	}
	return (size_t)n;
}

static void put_addr4(struct outbuf *o, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			outbuf_lit(o, ".");
		outbuf_u64(o, a[i]);
	}
}

/* A 16-bit word in lowercase hex, without leading zeros. */
static void put_hex16(struct outbuf *o, unsigned w)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[4];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = hex[w & 0xf];
		w >>= 4;
	} while (w);
	outbuf_mem(o, tmp + i, sizeof(tmp) - i);
}

/*
 * IPv6 exactly as glibc's inet_ntop(3) writes it, which the archives'
 * readers and older records expect, without its sprintf per word (half of
 * a json event's cost): the first longest run of two or more zero words
 * as "::", and the last 32 bits dotted for an IPv4-compatible (::a.b.c.d)
 * or -mapped (::ffff:a.b.c.d) address. tests/unit/test-fmt.c holds it to
 * inet_ntop over every pattern of zero words.
 */
static void put_addr6(struct outbuf *o, const uint8_t a[16])
{
	unsigned w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] != 0) {
			cur = -1;
			continue;
		}
		if (cur < 0)
			cur = i, cur_len = 0;
		if (++cur_len > best_len)
			best = cur, best_len = cur_len;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				outbuf_lit(o, ":");
			continue;
		}
		if (i)
			outbuf_lit(o, ":");
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			put_addr4(o, a + 12);
			return;
		}
		put_hex16(o, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		outbuf_lit(o, ":");
}

static void put_addr(struct outbuf *o, unsigned family, const uint8_t addr[16])
{
	if (family == TCA_FAMILY_IPV6)
		put_addr6(o, addr);
	else
		put_addr4(o, addr);
}

const char *fmt_addr(char *buf, size_t size, unsigned family, const uint8_t addr[16])
{
	struct outbuf o = outbuf_init(buf, size);

	put_addr(&o, family, addr);
	if (outbuf_finish(&o, buf) < 0 && size > 1)
		snprintf(buf, size, "?");
	return buf;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0. */
size_t fmt_utf8_seq_len(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past Unicode. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

int fmt_json_escape(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = *pos;

	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n = c >= 0x80 ? fmt_utf8_seq_len(p + i, len - i) : 1;
		const char *esc = NULL;

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default: break;
		}
		if (esc) {
			if (o + 2 >= size)
				goto nospace;
			memcpy(buf + o, esc, 2);
			o += 2;
			i++;
		} else if (c < 0x20 || c == 0x7f || n == 0) {
			/* Control bytes, and bytes that are not UTF-8, become
			 * \u00XX: the output stays valid JSON and the byte
			 * value is still recoverable. */
			if (o + 6 >= size)
				goto nospace;
			memcpy(buf + o, "\\u00", 4);
			buf[o + 4] = hex[c >> 4];
			buf[o + 5] = hex[c & 15];
			o += 6;
			i++;
		} else {
			if (o + n >= size)
				goto nospace;
			memcpy(buf + o, p + i, n);
			o += n;
			i += n;
		}
	}
	buf[o] = '\0';
	*pos = o;
	return 0;
nospace:
	buf[o] = '\0';
	*pos = o;
	return -ENOSPC;
}

/* snprintf that appends at *pos and reports overflow as -ENOSPC. */
__attribute__((format(printf, 4, 5)))
static int append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return -ENOSPC;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *pos)
		return -ENOSPC;
	*pos += (size_t)n;
	return 0;
}

static int append_json_string(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
	int r;

	if ((r = append(buf, size, pos, "\"")) < 0)
		return r;
	if ((r = fmt_json_escape(buf, size, pos, s, len)) < 0)
		return r;
	return append(buf, size, pos, "\"");
}

/* "host", "boot_id" and "run_id" of an origin, after a comma or brace. */
static int append_origin(char *buf, size_t size, size_t *pos, const struct tca_origin *o)
{
	int r = append(buf, size, pos, "\"host\":");

	if (r == 0)
		r = append_json_string(buf, size, pos, o->host, strlen(o->host));
	if (r == 0)
		r = append(buf, size, pos, ",\"boot_id\":");
	if (r == 0)
		r = append_json_string(buf, size, pos, o->boot_id, strlen(o->boot_id));
	if (r == 0)
		r = append(buf, size, pos, ",\"run_id\":%" PRIu64, o->run_id);
	return r;
}

const char *fmt_owner_name(unsigned owner)
{
	switch (owner) {
	case TCA_OWNER_HOLDER:
		return "holder";
	case TCA_OWNER_LISTENER:
		return "listener";
	default:
		return "unknown";
	}
}

/* A JSON string, quoted and escaped. */
static void put_json_string(struct outbuf *o, const char *str, size_t len)
{
	size_t pos = 0;

	outbuf_lit(o, "\"");
	if (o->overflow || fmt_json_escape(o->p, (size_t)(o->end - o->p) + 1, &pos, str, len) < 0) {
		o->overflow = true;
		return;
	}
	o->p += pos;
	outbuf_lit(o, "\"");
}

/*
 * "host":..,"boot_id":..,"run_id":N of the origin, escaped once and kept:
 * a batch's events share one origin, and escaping it for every event
 * would cost more than the rest of the line. Per thread, since each
 * sinker runs in one thread.
 */
static void put_origin(struct outbuf *o, const struct tca_origin *origin)
{
	static __thread char cache[2 * 6 * 256 + 96];
	static __thread size_t cache_len;
	static __thread const char *cache_host, *cache_boot;
	static __thread uint64_t cache_run;

	if (!cache_len || cache_host != origin->host || cache_boot != origin->boot_id ||
	    cache_run != origin->run_id) {
		struct outbuf c = outbuf_init(cache, sizeof(cache));
		outbuf_lit(&c, "\"host\":");
		put_json_string(&c, origin->host, strlen(origin->host));
		outbuf_lit(&c, ",\"boot_id\":");
		put_json_string(&c, origin->boot_id, strlen(origin->boot_id));
		outbuf_lit(&c, ",\"run_id\":");
		outbuf_u64(&c, origin->run_id);
		if (outbuf_finish(&c, cache) < 0) {
			cache_len = 0;
			o->overflow = true;
			return;
		}
		cache_len = (size_t)(c.p - cache);
		cache_host = origin->host;
		cache_boot = origin->boot_id;
		cache_run = origin->run_id;
	}
	outbuf_mem(o, cache, cache_len);
}

static void put_event_owner(struct outbuf *o, const struct tca_event *ev)
{
	if (!(ev->flags & TCA_EV_PID)) {
		outbuf_lit(o, "null,\"comm\":null,\"owner\":\"unknown\"");
		return;
	}
	outbuf_i64(o, ev->pid);
	outbuf_lit(o, ",\"comm\":");
	put_json_string(o, ev->comm, strnlen(ev->comm, sizeof(ev->comm)));
	outbuf_lit(o, ",\"owner\":\"");
	outbuf_str(o, fmt_owner_name(ev->owner));
	outbuf_lit(o, "\"");
}

/* The optional fields, each only when the eventer set its flag. */
static void put_event_enrichment(struct outbuf *o, const struct tca_event *ev)
{
	if (ev->flags & TCA_EV_NETNS) {
		outbuf_lit(o, ",\"netns\":");
		outbuf_u64(o, ev->netns);
	}
	if (ev->flags & TCA_EV_CGROUP) {
		outbuf_lit(o, ",\"cgroup\":");
		outbuf_u64(o, ev->cgroup);
	}
	if (ev->flags & TCA_EV_UID) {
		outbuf_lit(o, ",\"uid\":");
		outbuf_u64(o, ev->uid);
	}
	if (ev->flags & TCA_EV_BYTES) {
		outbuf_lit(o, ",\"bytes_sent\":");
		outbuf_u64(o, ev->bytes_sent);
		outbuf_lit(o, ",\"bytes_received\":");
		outbuf_u64(o, ev->bytes_received);
	}
	if (ev->flags & TCA_EV_LIFETIME) {
		outbuf_lit(o, ",\"lifetime_ns\":");
		outbuf_u64(o, ev->lifetime_ns);
	}
}

int fmt_event_json(char *buf, size_t size, const struct tca_event *ev, const struct tca_origin *origin)
{
	struct outbuf o = outbuf_init(buf, size);

	outbuf_lit(&o, "{\"time\":\"");
	put_time(&o, ev->time_ns);
	outbuf_lit(&o, "\",");
	put_origin(&o, origin);
	outbuf_lit(&o, ",\"seq\":");
	outbuf_u64(&o, ev->seq);
	outbuf_lit(&o, ",\"sock\":");
	outbuf_u64(&o, ev->sock);
	outbuf_lit(&o, ",\"pid\":");
	put_event_owner(&o, ev);
	outbuf_lit(&o, ",\"family\":\"");
	outbuf_str(&o, names_family(ev->family));
	outbuf_lit(&o, "\",\"protocol\":\"");
	outbuf_str(&o, names_protocol(ev->protocol));
	outbuf_lit(&o, "\",\"saddr\":\"");
	put_addr(&o, ev->family, ev->saddr);
	outbuf_lit(&o, "\",\"sport\":");
	outbuf_u64(&o, ev->sport);
	outbuf_lit(&o, ",\"daddr\":\"");
	put_addr(&o, ev->family, ev->daddr);
	outbuf_lit(&o, "\",\"dport\":");
	outbuf_u64(&o, ev->dport);
	outbuf_lit(&o, ",\"oldstate\":\"");
	outbuf_str(&o, names_state(ev->oldstate));
	outbuf_lit(&o, "\",\"newstate\":\"");
	outbuf_str(&o, names_state(ev->newstate));
	outbuf_lit(&o, "\"");
	put_event_enrichment(&o, ev);
	outbuf_lit(&o, "}");
	return outbuf_finish(&o, buf) < 0 ? -ENOSPC : (int)(o.p - buf);
}

int fmt_gap_json(char *buf, size_t size, const struct tca_gap *g, const struct tca_origin *origin)
{
	char t[FMT_TIME_LEN];
	size_t pos = 0;
	int r;

	fmt_time_rfc3339(t, sizeof(t), g->time_ns);
	r = append(buf, size, &pos, "{\"type\":\"gap\",\"time\":\"%s\",\"host\":", t);
	if (r == 0)
		r = append_json_string(buf, size, &pos, origin->host, strlen(origin->host));
	if (r == 0)
		r = append(buf, size, &pos, ",\"run_id\":%" PRIu64 ",\"first_seq\":%" PRIu64, g->run_id,
			   g->first_seq);
	if (r == 0 && g->count)
		r = append(buf, size, &pos, ",\"count\":%" PRIu64, g->count);
	else if (r == 0)
		r = append(buf, size, &pos, ",\"count\":null");
	if (r == 0)
		r = append(buf, size, &pos, ",\"reason\":\"%s\"", names_gap_reason(g->reason));
	if (r == 0 && g->cpu >= 0)
		r = append(buf, size, &pos, ",\"cpu\":%" PRId32, g->cpu);
	if (r == 0)
		r = append(buf, size, &pos, "}");
	return r < 0 ? r : (int)pos;
}

int fmt_run_json(char *buf, size_t size, const struct tca_run *run)
{
	char t[FMT_TIME_LEN];
	size_t pos = 0;
	int r;

	fmt_time_rfc3339(t, sizeof(t), run->start_ns);
	r = append(buf, size, &pos, "{\"type\":\"run\",");
	if (r == 0)
		r = append_origin(buf, size, &pos, &run->origin);
	if (r == 0)
		r = append(buf, size, &pos, ",\"state\":\"%s\",\"start\":\"%s\"",
			   names_run_state(run->state), t);
	if (r == 0 && run->end_ns) {
		fmt_time_rfc3339(t, sizeof(t), run->end_ns);
		r = append(buf, size, &pos, ",\"end\":\"%s\"", t);
	}
	if (r == 0 && run->last_seq)
		r = append(buf, size, &pos, ",\"last_seq\":%" PRIu64, run->last_seq);
	if (r == 0 && run->prev_run_id)
		r = append(buf, size, &pos, ",\"prev_run_id\":%" PRIu64, run->prev_run_id);
	if (r == 0)
		r = append(buf, size, &pos, "}");
	return r < 0 ? r : (int)pos;
}

int fmt_name_json(char *buf, size_t size, const struct tca_name *name,
		  const struct tca_origin *origin)
{
	struct tca_origin o = { .host = origin->host, .boot_id = origin->boot_id,
				.run_id = name->run_id };
	char t[FMT_TIME_LEN];
	size_t pos = 0;
	int r;

	fmt_time_rfc3339(t, sizeof(t), name->time_ns);
	r = append(buf, size, &pos, "{\"type\":\"name\",\"kind\":\"%s\",\"id\":%" PRIu64 ",\"text\":",
		   names_name_kind(name->kind), name->id);
	if (r == 0)
		r = append_json_string(buf, size, &pos, name->text, strlen(name->text));
	if (r == 0)
		r = append(buf, size, &pos, ",\"time\":\"%s\",", t);
	/* The run that resolved it, with its origin's host and boot. */
	if (r == 0)
		r = append_origin(buf, size, &pos, &o);
	if (r == 0)
		r = append(buf, size, &pos, "}");
	return r < 0 ? r : (int)pos;
}
