/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/siphash.c against the SipHash-2-4
 * reference vectors (key 00..0f, message 00 01 02 ...): the 16-byte one is
 * exactly two little-endian words. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "tracefs.h"

static void ref_key(uint8_t key[16])
{
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
}

START_TEST(test_siphash_reference_vector)
{
	uint8_t key[16];

	ref_key(key);
	/* Message bytes 00..07 and 08..0f, read as little-endian words. */
	ck_assert_uint_eq(siphash_2u64(key, UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)),
			  UINT64_C(0x3f2acc7f57c29bdb));
}
END_TEST

START_TEST(test_siphash_keyed)
{
	uint8_t key[16];
	uint64_t h;

	ref_key(key);
	h = siphash_2u64(key, 1, 2);
	/* Another key, or either word changed, gives another id. */
	key[15] ^= 1;
	ck_assert_uint_ne(siphash_2u64(key, 1, 2), h);
	key[15] ^= 1;
	ck_assert_uint_eq(siphash_2u64(key, 1, 2), h);
	ck_assert_uint_ne(siphash_2u64(key, 1, 3), h);
	ck_assert_uint_ne(siphash_2u64(key, 2, 1), h);
}
END_TEST

Suite *suite_tracefs_siphash(void)
{
	Suite *s = suite_create("tracefs-siphash");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_siphash_reference_vector);
	tcase_add_test(tc, test_siphash_keyed);
	suite_add_tcase(s, tc);
	return s;
}
