/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/fmt.c: RFC 3339 times, addresses, JSON escaping and
 * whole events as JSON, each line checked by a strict JSON parser. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "suites.h"

/* ---- A strict JSON (RFC 8259) checker: whole text, one value. ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* A string; the raw bytes must be valid UTF-8 with no control characters. */
static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				return NULL;
			}
			continue;
		}
		if (c < 0x80) {
			p++;
			continue;
		}
		int n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
			return NULL;
		for (int i = 1; i < n; i++)
			if (((unsigned char)p[i] & 0xc0) != 0x80)
				return NULL;
		/* No overlong 3/4-byte forms, no surrogates. */
		if ((c == 0xe0 && (unsigned char)p[1] < 0xa0) || (c == 0xed && (unsigned char)p[1] >= 0xa0) ||
		    (c == 0xf0 && (unsigned char)p[1] < 0x90) || (c == 0xf4 && (unsigned char)p[1] >= 0x90))
			return NULL;
		p += n;
	}
	return p + 1;
}

static const char *json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (!(*++p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *json_object(const char *p)
{
	p = json_ws(p + 1);
	if (*p == '}')
		return p + 1;
	for (;;) {
		p = json_string(json_ws(p));
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p++ != ':')
			return NULL;
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == '}')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_array(const char *p)
{
	p = json_ws(p + 1);
	if (*p == ']')
		return p + 1;
	for (;;) {
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == ']')
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	switch (*p) {
	case '{': return json_object(p);
	case '[': return json_array(p);
	case '"': return json_string(p);
	case 't': return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f': return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n': return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default: return json_number(p);
	}
}

bool json_is_strict_object(const char *text)
{
	const char *end;

	if (*text != '{')
		return false;
	end = json_value(text);
	return end && *json_ws(end) == '\0';
}

START_TEST(test_json_checker_itself)
{
	ck_assert(json_is_strict_object("{\"a\":[1,-2.5e3,true,null,{}],\"b\":\"\\u00e9\\n\"}"));
	ck_assert(!json_is_strict_object("{\"a\":1,}"));
	ck_assert(!json_is_strict_object("{\"a\":01}"));
	ck_assert(!json_is_strict_object("{\"a\":\"tab\there\"}"));
	ck_assert(!json_is_strict_object("{\"a\":\"\\x41\"}"));
	ck_assert(!json_is_strict_object("{\"a\":\"\xff\"}"));
	ck_assert(!json_is_strict_object("{\"a\":\"\xc0\xaf\"}"));
	ck_assert(!json_is_strict_object("{\"a\":1} x"));
	ck_assert(!json_is_strict_object("{'a':1}"));
}
END_TEST

/* ---- Time ---- */

static const struct {
	uint64_t ns;
	const char *text;
} times[] = {
	{ 0, "1970-01-01T00:00:00.000000000Z" },
	{ 1, "1970-01-01T00:00:00.000000001Z" },
	{ 999999999, "1970-01-01T00:00:00.999999999Z" },
	{ 86399ull * 1000000000 + 5, "1970-01-01T23:59:59.000000005Z" },
	{ 86400ull * 1000000000, "1970-01-02T00:00:00.000000000Z" },
	{ 951782400ull * 1000000000, "2000-02-29T00:00:00.000000000Z" },     /* 400-year leap day */
	{ 951868800ull * 1000000000, "2000-03-01T00:00:00.000000000Z" },
	{ 1709251199ull * 1000000000 + 999999999, "2024-02-29T23:59:59.999999999Z" },
	{ 1709251200ull * 1000000000, "2024-03-01T00:00:00.000000000Z" },
	{ 1767225599ull * 1000000000 + 123456789, "2025-12-31T23:59:59.123456789Z" },
	{ 1767225600ull * 1000000000, "2026-01-01T00:00:00.000000000Z" },
	{ 4107456000ull * 1000000000, "2100-02-28T00:00:00.000000000Z" },
	{ 4107542400ull * 1000000000, "2100-03-01T00:00:00.000000000Z" },    /* 2100 is no leap year */
	{ 2147483648ull * 1000000000, "2038-01-19T03:14:08.000000000Z" },    /* past 32-bit time_t */
	{ UINT64_MAX, "2554-07-21T23:34:33.709551615Z" },
};

START_TEST(test_fmt_time)
{
	char buf[FMT_TIME_LEN];
	size_t n = fmt_time_rfc3339(buf, sizeof(buf), times[_i].ns);

	ck_assert_str_eq(buf, times[_i].text);
	ck_assert_uint_eq(n, strlen(times[_i].text));
}
END_TEST

START_TEST(test_fmt_time_small_buffer)
{
	char buf[11];

	/* Truncated like snprintf, and the full length is reported. */
	ck_assert_uint_eq(fmt_time_rfc3339(buf, sizeof(buf), 0), 30);
	ck_assert_str_eq(buf, "1970-01-01");
}
END_TEST

/* ---- Addresses ---- */

static void addr(unsigned family, const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	ck_assert_int_eq(inet_pton(family == TCA_FAMILY_IPV6 ? AF_INET6 : AF_INET, text, out), 1);
}

START_TEST(test_fmt_addr)
{
	static const struct { unsigned family; const char *in, *out; } cases[] = {
		{ TCA_FAMILY_IPV4, "127.0.0.1", "127.0.0.1" },
		{ TCA_FAMILY_IPV4, "0.0.0.0", "0.0.0.0" },
		{ TCA_FAMILY_IPV4, "255.255.255.255", "255.255.255.255" },
		{ TCA_FAMILY_IPV6, "::1", "::1" },
		{ TCA_FAMILY_IPV6, "::", "::" },
		{ TCA_FAMILY_IPV6, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ TCA_FAMILY_IPV6, "fe80::1:2:3:4", "fe80::1:2:3:4" },
		{ TCA_FAMILY_IPV6, "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ TCA_FAMILY_IPV6, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6" },
	};
	char buf[FMT_ADDR_LEN];
	uint8_t a[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		addr(cases[i].family, cases[i].in, a);
		ck_assert_str_eq(fmt_addr(buf, sizeof(buf), cases[i].family, a), cases[i].out);
	}
	/* Too small a buffer: "?", never a cut address. */
	addr(TCA_FAMILY_IPV6, "2001:db8:1:2:3:4:5:6", a);
	ck_assert_str_eq(fmt_addr(buf, 8, TCA_FAMILY_IPV6, a), "?");
}
END_TEST

/* IPv6 by hand, held to glibc's inet_ntop(3): every pattern of zero
 * words, with words that look like an IPv4 mapping or not, and a sweep of
 * pseudo-random addresses made of bytes that matter (0, 1, 0xff, other). */
START_TEST(test_fmt_addr6_as_inet_ntop)
{
	static const unsigned vals[] = { 0x1, 0xffff, 0xabc, 0x10, 0xc000, 0x0a0b };
	char want[INET6_ADDRSTRLEN], buf[FMT_ADDR_LEN];
	uint8_t a[16];
	uint64_t x = 88172645463325252u;

	for (unsigned pat = 0; pat < 256; pat++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			for (int i = 0; i < 8; i++) {
				unsigned w = pat >> i & 1 ? vals[(v + (size_t)i) % 6] : 0;
				a[2 * i] = (uint8_t)(w >> 8);
				a[2 * i + 1] = (uint8_t)w;
			}
			ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, want, sizeof(want)));
			ck_assert_str_eq(fmt_addr(buf, sizeof(buf), TCA_FAMILY_IPV6, a), want);
		}
	}
	for (int n = 0; n < 200000; n++) {
		for (int i = 0; i < 16; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			static const uint8_t pick[] = { 0, 0, 0, 0, 1, 0xff };
			a[i] = x % 8 < 6 ? pick[x % 8] : (uint8_t)(x >> 24);
		}
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, want, sizeof(want)));
		ck_assert_str_eq(fmt_addr(buf, sizeof(buf), TCA_FAMILY_IPV6, a), want);
	}
	/* The longest form fits FMT_ADDR_LEN. */
	memset(a, 0xff, 12);
	memset(a + 12, 0, 4);
	a[10] = a[11] = 0xff;
	ck_assert_str_eq(fmt_addr(buf, sizeof(buf), TCA_FAMILY_IPV6, a),
			 "ffff:ffff:ffff:ffff:ffff:ffff::");
}
END_TEST

/* ---- JSON escaping ---- */

static const struct {
	const char *in;
	size_t len;
	const char *out;
} escapes[] = {
	{ "plain", 5, "plain" },
	{ "say \"hi\"", 8, "say \\\"hi\\\"" },
	{ "a\\b", 3, "a\\\\b" },
	{ "\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f" },
	{ "\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f" },
	{ "nul\0byte", 8, "nul\\u0000byte" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },                 /* valid UTF-8 stays */
	{ "\xe2\x82\xac \xf0\x9f\x98\x80", 8, "\xe2\x82\xac \xf0\x9f\x98\x80" },
	{ "\xff\xfe", 2, "\\u00ff\\u00fe" },                 /* not UTF-8 at all */
	{ "\xc0\xaf", 2, "\\u00c0\\u00af" },                 /* overlong '/' */
	{ "\xed\xa0\x80", 3, "\\u00ed\\u00a0\\u0080" },      /* a surrogate */
	{ "\xf4\x90\x80\x80", 4, "\\u00f4\\u0090\\u0080\\u0080" }, /* past U+10FFFF */
	{ "ab\xe2\x82", 4, "ab\\u00e2\\u0082" },             /* cut short */
	{ "\xc3(", 2, "\\u00c3(" },                          /* bad continuation */
	{ "</script>", 9, "</script>" },
};

START_TEST(test_fmt_json_escape)
{
	char buf[128], quoted[140];
	size_t pos = 0;

	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, escapes[_i].in, escapes[_i].len), 0);
	ck_assert_str_eq(buf, escapes[_i].out);
	ck_assert_uint_eq(pos, strlen(escapes[_i].out));
	snprintf(quoted, sizeof(quoted), "{\"k\":\"%s\"}", buf);
	ck_assert_msg(json_is_strict_object(quoted), "not strict JSON: %s", quoted);
}
END_TEST

START_TEST(test_fmt_json_escape_append_and_space)
{
	char buf[8];
	size_t pos = 0;

	/* Appends at *pos. */
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "ab", 2), 0);
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "c\"", 2), 0);
	ck_assert_str_eq(buf, "abc\\\"");
	ck_assert_uint_eq(pos, 5);
	/* What does not fit: -ENOSPC, a NUL-terminated prefix, no escape cut
	 * in half, and never a byte past the buffer. */
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "\x01", 1), -ENOSPC);
	ck_assert_str_eq(buf, "abc\\\"");
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "xy", 2), 0);
	ck_assert_str_eq(buf, "abc\\\"xy");
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "z", 1), -ENOSPC);
	ck_assert_uint_eq(pos, 7);
	pos = 0;
	ck_assert_int_eq(fmt_json_escape(buf, sizeof(buf), &pos, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
					 9), -ENOSPC);
	ck_assert_str_eq(buf, "\xe2\x82\xac\xe2\x82\xac");
	ck_assert_uint_eq(pos, 6);
}
END_TEST

/* ---- Whole events ---- */

static void event_v4(struct tca_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->time_ns = 1709251199ull * 1000000000 + 5;
	ev->sock = 18446744073709551615ull;
	ev->flags = TCA_EV_PID;
	ev->pid = 4242;
	memcpy(ev->comm, "cu\"rl\\\x01\xff", 8);
	ev->family = TCA_FAMILY_IPV4;
	ev->protocol = TCA_PROTO_TCP;
	addr(TCA_FAMILY_IPV4, "127.0.0.1", ev->saddr);
	addr(TCA_FAMILY_IPV4, "192.0.2.7", ev->daddr);
	ev->sport = 65535;
	ev->dport = 0;
	ev->oldstate = TCA_STATE_SYN_SENT;
	ev->newstate = TCA_STATE_ESTABLISHED;
}

START_TEST(test_fmt_event_json_v4)
{
	char buf[FMT_JSON_MAX];
	struct tca_event ev;
	const char *want =
		"{\"time\":\"2024-02-29T23:59:59.000000005Z\",\"host\":\"h\\\"1\","
		"\"boot_id\":\"b\",\"run_id\":7,\"seq\":3,\"sock\":18446744073709551615,"
		"\"pid\":4242,\"comm\":\"cu\\\"rl\\\\\\u0001\\u00ff\",\"owner\":\"listener\","
		"\"family\":\"ipv4\",\"protocol\":\"tcp\","
		"\"saddr\":\"127.0.0.1\",\"sport\":65535,\"daddr\":\"192.0.2.7\",\"dport\":0,"
		"\"oldstate\":\"SYN_SENT\",\"newstate\":\"ESTABLISHED\"}";

	event_v4(&ev);
	ev.seq = 3;
	ev.owner = TCA_OWNER_LISTENER;
	ck_assert_int_eq(fmt_event_json(buf, sizeof(buf), &ev, &(struct tca_origin){ "h\"1", "b", 7 }),
			 (int)strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert(json_is_strict_object(buf));
}
END_TEST

START_TEST(test_fmt_event_json_v6_unknown_pid_enriched)
{
	char buf[FMT_JSON_MAX];
	struct tca_event ev;
	const char *want =
		"{\"time\":\"1970-01-01T00:00:00.000000000Z\",\"host\":\"db1\",\"boot_id\":\"\","
		"\"run_id\":0,\"seq\":0,\"sock\":1,"
		"\"pid\":null,\"comm\":null,\"owner\":\"unknown\",\"family\":\"ipv6\",\"protocol\":\"mptcp\","
		"\"saddr\":\"::1\",\"sport\":1,\"daddr\":\"2001:db8::2\",\"dport\":5432,"
		"\"oldstate\":\"UNKNOWN\",\"newstate\":\"NEW_SYN_RECV\",\"netns\":4026531840,"
		"\"cgroup\":7,\"uid\":1000,\"bytes_sent\":10,\"bytes_received\":20,\"lifetime_ns\":30}";

	memset(&ev, 0, sizeof(ev));
	ev.sock = 1;
	/* pid and comm hold leftovers, but their flag is clear: null, never a guess. */
	ev.pid = 99;
	strcpy(ev.comm, "stale");
	ev.flags = TCA_EV_NETNS | TCA_EV_CGROUP | TCA_EV_UID | TCA_EV_BYTES | TCA_EV_LIFETIME;
	ev.family = TCA_FAMILY_IPV6;
	ev.protocol = TCA_PROTO_MPTCP;
	addr(TCA_FAMILY_IPV6, "::1", ev.saddr);
	addr(TCA_FAMILY_IPV6, "2001:db8::2", ev.daddr);
	ev.sport = 1;
	ev.dport = 5432;
	ev.oldstate = 0;
	ev.newstate = TCA_STATE_NEW_SYN_RECV;
	ev.netns = 4026531840u;
	ev.cgroup = 7;
	ev.uid = 1000;
	ev.bytes_sent = 10;
	ev.bytes_received = 20;
	ev.lifetime_ns = 30;
	ck_assert_int_eq(fmt_event_json(buf, sizeof(buf), &ev, &(struct tca_origin){ "db1", "", 0 }),
			 (int)strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert(json_is_strict_object(buf));
}
END_TEST

START_TEST(test_fmt_event_json_worst_case)
{
	char buf[FMT_JSON_MAX], host[256];
	struct tca_origin o = { host, host, UINT64_MAX };
	struct tca_event ev;
	int n;

	/* Every byte of comm and of a maximal host name escaped six-fold:
	 * FMT_JSON_MAX still suffices... */
	memset(&ev, 0, sizeof(ev));
	ev.flags = ~0u;
	ev.time_ns = UINT64_MAX;
	ev.sock = UINT64_MAX;
	ev.pid = INT32_MIN;
	memset(ev.comm, 0x01, sizeof(ev.comm));  /* not even NUL-terminated */
	ev.family = TCA_FAMILY_IPV6;
	memset(ev.saddr, 0xab, 16);
	memset(ev.daddr, 0xcd, 16);
	ev.netns = ev.cgroup = ev.bytes_sent = ev.bytes_received = ev.lifetime_ns = UINT64_MAX;
	ev.uid = UINT32_MAX;
	memset(host, 0x02, 255);
	host[255] = '\0';
	ev.seq = UINT64_MAX;
	n = fmt_event_json(buf, sizeof(buf), &ev, &o);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert(json_is_strict_object(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"comm\":\"\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001"
					  "\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\\u0001\""));
	/* ...and a buffer that is too small gives -ENOSPC, not a cut line. */
	ck_assert_int_eq(fmt_event_json(buf, 100, &ev, &o), -ENOSPC);
	ck_assert_int_eq(fmt_event_json(buf, (size_t)n, &ev, &o), -ENOSPC);
	ck_assert_int_eq(fmt_event_json(buf, (size_t)n + 1, &ev, &o), n);
}
END_TEST

START_TEST(test_fmt_name_json)
{
	struct tca_origin o = { .host = "web1", .boot_id = "b-1", .run_id = 7 };
	struct tca_name nm = { .kind = TCA_NAME_CGROUP, .id = 4242, .time_ns = 1000000000,
			       .run_id = 9, .text = "/a \"b\"\\\n\x01\xff\xc3\xa9" };
	char buf[256];
	int n = fmt_name_json(buf, sizeof(buf), &nm, &o);

	/* The run is the name's, the host and boot its origin's. */
	ck_assert_str_eq(buf, "{\"type\":\"name\",\"kind\":\"cgroup\",\"id\":4242,"
			      "\"text\":\"/a \\\"b\\\"\\\\\\n\\u0001\\u00ff\xc3\xa9\","
			      "\"time\":\"1970-01-01T00:00:01.000000000Z\",\"host\":\"web1\","
			      "\"boot_id\":\"b-1\",\"run_id\":9}");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert(json_is_strict_object(buf));
}
END_TEST

START_TEST(test_fmt_name_json_worst_case)
{
	char *buf = malloc(FMT_NAME_JSON_MAX), *text = malloc(TCA_NAME_MAX), host[256];
	struct tca_origin o = { host, host, UINT64_MAX };
	struct tca_name nm = { .kind = UINT32_MAX, .id = UINT64_MAX, .time_ns = UINT64_MAX,
			       .run_id = UINT64_MAX };
	int n;

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(text);
	/* The longest text and host there may be, every byte six-fold. */
	memset(text, 0x01, TCA_NAME_MAX - 1);
	text[TCA_NAME_MAX - 1] = '\0';
	memset(host, 0x02, 255);
	host[255] = '\0';
	nm.text = text;
	n = fmt_name_json(buf, FMT_NAME_JSON_MAX, &nm, &o);
	ck_assert_int_gt(n, 0);
	ck_assert(json_is_strict_object(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\"kind\":\"unknown\""));
	ck_assert_int_eq(fmt_name_json(buf, (size_t)n, &nm, &o), -ENOSPC);
	ck_assert_int_eq(fmt_name_json(buf, (size_t)n + 1, &nm, &o), n);
	free(text);
	free(buf);
}
END_TEST

Suite *suite_fmt(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_json_checker_itself);
	tcase_add_loop_test(tc, test_fmt_time, 0, (int)(sizeof(times) / sizeof(times[0])));
	tcase_add_test(tc, test_fmt_time_small_buffer);
	tcase_add_test(tc, test_fmt_addr);
	tcase_add_test(tc, test_fmt_addr6_as_inet_ntop);
	tcase_add_loop_test(tc, test_fmt_json_escape, 0, (int)(sizeof(escapes) / sizeof(escapes[0])));
	tcase_add_test(tc, test_fmt_json_escape_append_and_space);
	tcase_add_test(tc, test_fmt_event_json_v4);
	tcase_add_test(tc, test_fmt_event_json_v6_unknown_pid_enriched);
	tcase_add_test(tc, test_fmt_event_json_worst_case);
	tcase_add_test(tc, test_fmt_name_json);
	tcase_add_test(tc, test_fmt_name_json_worst_case);
	suite_add_tcase(s, tc);
	return s;
}
