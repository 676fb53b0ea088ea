/* SPDX-License-Identifier: MIT */
/* Unit tests of src/value.c: typed option values. */
#include "config.h"

#include <errno.h>

#include "suites.h"
#include "value.h"

START_TEST(test_value_size)
{
	uint64_t v;

	ck_assert_int_eq(value_parse_size("512", &v), 0);
	ck_assert_uint_eq(v, 512);
	ck_assert_int_eq(value_parse_size("64K", &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(value_parse_size("16M", &v), 0);
	ck_assert_uint_eq(v, 16u << 20);
	ck_assert_int_eq(value_parse_size("2GiB", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(value_parse_size("1T", &v), 0);
	ck_assert_uint_eq(v, 1ull << 40);
	ck_assert_int_eq(value_parse_size("8kb", &v), 0);
	ck_assert_uint_eq(v, 8192);
	ck_assert_int_eq(value_parse_size(" 3 M", &v), 0);
	ck_assert_uint_eq(v, 3u << 20);
	ck_assert_int_eq(value_parse_size("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(value_parse_size("1.5M", &v), -EINVAL);
	ck_assert_int_eq(value_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(value_parse_size("12Q", &v), -EINVAL);
	ck_assert_int_eq(value_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(value_parse_size("", &v), -EINVAL);
	ck_assert_int_eq(value_parse_size("99999999999999T", &v), -ERANGE);
	ck_assert_int_eq(value_parse_size("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(value_parse_size("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(test_value_duration)
{
	uint64_t v;

	ck_assert_int_eq(value_parse_duration("250ms", &v), 0);
	ck_assert_uint_eq(v, 250);
	ck_assert_int_eq(value_parse_duration("5", &v), 0);
	ck_assert_uint_eq(v, 5000);
	ck_assert_int_eq(value_parse_duration("2m", &v), 0);
	ck_assert_uint_eq(v, 120000);
	ck_assert_int_eq(value_parse_duration("7d", &v), 0);
	ck_assert_uint_eq(v, 7ull * 86400000);
	ck_assert_int_eq(value_parse_duration("30s", &v), 0);
	ck_assert_uint_eq(v, 30000);
	ck_assert_int_eq(value_parse_duration("3sec", &v), 0);
	ck_assert_uint_eq(v, 3000);
	ck_assert_int_eq(value_parse_duration("5min", &v), 0);
	ck_assert_uint_eq(v, 300000);
	ck_assert_int_eq(value_parse_duration("1h", &v), 0);
	ck_assert_uint_eq(v, 3600000);
	ck_assert_int_eq(value_parse_duration("10 MS", &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(value_parse_duration("-5s", &v), -EINVAL);
	ck_assert_int_eq(value_parse_duration("", &v), -EINVAL);
	ck_assert_int_eq(value_parse_duration("1w", &v), -EINVAL);
	ck_assert_int_eq(value_parse_duration("999999999999999999d", &v), -ERANGE);
	ck_assert_int_eq(value_parse_duration("soon", &v), -EINVAL);
	ck_assert_int_eq(value_parse_duration("0x10s", &v), -EINVAL);
	ck_assert_int_eq(value_parse_duration("010", &v), 0);
	ck_assert_uint_eq(v, 10000);
	/* Near 2^64 ms a deadline (now + timeout) would wrap: refused. */
	ck_assert_int_eq(value_parse_duration("18446744073709551615ms", &v), -ERANGE);
	ck_assert_int_eq(value_parse_duration("9223372036854775807ms", &v), -ERANGE);
	ck_assert_int_eq(value_parse_duration("9223372036854ms", &v), 0);
	ck_assert_uint_eq(v, VALUE_DURATION_MAX_MS);
	ck_assert_int_eq(value_parse_duration("9223372036855ms", &v), -ERANGE);
	ck_assert_int_eq(value_parse_duration("5 parsecs", &v), -EINVAL);
}
END_TEST

START_TEST(test_value_bool_int)
{
	bool b;
	int64_t i;

	ck_assert_int_eq(value_parse_bool("yes", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(value_parse_bool("Off", &b), 0);
	ck_assert(!b);
	static const char *const yes[] = { "1", "yes", "true", "on", "YES", "True" };
	static const char *const no[] = { "0", "no", "false", "off", "NO", "False" };
	for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
		b = false;
		ck_assert_int_eq(value_parse_bool(yes[k], &b), 0);
		ck_assert_msg(b, "%s is true", yes[k]);
		b = true;
		ck_assert_int_eq(value_parse_bool(no[k], &b), 0);
		ck_assert_msg(!b, "%s is false", no[k]);
	}
	ck_assert_int_eq(value_parse_bool("maybe", &b), -EINVAL);
	ck_assert_int_eq(value_parse_bool("", &b), -EINVAL);
	ck_assert_int_eq(value_parse_bool("yess", &b), -EINVAL);
	ck_assert_int_eq(value_parse_int("-42", &i), 0);
	ck_assert_int_eq(i, -42);
	/* Decimal, as documented: no octal, no hex. */
	ck_assert_int_eq(value_parse_int("010", &i), 0);
	ck_assert_int_eq(i, 10);
	ck_assert_int_eq(value_parse_int("08", &i), 0);
	ck_assert_int_eq(i, 8);
	ck_assert_int_eq(value_parse_int("0x10", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int(" 5", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int("+", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int("+7", &i), 0);
	ck_assert_int_eq(i, 7);
	ck_assert_int_eq(value_parse_int("9223372036854775807", &i), 0);
	ck_assert_int_eq(i, INT64_MAX);
	ck_assert_int_eq(value_parse_int("-9223372036854775808", &i), 0);
	ck_assert_int_eq(i, INT64_MIN);
	ck_assert_int_eq(value_parse_int("9223372036854775808", &i), -ERANGE);
	ck_assert_int_eq(value_parse_int("", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int("1 ", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int("12abc", &i), -EINVAL);
	ck_assert_int_eq(value_parse_int("99999999999999999999", &i), -ERANGE);
}
END_TEST

Suite *suite_value(void)
{
	Suite *s = suite_create("value");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_value_size);
	tcase_add_test(tc, test_value_duration);
	tcase_add_test(tc, test_value_bool_int);
	suite_add_tcase(s, tc);
	return s;
}
