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

size_t fmt_time_rfc3339(char *buf, size_t size, uint64_t time_ns)
{
	uint64_t secs = time_ns / 1000000000u;
	unsigned nsec = (unsigned)(time_ns % 1000000000u);
	unsigned sod = (unsigned)(secs % 86400);
	int y;
	unsigned m, d;

	civil_from_days((int64_t)(secs / 86400), &y, &m, &d);
	int n = snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02u.%09uZ", y, m, d,
			 sod / 3600, sod / 60 % 60, sod % 60, nsec);
	return n < 0 ? 0 : (size_t)n;
}

const char *fmt_addr(char *buf, size_t size, unsigned family, const uint8_t addr[16])
{
	int af = family == TCA_FAMILY_IPV6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, addr, buf, (socklen_t)size))
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

int fmt_event_json(char *buf, size_t size, const struct tca_event *ev, const char *host)
{
	char t[FMT_TIME_LEN], sa[FMT_ADDR_LEN], da[FMT_ADDR_LEN];
	size_t pos = 0;
	int r;

	fmt_time_rfc3339(t, sizeof(t), ev->time_ns);
	r = append(buf, size, &pos, "{\"time\":\"%s\",\"host\":", t);
	if (r == 0)
		r = append_json_string(buf, size, &pos, host, strlen(host));
	if (r == 0)
		r = append(buf, size, &pos, ",\"sock\":%" PRIu64 ",\"pid\":", ev->sock);
	if (r == 0 && (ev->flags & TCA_EV_PID)) {
		r = append(buf, size, &pos, "%" PRId32 ",\"comm\":", ev->pid);
		if (r == 0)
			r = append_json_string(buf, size, &pos, ev->comm,
					       strnlen(ev->comm, sizeof(ev->comm)));
		/* Which kind of owner, when the eventer says: the holder, or
		 * only the owner of the listener it came from. */
		if (r == 0 && (ev->owner == TCA_OWNER_HOLDER || ev->owner == TCA_OWNER_LISTENER))
			r = append(buf, size, &pos, ",\"owner\":\"%s\"",
				   ev->owner == TCA_OWNER_HOLDER ? "holder" : "listener");
	} else if (r == 0) {
		r = append(buf, size, &pos, "null,\"comm\":null");
	}
	if (r == 0)
		r = append(buf, size, &pos,
			   ",\"family\":\"%s\",\"protocol\":\"%s\",\"saddr\":\"%s\",\"sport\":%u"
			   ",\"daddr\":\"%s\",\"dport\":%u,\"oldstate\":\"%s\",\"newstate\":\"%s\"",
			   names_family(ev->family), names_protocol(ev->protocol),
			   fmt_addr(sa, sizeof(sa), ev->family, ev->saddr), ev->sport,
			   fmt_addr(da, sizeof(da), ev->family, ev->daddr), ev->dport,
			   names_state(ev->oldstate), names_state(ev->newstate));
	if (r == 0 && (ev->flags & TCA_EV_NETNS))
		r = append(buf, size, &pos, ",\"netns\":%" PRIu64, ev->netns);
	if (r == 0 && (ev->flags & TCA_EV_CGROUP))
		r = append(buf, size, &pos, ",\"cgroup\":%" PRIu64, ev->cgroup);
	if (r == 0 && (ev->flags & TCA_EV_UID))
		r = append(buf, size, &pos, ",\"uid\":%" PRIu32, ev->uid);
	if (r == 0 && (ev->flags & TCA_EV_BYTES))
		r = append(buf, size, &pos, ",\"bytes_sent\":%" PRIu64 ",\"bytes_received\":%" PRIu64,
			   ev->bytes_sent, ev->bytes_received);
	if (r == 0 && (ev->flags & TCA_EV_LIFETIME))
		r = append(buf, size, &pos, ",\"lifetime_ns\":%" PRIu64, ev->lifetime_ns);
	if (r == 0)
		r = append(buf, size, &pos, "}");
	return r < 0 ? r : (int)pos;
}
