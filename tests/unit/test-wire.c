/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/wire.c: round trips of events, gaps, runs and names
 * with their origin, the exact bytes of one event, the size bounds, and every
 * kind of truncated or corrupt input refused with -EBADMSG. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "suites.h"
#include "wire.h"

static const struct tca_origin origin = {
	.host = "edge-01.example",
	.boot_id = "0b8c1a9e-1f2d-4e5f-8a7b-6c5d4e3f2a1b",
	.run_id = 0x0123456789abcdefull,
};

/* Every optional field set, IPv6, a comm of the longest there is. */
static struct tca_event full_event(void)
{
	struct tca_event ev = { 0 };

	ev.time_ns = 1700000000123456789ull;
	ev.sock = 0xfedcba9876543210ull;
	ev.seq = 42;
	ev.flags = WIRE_EV_KNOWN;
	ev.pid = -2;
	memcpy(ev.comm, "fifteen-chars-x", 16);
	ev.family = TCA_FAMILY_IPV6;
	ev.oldstate = TCA_STATE_SYN_SENT;
	ev.newstate = TCA_STATE_ESTABLISHED;
	ev.owner = TCA_OWNER_LISTENER;
	ev.protocol = TCA_PROTO_MPTCP;
	ev.sport = 65535;
	ev.dport = 443;
	ev.uid = 4294967294u;
	for (int i = 0; i < 16; i++) {
		ev.saddr[i] = (uint8_t)(0x20 + i);
		ev.daddr[i] = (uint8_t)(0xf0 - i);
	}
	ev.netns = 4026531840ull;
	ev.cgroup = UINT64_MAX;
	ev.bytes_sent = 1ull << 40;
	ev.bytes_received = 7;
	ev.lifetime_ns = 999;
	return ev;
}

static struct tca_event small_event(void)
{
	struct tca_event ev = { 0 };

	ev.time_ns = 1;
	ev.sock = 2;
	ev.seq = 3;
	ev.family = TCA_FAMILY_IPV4;
	ev.oldstate = TCA_STATE_CLOSE;
	ev.newstate = TCA_STATE_LISTEN;
	ev.protocol = TCA_PROTO_TCP;
	ev.sport = 8080;
	memcpy(ev.saddr, "\x7f\x00\x00\x01", 4);
	return ev;
}

static void check_origin(const struct wire_record *rec)
{
	ck_assert_str_eq(rec->origin.host, origin.host);
	ck_assert_str_eq(rec->origin.boot_id, origin.boot_id);
	ck_assert_uint_eq(rec->origin.run_id, origin.run_id);
}

static void round_trip_event(const struct tca_event *ev)
{
	uint8_t buf[WIRE_EVENT_MAX], again[WIRE_EVENT_MAX];
	struct wire_record rec;
	ssize_t len, len2;

	len = wire_encode_event(buf, sizeof(buf), &origin, ev);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_uint_eq(rec.type, WIRE_EVENT);
	check_origin(&rec);
	ck_assert_mem_eq(&rec.u.ev, ev, sizeof(*ev));
	/* Canonical: the decoded record encodes to the same bytes. */
	len2 = wire_encode_event(again, sizeof(again), &rec.origin, &rec.u.ev);
	ck_assert_int_eq(len2, len);
	ck_assert_mem_eq(again, buf, (size_t)len);
}

START_TEST(event_round_trip)
{
	struct tca_event full = full_event(), small = small_event();

	round_trip_event(&full);
	round_trip_event(&small);
	for (uint32_t f = 0; f <= WIRE_EV_KNOWN; f++) {
		struct tca_event ev = full_event();

		/* What a clear flag does not cover is not sent: zero it to compare. */
		ev.flags = f;
		if (!(f & TCA_EV_PID)) {
			ev.pid = 0;
			memset(ev.comm, 0, sizeof(ev.comm));
		}
		if (!(f & TCA_EV_UID))
			ev.uid = 0;
		if (!(f & TCA_EV_NETNS))
			ev.netns = 0;
		if (!(f & TCA_EV_CGROUP))
			ev.cgroup = 0;
		if (!(f & TCA_EV_BYTES))
			ev.bytes_sent = ev.bytes_received = 0;
		if (!(f & TCA_EV_LIFETIME))
			ev.lifetime_ns = 0;
		round_trip_event(&ev);
	}
}
END_TEST

/* What a clear flag covers, reserved fields and the bytes after a comm's
 * NUL are not sent, and decode as zero. */
START_TEST(event_unsent_fields_are_zero)
{
	struct tca_event ev = small_event();
	uint8_t buf[WIRE_EVENT_MAX];
	struct wire_record rec;
	ssize_t len;

	ev.pid = 77;
	ev.uid = 5;
	ev.netns = ev.cgroup = ev.lifetime_ns = 9;
	ev.reserved1 = 3;
	ev.reserved2[0] = 4;
	memset(ev.saddr + 4, 0xaa, 12);
	len = wire_encode_event(buf, sizeof(buf), &origin, &ev);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_int_eq(rec.u.ev.pid, 0);
	ck_assert_uint_eq(rec.u.ev.uid, 0);
	ck_assert_uint_eq(rec.u.ev.netns | rec.u.ev.cgroup | rec.u.ev.lifetime_ns, 0);
	ck_assert_uint_eq(rec.u.ev.reserved1 | rec.u.ev.reserved2[0], 0);
	for (int i = 4; i < 16; i++)
		ck_assert_uint_eq(rec.u.ev.saddr[i], 0);

	/* A comm with no NUL is cut to 15 bytes, never read past. */
	ev.flags = TCA_EV_PID;
	memset(ev.comm, 'x', sizeof(ev.comm));
	len = wire_encode_event(buf, sizeof(buf), &origin, &ev);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_str_eq(rec.u.ev.comm, "xxxxxxxxxxxxxxx");
}
END_TEST

/* The documented layout (tcp-audit-nats(7)), byte by byte. */
START_TEST(event_exact_bytes)
{
	static const uint8_t want[] = {
		1, 1,                                     /* version, type */
		1, 'h', 2, 'b', 'i',                      /* host, boot id */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* run id */
		3, 0, 0, 0, 0, 0, 0, 0,                   /* seq */
		1, 0, 0, 0, 0, 0, 0, 0,                   /* time */
		2, 0, 0, 0, 0, 0, 0, 0,                   /* sock */
		0x09, 0, 0, 0,                            /* flags: PID | UID */
		4, 7, 10, 0,                              /* family, old, new, owner */
		6, 0, 0x90, 0x1f, 0, 0,                   /* protocol, sport 8080, dport */
		127, 0, 0, 1, 0, 0, 0, 0,                 /* saddr, daddr */
		0x39, 0x30, 0, 0, 2, 's', 'h',            /* pid 12345, comm */
		0xe8, 0x03, 0, 0,                         /* uid 1000 */
	};
	const struct tca_origin o = { .host = "h", .boot_id = "bi", .run_id = 0x0102030405060708ull };
	struct tca_event ev = small_event();
	uint8_t buf[WIRE_EVENT_MAX];

	ev.flags = TCA_EV_PID | TCA_EV_UID;
	ev.pid = 12345;
	strcpy(ev.comm, "sh");
	ev.uid = 1000;
	ck_assert_int_eq(wire_encode_event(buf, sizeof(buf), &o, &ev), (ssize_t)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(gap_and_run_round_trip)
{
	const struct tca_gap gap = { .run_id = 5, .first_seq = 100, .count = 0,
				     .time_ns = 123, .reason = TCA_GAP_UNCLEAN_END, .cpu = -1 };
	const struct tca_run run = { .origin = origin, .prev_run_id = 4, .start_ns = 10,
				     .end_ns = 20, .last_seq = UINT64_MAX, .state = TCA_RUN_CLEAN };
	uint8_t buf[WIRE_RECORD_MAX];
	struct wire_record rec, copy;
	ssize_t len;

	len = wire_encode_gap(buf, sizeof(buf), &origin, &gap);
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, WIRE_GAP_MAX);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_uint_eq(rec.type, WIRE_GAP);
	check_origin(&rec);
	ck_assert_mem_eq(&rec.u.gap, &gap, sizeof(gap));

	len = wire_encode_run(buf, sizeof(buf), &run);
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, WIRE_RUN_MAX);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_uint_eq(rec.type, WIRE_RUN);
	check_origin(&rec);
	ck_assert_str_eq(rec.u.run.origin.host, origin.host);
	ck_assert_uint_eq(rec.u.run.prev_run_id, 4);
	ck_assert_uint_eq(rec.u.run.last_seq, UINT64_MAX);
	ck_assert_uint_eq(rec.u.run.state, TCA_RUN_CLEAN);

	/* A copied record points at its own strings once fixed. */
	memcpy(&copy, &rec, sizeof(rec));
	wire_record_fix(&copy);
	ck_assert_ptr_eq(copy.origin.host, copy.host);
	ck_assert_ptr_eq(copy.u.run.origin.boot_id, copy.boot_id);
}
END_TEST

/* The bounds hold for the longest strings; one byte less is -ENOBUFS. */
START_TEST(bounds_and_nobufs)
{
	char host[WIRE_STR_MAX + 2], boot[WIRE_STR_MAX + 1];
	struct tca_origin o = { .host = host, .boot_id = boot, .run_id = 1 };
	struct tca_event ev = full_event();
	struct tca_gap gap = { .reason = 1 };
	struct tca_run run = { .state = 1 };
	uint8_t buf[WIRE_RECORD_MAX + 1];

	memset(host, 'h', WIRE_STR_MAX);
	host[WIRE_STR_MAX] = '\0';
	memset(boot, 'b', WIRE_STR_MAX);
	boot[WIRE_STR_MAX] = '\0';
	ck_assert_int_eq(wire_encode_event(buf, sizeof(buf), &o, &ev), WIRE_EVENT_MAX);
	ck_assert_int_eq(wire_encode_event(buf, WIRE_EVENT_MAX - 1, &o, &ev), -ENOBUFS);
	ck_assert_int_eq(wire_encode_gap(buf, sizeof(buf), &o, &gap), WIRE_GAP_MAX);
	ck_assert_int_eq(wire_encode_gap(buf, WIRE_GAP_MAX - 1, &o, &gap), -ENOBUFS);
	run.origin = o;
	ck_assert_int_eq(wire_encode_run(buf, sizeof(buf), &run), WIRE_RUN_MAX);
	ck_assert_int_eq(wire_encode_run(buf, 0, &run), -ENOBUFS);

	/* What the encoding cannot carry. */
	host[WIRE_STR_MAX] = 'h';
	host[WIRE_STR_MAX + 1] = '\0';
	ck_assert_int_eq(wire_encode_event(buf, sizeof(buf), &o, &ev), -EINVAL);
	o.host = "";
	ck_assert_int_eq(wire_encode_gap(buf, sizeof(buf), &o, &gap), -EINVAL);
	o.host = NULL;
	ck_assert_int_eq(wire_encode_gap(buf, sizeof(buf), &o, &gap), -EINVAL);
	ev.family = 5;
	ck_assert_int_eq(wire_encode_event(buf, sizeof(buf), &origin, &ev), -EINVAL);
	ev = full_event();
	ev.flags |= 1u << 20;
	ck_assert_int_eq(wire_encode_event(buf, sizeof(buf), &origin, &ev), -EINVAL);
}
END_TEST

/* Every proper prefix of a valid record, and a byte more, are malformed. */
START_TEST(truncated_and_trailing)
{
	struct tca_event ev = full_event();
	uint8_t buf[WIRE_EVENT_MAX + 1];
	struct wire_record rec;
	ssize_t len = wire_encode_event(buf, sizeof(buf), &origin, &ev);

	ck_assert_int_gt(len, 0);
	for (ssize_t i = 0; i < len; i++)
		ck_assert_int_eq(wire_decode(buf, (size_t)i, &rec), -EBADMSG);
	buf[len] = 0;
	ck_assert_int_eq(wire_decode(buf, (size_t)len + 1, &rec), -EBADMSG);
	ck_assert_int_eq(wire_decode(NULL, 0, &rec), -EBADMSG);
}
END_TEST

static ssize_t encode_small(uint8_t *buf, size_t cap)
{
	struct tca_event ev = small_event();

	ev.flags = TCA_EV_PID;
	strcpy(ev.comm, "ab");
	return wire_encode_event(buf, cap, &origin, &ev);
}

START_TEST(corrupt_fields)
{
	uint8_t buf[WIRE_EVENT_MAX], bad[WIRE_EVENT_MAX];
	struct wire_record rec;
	size_t len = (size_t)encode_small(buf, sizeof(buf));
	size_t host_len = strlen(origin.host), boot_len = strlen(origin.boot_id);
	size_t ev_at = 2 + 1 + host_len + 1 + boot_len + 8; /* seq */
	size_t flags_at = ev_at + 24, family_at = flags_at + 4;
	size_t comm_len_at = family_at + 4 + 6 + 8 + 4;

	ck_assert_int_eq(wire_decode(buf, len, &rec), 0);
#define CORRUPT(at, val)                                                    \
	do {                                                                \
		memcpy(bad, buf, len);                                      \
		bad[(at)] = (uint8_t)(val);                                 \
		ck_assert_int_eq(wire_decode(bad, len, &rec), -EBADMSG);    \
	} while (0)
	CORRUPT(0, 0);                 /* version 0 */
	CORRUPT(0, 2);                 /* a version from the future */
	CORRUPT(1, 0);                 /* type 0 */
	CORRUPT(1, 5);                 /* unknown type */
	CORRUPT(1, WIRE_NAME);         /* an event's bytes are no name */
	CORRUPT(1, WIRE_GAP);          /* a gap is shorter: bytes left over */
	CORRUPT(2, 0);                 /* empty host */
	CORRUPT(2, 255);               /* host runs past the end */
	CORRUPT(3, 0);                 /* NUL in the host */
	CORRUPT(3 + host_len, 255);    /* boot id runs past the end */
	CORRUPT(3 + host_len + 1, 0);  /* NUL in the boot id */
	CORRUPT(flags_at + 2, 1);      /* an unknown flag */
	CORRUPT(flags_at, TCA_EV_PID | TCA_EV_BYTES); /* fields that are not there */
	CORRUPT(flags_at, 0);          /* fields left over */
	CORRUPT(family_at, 0);         /* no family */
	CORRUPT(family_at, TCA_FAMILY_IPV6); /* addresses longer than what is there */
	CORRUPT(comm_len_at, 16);      /* a comm longer than 15 */
	CORRUPT(comm_len_at, 3);       /* a comm past the end */
	CORRUPT(comm_len_at + 1, 0);   /* NUL in the comm */
#undef CORRUPT
}
END_TEST

static const struct tca_name cgroup_name = {
	.kind = TCA_NAME_CGROUP,
	.id = 0x1f3a,
	.time_ns = 1700000000123456789ull,
	.run_id = 0x0123456789abcdefull,
	.text = "/system.slice/nginx.service",
};

START_TEST(name_round_trip)
{
	uint8_t buf[WIRE_NAME_MAX], again[WIRE_NAME_MAX];
	struct tca_name nm = cgroup_name;
	struct wire_record rec, copy;
	ssize_t len, len2;

	nm.origin = 9; /* not sent: the header is the origin */
	len = wire_encode_name(buf, sizeof(buf), &origin, &nm);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_uint_eq(rec.type, WIRE_NAME);
	check_origin(&rec);
	ck_assert_uint_eq(rec.u.name.kind, TCA_NAME_CGROUP);
	ck_assert_uint_eq(rec.u.name.origin, 0);
	ck_assert_uint_eq(rec.u.name.id, nm.id);
	ck_assert_uint_eq(rec.u.name.time_ns, nm.time_ns);
	ck_assert_uint_eq(rec.u.name.run_id, nm.run_id);
	ck_assert_ptr_eq(rec.u.name.text, rec.text);
	ck_assert_str_eq(rec.u.name.text, nm.text);
	len2 = wire_encode_name(again, sizeof(again), &rec.origin, &rec.u.name);
	ck_assert_int_eq(len2, len);
	ck_assert_mem_eq(again, buf, (size_t)len);

	/* A copy points at its own text once fixed. */
	memcpy(&copy, &rec, sizeof(rec));
	wire_record_fix(&copy);
	ck_assert_ptr_eq(copy.u.name.text, copy.text);

	/* An empty text (nothing is known of it but the id) travels too. */
	nm.text = "";
	len = wire_encode_name(buf, sizeof(buf), &origin, &nm);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(wire_decode(buf, (size_t)len, &rec), 0);
	ck_assert_str_eq(rec.u.name.text, "");
}
END_TEST

/* The documented layout (tcp-audit-nats(7)), byte by byte. */
START_TEST(name_exact_bytes)
{
	static const uint8_t want[] = {
		1, 4,                                     /* version, type */
		1, 'h', 2, 'b', 'i',                      /* host, boot id */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* run id */
		1, 0, 0, 0,                               /* kind: cgroup */
		0x3a, 0x1f, 0, 0, 0, 0, 0, 0,             /* id */
		5, 0, 0, 0, 0, 0, 0, 0,                   /* time */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* run that resolved it */
		6, 0, '/', 'u', '.', 's', 'l', 'c',       /* text */
	};
	const struct tca_origin o = { .host = "h", .boot_id = "bi", .run_id = 0x0102030405060708ull };
	const struct tca_name nm = { .kind = TCA_NAME_CGROUP, .id = 0x1f3a, .time_ns = 5,
				     .run_id = 0x0102030405060708ull, .text = "/u.slc" };
	uint8_t buf[WIRE_NAME_MAX];

	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &o, &nm), (ssize_t)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

/* The longest name fits WIRE_NAME_MAX; what the encoding cannot carry is
 * refused by both sides. */
START_TEST(name_bounds_and_refusals)
{
	static char text[TCA_NAME_MAX + 1];
	char host[WIRE_STR_MAX + 1], boot[WIRE_STR_MAX + 1];
	const struct tca_origin o = { .host = host, .boot_id = boot, .run_id = 1 };
	struct tca_name nm = cgroup_name;
	static uint8_t buf[WIRE_RECORD_MAX + 1];
	static struct wire_record rec;
	ssize_t len;
	size_t text_at;

	memset(host, 'h', WIRE_STR_MAX);
	host[WIRE_STR_MAX] = '\0';
	memset(boot, 'b', WIRE_STR_MAX);
	boot[WIRE_STR_MAX] = '\0';
	memset(text, '/', TCA_NAME_MAX - 1);
	text[TCA_NAME_MAX - 1] = '\0';
	nm.text = text;
	ck_assert_int_le(WIRE_NAME_MAX, WIRE_RECORD_MAX);
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &o, &nm), WIRE_NAME_MAX);
	ck_assert_int_eq(wire_encode_name(buf, WIRE_NAME_MAX - 1, &o, &nm), -ENOBUFS);
	ck_assert_int_eq(wire_decode(buf, WIRE_NAME_MAX, &rec), 0);
	ck_assert_uint_eq(strlen(rec.u.name.text), TCA_NAME_MAX - 1);

	/* A text of TCA_NAME_MAX bytes, no text, a kind this encoding does
	 * not know: -EINVAL. */
	text[TCA_NAME_MAX - 1] = '/';
	text[TCA_NAME_MAX] = '\0';
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &o, &nm), -EINVAL);
	nm = cgroup_name;
	nm.text = NULL;
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &origin, &nm), -EINVAL);
	nm = cgroup_name;
	nm.kind = 0;
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &origin, &nm), -EINVAL);
	nm.kind = TCA_NAME_KIND_MAX + 1;
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &origin, &nm), -EINVAL);
	nm = cgroup_name;
	ck_assert_int_eq(wire_encode_name(buf, sizeof(buf), &(struct tca_origin){ .host = "" }, &nm),
			 -EINVAL);

	/* And the decoder, of a text of TCA_NAME_MAX bytes that a sender
	 * could write: the two length bytes say 4096. */
	len = wire_encode_name(buf, sizeof(buf), &origin, &cgroup_name);
	text_at = (size_t)len - strlen(cgroup_name.text);
	buf[text_at - 2] = (uint8_t)(TCA_NAME_MAX & 0xff);
	buf[text_at - 1] = (uint8_t)(TCA_NAME_MAX >> 8);
	memset(buf + text_at, 'x', TCA_NAME_MAX);
	ck_assert_int_eq(wire_decode(buf, text_at + TCA_NAME_MAX, &rec), -EBADMSG);
}
END_TEST

/* Every prefix, a byte more, and each field made bad: -EBADMSG. */
START_TEST(name_corrupt)
{
	uint8_t buf[WIRE_NAME_MAX + 1], bad[WIRE_NAME_MAX + 1];
	struct wire_record rec;
	ssize_t len = wire_encode_name(buf, sizeof(buf), &origin, &cgroup_name);
	size_t at = 2 + 1 + strlen(origin.host) + 1 + strlen(origin.boot_id) + 8; /* kind */
	size_t text_len_at = at + 4 + 8 + 8 + 8;

	ck_assert_int_gt(len, 0);
	for (ssize_t i = 0; i < len; i++)
		ck_assert_int_eq(wire_decode(buf, (size_t)i, &rec), -EBADMSG);
	buf[len] = 0;
	ck_assert_int_eq(wire_decode(buf, (size_t)len + 1, &rec), -EBADMSG);
#define CORRUPT(off, val)                                                       \
	do {                                                                    \
		memcpy(bad, buf, (size_t)len);                                  \
		bad[(off)] = (uint8_t)(val);                                    \
		ck_assert_int_eq(wire_decode(bad, (size_t)len, &rec), -EBADMSG); \
	} while (0)
	CORRUPT(1, WIRE_GAP);                /* bytes left over */
	CORRUPT(at, 0);                      /* kind 0 */
	CORRUPT(at, TCA_NAME_KIND_MAX + 1);  /* a kind of a newer edge */
	CORRUPT(at + 3, 1);                  /* kind 1 << 24 */
	CORRUPT(text_len_at, 255);           /* text past the end */
	CORRUPT(text_len_at, 0);             /* text shorter: bytes left over */
	CORRUPT(text_len_at + 1, 1);         /* 256 more bytes than there are */
	CORRUPT(text_len_at + 2, 0);         /* NUL at the start of the text */
	CORRUPT((size_t)len - 1, 0);         /* NUL at its end */
#undef CORRUPT
}
END_TEST

/* The header and seq of an event, found without decoding the rest. */
START_TEST(peek_head_and_seq)
{
	struct tca_event ev = full_event();
	struct tca_gap gap = { .reason = 1 };
	uint8_t buf[WIRE_RECORD_MAX];
	ssize_t len = wire_encode_event(buf, sizeof(buf), &origin, &ev);
	size_t head = 2 + 1 + strlen(origin.host) + 1 + strlen(origin.boot_id) + 8;
	uint64_t seq = 0;

	ck_assert_uint_eq(wire_head_len(buf, (size_t)len), head);
	ck_assert_int_eq(wire_event_seq(buf, (size_t)len, &seq), 0);
	ck_assert_uint_eq(seq, ev.seq);
	for (size_t i = 0; i < head; i++)
		ck_assert_uint_eq(wire_head_len(buf, i), 0);
	ck_assert_int_eq(wire_event_seq(buf, head + 7, &seq), -EBADMSG);
	len = wire_encode_gap(buf, sizeof(buf), &origin, &gap);
	ck_assert_uint_eq(wire_head_len(buf, (size_t)len), head);
	ck_assert_int_eq(wire_event_seq(buf, (size_t)len, &seq), -EBADMSG);
	len = wire_encode_name(buf, sizeof(buf), &origin, &cgroup_name);
	ck_assert_uint_eq(wire_head_len(buf, (size_t)len), head);
	ck_assert_int_eq(wire_event_seq(buf, (size_t)len, &seq), -EBADMSG);
	buf[0] = 9;
	ck_assert_uint_eq(wire_head_len(buf, (size_t)len), 0);
}
END_TEST

Suite *suite_wire(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, event_round_trip);
	tcase_add_test(tc, event_unsent_fields_are_zero);
	tcase_add_test(tc, event_exact_bytes);
	tcase_add_test(tc, gap_and_run_round_trip);
	tcase_add_test(tc, bounds_and_nobufs);
	tcase_add_test(tc, truncated_and_trailing);
	tcase_add_test(tc, corrupt_fields);
	tcase_add_test(tc, name_round_trip);
	tcase_add_test(tc, name_exact_bytes);
	tcase_add_test(tc, name_bounds_and_refusals);
	tcase_add_test(tc, name_corrupt);
	tcase_add_test(tc, peek_head_and_seq);
	suite_add_tcase(s, tc);
	return s;
}
