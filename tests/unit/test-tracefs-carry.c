/* SPDX-License-Identifier: MIT */
/* Unit tests of the socket table's trip across a restart (socktab.c's
 * save and load, which keep.c uses): a socket alive across it keeps its
 * id, a new one gets a new id, and the saved file holds no kernel
 * address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

#define SK_ALIVE UINT64_C(0xffff8881deadbe00)
#define SK_CLOSED UINT64_C(0xffff8881feedfa00)

/* One softirq event (no owner to look up) on socket sk. */
static struct tca_event carry_ev(struct socktab *st, uint64_t sk, int old, int new, uint64_t ts)
{
	struct tca_event ev = { .family = TCA_FAMILY_IPV4, .oldstate = (uint8_t)old,
				.newstate = (uint8_t)new, .sport = 40000, .dport = 80 };
	struct traw raw = { .skaddr = sk, .ts = ts, .pid = 1 };

	memcpy(ev.saddr, "\x7f\0\0\x01", 4);
	memcpy(ev.daddr, "\x7f\0\0\x02", 4);
	socktab_attribute(st, NULL, 0, &raw, &ev);
	return ev;
}

START_TEST(test_carry_keeps_ids_across_a_restart)
{
	struct socktab *a = socktab_new(64), *b = socktab_new(64);
	struct tca_event alive, closed, later, again, fresh;
	uint8_t key[16];
	uint64_t lives, n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	alive = carry_ev(a, SK_ALIVE, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 10);
	closed = carry_ev(a, SK_CLOSED, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 11);
	carry_ev(a, SK_CLOSED, TCA_STATE_ESTABLISHED, TCA_STATE_CLOSE, 12);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(socktab_save(a, f, &n), 0);
	fclose(f);
	ck_assert_uint_eq(n, 1); /* the closed socket's entry went at CLOSE */
	ck_assert_uint_eq(len, n * socktab_saved_size());
	/* No kernel address, in either byte order of a 64-bit word. */
	for (size_t i = 0; i + 8 <= len; i++) {
		uint64_t w;
		memcpy(&w, buf + i, 8);
		ck_assert_uint_ne(w, SK_ALIVE);
		ck_assert_uint_ne(__builtin_bswap64(w), SK_ALIVE);
	}
	socktab_get_key(a, key, &lives);
	socktab_set_key(b, key, lives);
	f = fmemopen(buf, len, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(socktab_load(b, f, n, socktab_saved_size()), 0);
	fclose(f);
	later = carry_ev(b, SK_ALIVE, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, 20);
	ck_assert_uint_eq(later.sock, alive.sock);
	/* Taken once: its next event finds it in the table, same id. */
	again = carry_ev(b, SK_ALIVE, TCA_STATE_FIN_WAIT1, TCA_STATE_FIN_WAIT2, 21);
	ck_assert_uint_eq(again.sock, alive.sock);
	/* The closed socket's address reused: a new life, an id never given. */
	fresh = carry_ev(b, SK_CLOSED, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, 22);
	ck_assert_uint_ne(fresh.sock, closed.sock);
	ck_assert_uint_ne(fresh.sock, alive.sock);
	/* Records of another build's layout are refused, not misread. */
	f = fmemopen(buf, len, "rb");
	ck_assert_int_eq(socktab_load(b, f, n, socktab_saved_size() + 8), -EINVAL);
	fclose(f);
	free(buf);
	socktab_free(a);
	socktab_free(b);
}
END_TEST

Suite *suite_tracefs_carry(void)
{
	Suite *s = suite_create("tracefs-carry");
	TCase *tc = tcase_create("carry");

	tcase_add_test(tc, test_carry_keeps_ids_across_a_restart);
	suite_add_tcase(s, tc);
	return s;
}
