/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/connfold.c: one summary per socket out of a batch. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "connfold.h"
#include "suites.h"

static struct tca_event ev_make(uint64_t sock, uint64_t seq, uint64_t t, unsigned old,
				unsigned new_state, uint16_t sport)
{
	struct tca_event ev = { .time_ns = t, .sock = sock, .seq = seq, .family = TCA_FAMILY_IPV4,
				.protocol = TCA_PROTO_TCP, .oldstate = (uint8_t)old,
				.newstate = (uint8_t)new_state, .sport = sport, .dport = 443 };

	ev.saddr[0] = 192, ev.saddr[3] = 1;
	ev.daddr[0] = 198, ev.daddr[3] = 7;
	return ev;
}

static void ev_owner(struct tca_event *ev, int32_t pid, const char *comm, unsigned owner)
{
	ev->flags |= TCA_EV_PID;
	ev->pid = pid;
	ev->owner = (uint8_t)owner;
	snprintf(ev->comm, sizeof(ev->comm), "%s", comm);
}

START_TEST(test_connfold_two_sockets)
{
	struct connfold f;
	struct tca_event ev[5] = {
		ev_make(7, 1, 100, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, 0),
		ev_make(9, 2, 150, TCA_STATE_SYN_RECV, TCA_STATE_ESTABLISHED, 80),
		ev_make(7, 3, 200, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 40001),
		ev_make(7, 4, 300, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, 40002),
		ev_make(9, 5, 120, TCA_STATE_ESTABLISHED, TCA_STATE_CLOSE_WAIT, 80),
	};
	long idx[5];

	ev_owner(&ev[1], 400, "nginx", TCA_OWNER_LISTENER);
	ev_owner(&ev[4], 401, "nginx-w", TCA_OWNER_HOLDER);
	ev_owner(&ev[2], 100, "curl", TCA_OWNER_HOLDER);
	ev_owner(&ev[3], 5, "other", TCA_OWNER_LISTENER);
	ev[3].flags |= TCA_EV_BYTES;
	ev[3].bytes_sent = 10, ev[3].bytes_received = 20;
	ck_assert_int_eq(connfold_init(&f, 8), 0);
	for (int i = 0; i < 5; i++)
		idx[i] = connfold_add(&f, &ev[i]);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_int_eq(idx[0], idx[2]);
	ck_assert_int_eq(idx[0], idx[3]);
	ck_assert_int_eq(idx[1], idx[4]);
	ck_assert_int_ne(idx[0], idx[1]);

	const struct connfold_conn *c = &f.conn[idx[0]];
	ck_assert_uint_eq(c->sock, 7);
	ck_assert_uint_eq(c->events, 3);
	ck_assert_uint_eq(c->first_ns, 100);
	ck_assert_uint_eq(c->last_ns, 300);
	ck_assert_uint_eq(c->last_seq, 4);
	ck_assert_uint_eq(c->state, TCA_STATE_FIN_WAIT1);
	ck_assert_uint_eq(c->states, (1u << TCA_STATE_CLOSE) | (1u << TCA_STATE_SYN_SENT) |
					     (1u << TCA_STATE_ESTABLISHED) |
					     (1u << TCA_STATE_FIN_WAIT1));
	/* The first port that is not zero; a later one does not move it. */
	ck_assert_uint_eq(c->sport, 40001);
	ck_assert_uint_eq(c->saddr[0], 192);
	/* A holder is not replaced by a listener's owner. */
	ck_assert_int_eq(c->pid, 100);
	ck_assert_str_eq(c->comm, "curl");
	ck_assert_uint_eq(c->owner, TCA_OWNER_HOLDER);
	ck_assert(c->flags & TCA_EV_BYTES);
	ck_assert_uint_eq(c->bytes_received, 20);

	c = &f.conn[idx[1]];
	ck_assert_uint_eq(c->events, 2);
	/* Times out of order: the earliest and the latest. */
	ck_assert_uint_eq(c->first_ns, 120);
	ck_assert_uint_eq(c->last_ns, 150);
	/* The newest event's state, and the holder over the listener. */
	ck_assert_uint_eq(c->state, TCA_STATE_CLOSE_WAIT);
	ck_assert_int_eq(c->pid, 401);
	ck_assert_uint_eq(c->owner, TCA_OWNER_HOLDER);
	ck_assert(!(c->flags & TCA_EV_BYTES));
	connfold_free(&f);
}
END_TEST

START_TEST(test_connfold_cap_and_reset)
{
	struct connfold f;
	struct tca_event ev;

	ck_assert_int_eq(connfold_init(&f, 3), 0);
	for (uint64_t s = 1; s <= 3; s++) {
		ev = ev_make(s << 40, s, s, TCA_STATE_CLOSE, TCA_STATE_LISTEN, 80);
		ck_assert_int_eq(connfold_add(&f, &ev), (long)s - 1);
	}
	/* Full: a fourth socket has no room, a known one still folds. */
	ev = ev_make(4 << 20, 4, 4, TCA_STATE_CLOSE, TCA_STATE_LISTEN, 80);
	ck_assert_int_eq(connfold_add(&f, &ev), -1);
	ev = ev_make(2ull << 40, 5, 5, TCA_STATE_LISTEN, TCA_STATE_CLOSE, 80);
	ck_assert_int_eq(connfold_add(&f, &ev), 1);
	ck_assert_uint_eq(f.conn[1].events, 2);
	/* After a reset the same socket is new again. */
	connfold_reset(&f);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_int_eq(connfold_add(&f, &ev), 0);
	ck_assert_uint_eq(f.conn[0].events, 1);
	ck_assert_uint_eq(f.conn[0].first_ns, 5);
	connfold_free(&f);
}
END_TEST

/* Many sockets whose ids collide in the low bits still fold apart. */
START_TEST(test_connfold_many)
{
	struct connfold f;
	struct tca_event ev;

	ck_assert_int_eq(connfold_init(&f, 1000), 0);
	for (int round = 0; round < 2; round++)
		for (uint64_t s = 0; s < 500; s++) {
			ev = ev_make(s << 32, s, s, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, 1);
			ck_assert_int_eq(connfold_add(&f, &ev), (long)s);
		}
	ck_assert_uint_eq(f.n, 500);
	for (size_t i = 0; i < f.n; i++)
		ck_assert_uint_eq(f.conn[i].events, 2);
	connfold_free(&f);
}
END_TEST

Suite *suite_connfold(void)
{
	Suite *s = suite_create("connfold");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_connfold_two_sockets);
	tcase_add_test(tc, test_connfold_cap_and_reset);
	tcase_add_test(tc, test_connfold_many);
	suite_add_tcase(s, tc);
	return s;
}
