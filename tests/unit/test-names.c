/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/names.c: the canonical names of states, families and
 * protocols, both ways. */
#include "config.h"

#include <errno.h>
#include <ctype.h>
#include <stdio.h>

#include "names.h"
#include "suites.h"

static const struct {
	unsigned number;
	const char *name;
} states[] = {
	{ 1, "ESTABLISHED" }, { 2, "SYN_SENT" }, { 3, "SYN_RECV" }, { 4, "FIN_WAIT1" },
	{ 5, "FIN_WAIT2" }, { 6, "TIME_WAIT" }, { 7, "CLOSE" }, { 8, "CLOSE_WAIT" },
	{ 9, "LAST_ACK" }, { 10, "LISTEN" }, { 11, "CLOSING" }, { 12, "NEW_SYN_RECV" },
};

START_TEST(test_names_states)
{
	char prefixed[32], lower[32];
	size_t i = (size_t)_i;

	/* The kernel's numbers (include/net/tcp_states.h), named without "TCP_". */
	ck_assert_str_eq(names_state(states[i].number), states[i].name);
	ck_assert_int_eq(names_state_parse(states[i].name), (int)states[i].number);
	snprintf(prefixed, sizeof(prefixed), "TCP_%s", states[i].name);
	ck_assert_int_eq(names_state_parse(prefixed), (int)states[i].number);
	for (size_t k = 0; states[i].name[k] && k < sizeof(lower) - 1; k++) {
		lower[k] = (char)tolower((unsigned char)states[i].name[k]);
		lower[k + 1] = '\0';
	}
	ck_assert_int_eq(names_state_parse(lower), (int)states[i].number);
}
END_TEST

START_TEST(test_names_states_unknown)
{
	ck_assert_uint_eq(sizeof(states) / sizeof(states[0]), TCA_STATE_MAX);
	ck_assert_str_eq(names_state(0), "UNKNOWN");
	ck_assert_str_eq(names_state(13), "UNKNOWN");
	ck_assert_str_eq(names_state(255), "UNKNOWN");
	ck_assert_str_eq(names_state(~0u), "UNKNOWN");
	ck_assert_int_eq(names_state_parse("UNKNOWN"), -EINVAL);
	ck_assert_int_eq(names_state_parse("TCP_"), -EINVAL);
	ck_assert_int_eq(names_state_parse(""), -EINVAL);
	ck_assert_int_eq(names_state_parse("ESTABLISHED2"), -EINVAL);
	ck_assert_int_eq(names_state_parse("TCP_TCP_LISTEN"), -EINVAL);
}
END_TEST

START_TEST(test_names_family_protocol)
{
	ck_assert_str_eq(names_family(TCA_FAMILY_IPV4), "ipv4");
	ck_assert_str_eq(names_family(TCA_FAMILY_IPV6), "ipv6");
	ck_assert_str_eq(names_family(0), "unknown");
	ck_assert_str_eq(names_family(2), "unknown"); /* AF_INET is not a tca_family */
	ck_assert_int_eq(names_family_parse("ipv4"), TCA_FAMILY_IPV4);
	ck_assert_int_eq(names_family_parse("IPv6"), TCA_FAMILY_IPV6);
	ck_assert_int_eq(names_family_parse("inet"), TCA_FAMILY_IPV4);
	ck_assert_int_eq(names_family_parse("inet6"), TCA_FAMILY_IPV6);
	ck_assert_int_eq(names_family_parse("ipx"), -EINVAL);

	ck_assert_str_eq(names_protocol(TCA_PROTO_TCP), "tcp");
	ck_assert_str_eq(names_protocol(TCA_PROTO_MPTCP), "mptcp");
	ck_assert_str_eq(names_protocol(TCA_PROTO_SCTP), "sctp");
	ck_assert_str_eq(names_protocol(17), "unknown");
	ck_assert_int_eq(names_protocol_parse("TCP"), TCA_PROTO_TCP);
	ck_assert_int_eq(names_protocol_parse("mptcp"), TCA_PROTO_MPTCP);
	ck_assert_int_eq(names_protocol_parse("sctp"), TCA_PROTO_SCTP);
	ck_assert_int_eq(names_protocol_parse("udp"), -EINVAL);
}
END_TEST

START_TEST(test_names_name_kind)
{
	ck_assert_str_eq(names_name_kind(TCA_NAME_CGROUP), "cgroup");
	ck_assert_str_eq(names_name_kind(0), "unknown");
	ck_assert_str_eq(names_name_kind(TCA_NAME_KIND_MAX + 1), "unknown");
}
END_TEST

Suite *suite_names(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_names_states, 0, (int)(sizeof(states) / sizeof(states[0])));
	tcase_add_test(tc, test_names_states_unknown);
	tcase_add_test(tc, test_names_family_protocol);
	tcase_add_test(tc, test_names_name_kind);
	suite_add_tcase(s, tc);
	return s;
}
