/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/filteropt.c: the eventers' filter options. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "filteropt.h"
#include "suites.h"

START_TEST(test_filteropt_ports)
{
	uint16_t p[3];
	size_t n = 99;

	ck_assert_int_eq(filteropt_ports(NULL, p, 3, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(filteropt_ports("", p, 3, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(filteropt_ports("22,443,65535", p, 3, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(p[0], 22);
	ck_assert_uint_eq(p[1], 443);
	ck_assert_uint_eq(p[2], 65535);
	ck_assert_int_eq(filteropt_ports("1,2,3,4", p, 3, &n), -E2BIG);
	ck_assert_int_eq(filteropt_ports("0", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports("65536", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports("-1", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports("80x", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports("80,,81", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports("80,", p, 3, &n), -EINVAL);
	ck_assert_int_eq(filteropt_ports(",80", p, 3, &n), -EINVAL);
}
END_TEST

START_TEST(test_filteropt_states)
{
	uint32_t m = 99;

	ck_assert_int_eq(filteropt_states(NULL, &m), 0);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(filteropt_states("LISTEN,close,TCP_ESTABLISHED", &m), 0);
	ck_assert_uint_eq(m, (1u << TCA_STATE_LISTEN) | (1u << TCA_STATE_CLOSE) |
			     (1u << TCA_STATE_ESTABLISHED));
	ck_assert_int_eq(filteropt_states("LISTEN,OPEN", &m), -EINVAL);
	ck_assert_int_eq(filteropt_states("LISTEN,", &m), -EINVAL);
}
END_TEST

START_TEST(test_filteropt_family)
{
	unsigned f = 99;

	ck_assert_int_eq(filteropt_family(NULL, &f), 0);
	ck_assert_uint_eq(f, 0);
	ck_assert_int_eq(filteropt_family("any", &f), 0);
	ck_assert_uint_eq(f, 0);
	ck_assert_int_eq(filteropt_family("ipv6", &f), 0);
	ck_assert_uint_eq(f, TCA_FAMILY_IPV6);
	ck_assert_int_eq(filteropt_family("ipx", &f), -EINVAL);
}
END_TEST

START_TEST(test_filteropt_addresses)
{
	static const uint8_t v4[16] = { 127, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	uint8_t a[2][16];
	unsigned fam[2];
	size_t n = 99;

	ck_assert_int_eq(filteropt_addresses(NULL, a, fam, 2, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(filteropt_addresses("127.0.0.1,::1", a, fam, 2, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(fam[0], TCA_FAMILY_IPV4);
	ck_assert_mem_eq(a[0], v4, 16);
	ck_assert_uint_eq(fam[1], TCA_FAMILY_IPV6);
	ck_assert_mem_eq(a[1], v6, 16);
	ck_assert_int_eq(filteropt_addresses("::1,::2,::3", a, fam, 2, &n), -E2BIG);
	ck_assert_int_eq(filteropt_addresses("1.2.3", a, fam, 2, &n), -EINVAL);
	ck_assert_int_eq(filteropt_addresses("::g", a, fam, 2, &n), -EINVAL);
	ck_assert_int_eq(filteropt_addresses("::1,", a, fam, 2, &n), -EINVAL);
}
END_TEST

static bool refuse_all(const char *path)
{
	(void)path;
	return false;
}

START_TEST(test_filteropt_inodes)
{
	uint64_t ids[2];
	size_t n = 99;
	struct stat st;

	ck_assert_int_eq(stat("/", &st), 0);
	ck_assert_int_eq(filteropt_inodes(NULL, ids, 2, &n, NULL), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(filteropt_inodes("4026531840,/", ids, 2, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(ids[0], UINT64_C(4026531840));
	ck_assert_uint_eq(ids[1], (uint64_t)st.st_ino);
	ck_assert_int_eq(filteropt_inodes("/", ids, 2, &n, refuse_all), -EINVAL);
	ck_assert_int_eq(filteropt_inodes("/nonexistent/x", ids, 2, &n, NULL), -EINVAL);
	ck_assert_int_eq(filteropt_inodes("1,2,3", ids, 2, &n, NULL), -E2BIG);
	ck_assert_int_eq(filteropt_inodes("0", ids, 2, &n, NULL), -EINVAL);
	ck_assert_int_eq(filteropt_inodes("-1", ids, 2, &n, NULL), -EINVAL);
	ck_assert_int_eq(filteropt_inodes("12x", ids, 2, &n, NULL), -EINVAL);
}
END_TEST

Suite *suite_filteropt(void)
{
	Suite *s = suite_create("filteropt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filteropt_ports);
	tcase_add_test(tc, test_filteropt_states);
	tcase_add_test(tc, test_filteropt_family);
	tcase_add_test(tc, test_filteropt_addresses);
	tcase_add_test(tc, test_filteropt_inodes);
	suite_add_tcase(s, tc);
	return s;
}
