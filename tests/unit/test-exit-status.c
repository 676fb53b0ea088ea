/* SPDX-License-Identifier: MIT */
/* Unit tests of src/exit-status.c: the documented exit statuses, and how a
 * plugin's open() error maps onto them. */
#include "config.h"

#include <errno.h>

#include "exit-status.h"
#include "suites.h"

START_TEST(test_exit_status_values)
{
	/* These numbers are in tcp-audit(8): they must not move. */
	ck_assert_int_eq(EXIT_OK, 0);
	ck_assert_int_eq(EXIT_USAGE, 64);
	ck_assert_int_eq(EXIT_NOINPUT, 66);
	ck_assert_int_eq(EXIT_PLUGIN, 69);
	ck_assert_int_eq(EXIT_SOFTWARE, 70);
	ck_assert_int_eq(EXIT_OSERR, 71);
	ck_assert_int_eq(EXIT_RUNTIME, 74);
	ck_assert_int_eq(EXIT_TEMPFAIL, 75);
	ck_assert_int_eq(EXIT_NOPERM, 77);
	ck_assert_int_eq(EXIT_CONFIG, 78);
}
END_TEST

START_TEST(test_exit_status_from_errno)
{
	static const struct { int err, status; } map[] = {
		{ EPERM, EXIT_NOPERM }, { EACCES, EXIT_NOPERM },
		{ EINVAL, EXIT_CONFIG }, { ERANGE, EXIT_CONFIG },
		{ ENOENT, EXIT_PLUGIN }, { ENODEV, EXIT_PLUGIN }, { ENOSYS, EXIT_PLUGIN },
		{ EOPNOTSUPP, EXIT_PLUGIN },
		{ EAGAIN, EXIT_TEMPFAIL }, { ECONNREFUSED, EXIT_TEMPFAIL }, { ETIMEDOUT, EXIT_TEMPFAIL },
		{ ENOSPC, EXIT_TEMPFAIL }, { EBUSY, EXIT_TEMPFAIL },
		{ ENOMEM, EXIT_OSERR },
		{ EIO, EXIT_RUNTIME }, { EPIPE, EXIT_RUNTIME },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		/* Either sign: plugins return -errno. */
		ck_assert_int_eq(exit_status_from_errno(-map[i].err), map[i].status);
		ck_assert_int_eq(exit_status_from_errno(map[i].err), map[i].status);
	}
}
END_TEST

Suite *suite_exit_status(void)
{
	Suite *s = suite_create("exit-status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_exit_status_values);
	tcase_add_test(tc, test_exit_status_from_errno);
	suite_add_tcase(s, tc);
	return s;
}
