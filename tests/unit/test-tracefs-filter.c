/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/filter.c: the expression the kernel gets
 * for each option, the checks left to user space, and bad values. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

static struct tracefs_config base(void)
{
	struct tracefs_config c = { .protocol = "tcp", .family = "any" };
	return c;
}

START_TEST(test_filter_default)
{
	struct tracefs_config c = base();
	struct tfilter f = { 0 };

	ck_assert_int_eq(tfilter_build(&fix_host, &c, &f), 0);
	ck_assert_str_eq(f.kernel, "(protocol == 6)");
	tfilter_free(&f);
	c.protocol = "any";
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(tfilter_build(&fix_host, &c, &f), 0);
	ck_assert_ptr_null(f.kernel);
	tfilter_free(&f);
}
END_TEST

START_TEST(test_filter_everything)
{
	struct tracefs_config c = base();
	struct tfilter f = { 0 };

	c.protocol = "tcp,mptcp";
	c.family = "ipv6";
	c.ports = "80,443";
	c.states = "ESTABLISHED";
	c.filter = "sport > 1024";
	ck_assert_int_eq(tfilter_build(&fix_host, &c, &f), 0);
	ck_assert_str_eq(f.kernel, "(protocol == 6 || protocol == 262) && family == 10 && "
			 "(sport == 80 || dport == 80 || sport == 443 || dport == 443) && "
			 "(newstate == 1 || oldstate == 7 || newstate == 7 || newstate == 10) && "
			 "(sport > 1024)");
	ck_assert_uint_eq(f.family, TCA_FAMILY_IPV6);
	ck_assert_uint_eq(f.states, 1u << TCA_STATE_ESTABLISHED);
	tfilter_free(&f);
}
END_TEST

START_TEST(test_filter_user_space_checks)
{
	struct tracefs_config c = base();
	struct tfilter f = { 0 };
	struct tca_event ev = { .family = TCA_FAMILY_IPV4, .newstate = TCA_STATE_ESTABLISHED };

	c.family = "ipv4";
	c.addresses = "192.0.2.1,2001:db8::1";
	c.states = "ESTABLISHED";
	ck_assert_int_eq(tfilter_build(&fix_host, &c, &f), 0);
	/* IPv4 can sit in an IPv6 socket: the kernel cannot filter it. */
	ck_assert_ptr_null(strstr(f.kernel, "family"));
	memcpy(ev.daddr, "\xc0\x00\x02\x01", 4);
	ck_assert(tfilter_match(&f, &ev));
	ev.newstate = TCA_STATE_CLOSE; /* passed by the kernel for the table, hidden here */
	ck_assert(!tfilter_match(&f, &ev));
	ev.newstate = TCA_STATE_ESTABLISHED;
	memcpy(ev.daddr, "\xc0\x00\x02\x02", 4);
	ck_assert(!tfilter_match(&f, &ev));
	ev.family = TCA_FAMILY_IPV6;
	ck_assert(!tfilter_match(&f, &ev));
	tfilter_free(&f);
}
END_TEST

START_TEST(test_filter_bad_values)
{
	static const struct { const char *key, *val; } bad[] = {
		{ "protocol", "udp" }, { "protocol", "" }, { "protocol", "tcp,,tcp" },
		{ "family", "ipx" }, { "ports", "0" }, { "ports", "65536" }, { "ports", "80x" },
		{ "ports", "-1" }, { "states", "OPEN" }, { "addresses", "300.1.1.1" },
		{ "addresses", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17" },
	};
	char big[5000];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tracefs_config c = base();
		struct tfilter f = { 0 };
		if (!strcmp(bad[i].key, "protocol"))
			c.protocol = bad[i].val;
		else if (!strcmp(bad[i].key, "family"))
			c.family = bad[i].val;
		else if (!strcmp(bad[i].key, "ports"))
			c.ports = bad[i].val;
		else if (!strcmp(bad[i].key, "states"))
			c.states = bad[i].val;
		else
			c.addresses = bad[i].val;
		ck_assert_msg(tfilter_build(&fix_host, &c, &f) == -EINVAL, "%s=%s", bad[i].key,
			      bad[i].val);
		tfilter_free(&f);
	}
	/* An expression longer than the kernel takes is refused, not cut. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		struct tracefs_config c = base();
		struct tfilter f = { 0 };
		c.filter = big;
		ck_assert_int_eq(tfilter_build(&fix_host, &c, &f), -EINVAL);
		ck_assert_ptr_null(f.kernel);
	}
}
END_TEST

Suite *suite_tracefs_filter(void)
{
	Suite *s = suite_create("tracefs-filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filter_default);
	tcase_add_test(tc, test_filter_everything);
	tcase_add_test(tc, test_filter_user_space_checks);
	tcase_add_test(tc, test_filter_bad_values);
	suite_add_tcase(s, tc);
	return s;
}
