/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/cgpath.c on a fake cgroup2 tree (a kernfs inode number
 * is the cgroup id, a directory's inode here): a new id's path is logged
 * and handed once, never for id 0 or a cgroup that is gone, a read's
 * name records fill up to their room and say when it is full, and a full
 * table starts afresh at a read's start. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgpath.h"
#include "suites.h"

static char logged[4096];

static void cg_log(const struct tca_host *host, int prio, int errnum, const char *fmt, ...)
{
	size_t len = strlen(logged);
	va_list ap;

	(void)host;
	(void)prio;
	(void)errnum;
	va_start(ap, fmt);
	vsnprintf(logged + len, sizeof(logged) - len, fmt, ap);
	va_end(ap);
	len = strlen(logged);
	snprintf(logged + len, sizeof(logged) - len, "\n");
}

static const struct tca_host host22 = {
	.abi_major = TCA_ABI_MAJOR, .abi_minor = 2, .struct_size = sizeof(struct tca_host),
	.log = cg_log, .hostname = "testhost",
};
static const struct tca_host host21 = {
	.abi_major = TCA_ABI_MAJOR, .abi_minor = 1, .struct_size = sizeof(struct tca_host),
	.log = cg_log, .hostname = "testhost",
};

static char *root;

static uint64_t make_cgroup(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void setup(void)
{
	logged[0] = '\0';
	root = make_tmpdir();
}

static void teardown(void)
{
	rm_tree(root);
	free(root);
}

START_TEST(first_once)
{
	uint64_t web, gone;
	struct cgpaths *cg;
	char want[128];
	const char *p;

	make_cgroup("system.slice");
	web = make_cgroup("system.slice/web.service");
	gone = make_cgroup("gone.scope");
	{
		char path[512];
		snprintf(path, sizeof(path), "%s/gone.scope", root);
		ck_assert_int_eq(rmdir(path), 0);
	}
	cg = cgpaths_new_at(&host22, root);
	ck_assert_ptr_nonnull(cg);
	p = cgpaths_first(cg, web);
	ck_assert_str_eq(p, "/system.slice/web.service");
	snprintf(want, sizeof(want), "cgroup %llu is /system.slice/web.service\n",
		 (unsigned long long)web);
	ck_assert_str_eq(logged, want);
	/* Met before: nothing, and nothing logged. */
	ck_assert_ptr_null(cgpaths_first(cg, web));
	ck_assert_ptr_null(cgpaths_first(cg, 0));
	ck_assert_str_eq(logged, want);
	/* Gone: no path, logged once as gone. */
	logged[0] = '\0';
	ck_assert_ptr_null(cgpaths_first(cg, gone));
	ck_assert_ptr_nonnull(strstr(logged, " is gone "));
	logged[0] = '\0';
	ck_assert_ptr_null(cgpaths_first(cg, gone));
	ck_assert_str_eq(logged, "");
	/* The root of the mount is "/". */
	{
		struct stat st;
		ck_assert_int_eq(stat(root, &st), 0);
		ck_assert_str_eq(cgpaths_first(cg, (uint64_t)st.st_ino), "/");
	}
	/* The text stays valid after later lookups. */
	ck_assert_str_eq(p, "/system.slice/web.service");
	cgpaths_free(cg);
}
END_TEST

START_TEST(hand_fills_names)
{
	uint64_t a = make_cgroup("a"), b = make_cgroup("b"), c = make_cgroup("c");
	struct cgpaths *cg = cgpaths_new_at(&host22, root);
	struct tca_name names[2];
	struct tca_read r = { .name = names, .name_cap = 2 };
	bool wanted = cgpaths_read_begin(cg, &host22, &r);

	ck_assert(wanted);
	ck_assert(!cgpaths_hand(cg, wanted, &r, a));
	ck_assert(!cgpaths_hand(cg, wanted, &r, a)); /* met: no second name */
	ck_assert(!cgpaths_hand(cg, wanted, &r, 0));
	ck_assert_uint_eq(r.nname, 1);
	ck_assert_uint_eq(names[0].kind, TCA_NAME_CGROUP);
	ck_assert_uint_eq(names[0].id, a);
	ck_assert_str_eq(names[0].text, "/a");
	ck_assert_uint_gt(names[0].time_ns, 1700000000ull * 1000000000ull);
	/* The second fills the room: the read must stop after this event. */
	ck_assert(cgpaths_hand(cg, wanted, &r, b));
	ck_assert_uint_eq(r.nname, 2);
	ck_assert_str_eq(names[1].text, "/b");
	/* The next read: room again, and c is new. */
	ck_assert(cgpaths_read_begin(cg, &host22, &r));
	ck_assert_uint_eq(r.nname, 0);
	ck_assert(!cgpaths_hand(cg, wanted, &r, c));
	ck_assert_uint_eq(r.nname, 1);
	ck_assert_uint_eq(names[0].id, c);
	ck_assert_str_eq(names[0].text, "/c");
	cgpaths_free(cg);
}
END_TEST

START_TEST(not_wanted)
{
	uint64_t a = make_cgroup("a");
	struct cgpaths *cg = cgpaths_new_at(&host21, root);
	struct tca_name names[2];
	struct tca_read r = { .name = names, .name_cap = 2 };

	/* An older processor has no name fields: only the log. */
	ck_assert(!cgpaths_read_begin(cg, &host21, &r));
	ck_assert(!cgpaths_read_begin(cg, &host22, &(struct tca_read){ 0 }));
	ck_assert(!cgpaths_hand(cg, false, &r, a));
	ck_assert_uint_eq(r.nname, 0);
	ck_assert_ptr_nonnull(strstr(logged, " is /a\n"));
	/* No cgroup2 mount (cgpaths NULL when cgroup_paths=no): nothing. */
	ck_assert(!cgpaths_hand(NULL, true, &r, a));
	ck_assert_uint_eq(r.nname, 0);
	cgpaths_free(cg);
}
END_TEST

START_TEST(starts_afresh)
{
	uint64_t a = make_cgroup("a");
	struct cgpaths *cg = cgpaths_new_at(&host22, root);
	struct tca_read r = { 0 };

	ck_assert_str_eq(cgpaths_first(cg, a), "/a");
	/* Below 2048 ids, a read's start changes nothing. */
	cgpaths_read_begin(cg, &host22, &r);
	ck_assert_ptr_null(cgpaths_first(cg, a));
	/* Ids of no directory (gone), far from any inode number here. */
	for (uint64_t i = 1; i < 2048; i++)
		ck_assert_ptr_null(cgpaths_first(cg, (UINT64_C(1) << 44) + i));
	ck_assert_ptr_null(cgpaths_first(cg, a));
	/* 2048: the next read starts afresh, and a is named again. */
	cgpaths_read_begin(cg, &host22, &r);
	logged[0] = '\0';
	ck_assert_str_eq(cgpaths_first(cg, a), "/a");
	ck_assert_ptr_nonnull(strstr(logged, " is /a\n"));
	cgpaths_free(cg);
}
END_TEST

Suite *suite_cgpath(void)
{
	Suite *s = suite_create("cgpath");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, first_once);
	tcase_add_test(tc, hand_fills_names);
	tcase_add_test(tc, not_wanted);
	tcase_add_test(tc, starts_afresh);
	suite_add_tcase(s, tc);
	return s;
}
