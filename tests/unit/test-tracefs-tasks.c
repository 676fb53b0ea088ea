/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/tasks.c: records of the four task events
 * (Linux 6.18's formats) applied to the task map, including an exec whose
 * file name's __data_loc points past the record, and short records. */
#include "config.h"

#include <string.h>

#include "suites.h"
#include "tracefs-fixture.h"

static struct ttasks tk;
static struct pidcache *pc;
static char *proc;

static void setup(void)
{
	proc = make_tmpdir(); /* an empty /proc: only the stream knows tasks */
	pc = pidcache_new();
	ck_assert_ptr_nonnull(pc);
	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	ck_assert_int_eq(fix_tasks(&tk), 0);
}

static void teardown(void)
{
	pidcache_free(pc);
	rm_tree(proc);
	free(proc);
}

static int apply(int which, const uint8_t *rec, size_t size, int32_t *ended)
{
	uint16_t type;

	memcpy(&type, rec, 2);
	ck_assert_int_eq(type, tk.fmt[which].id);
	return ttasks_event(&tk, pc, type, rec, size, ended);
}

static void put32(uint8_t *rec, size_t off, int32_t v)
{
	memcpy(rec + off, &v, 4);
}

static void header(uint8_t *rec, int which, int32_t common_pid)
{
	uint16_t type = (uint16_t)tk.fmt[which].id;

	memcpy(rec, &type, 2);
	put32(rec, 4, common_pid);
}

#define ck_task(tid, want_pid, want_comm)                                        \
	do {                                                                     \
		int32_t p_ = 0;                                                  \
		char c_[TCA_COMM_LEN];                                           \
		ck_assert(pidcache_get(pc, (tid), 0, &p_, c_));                  \
		ck_assert_int_eq(p_, (want_pid));                                \
		ck_assert_str_eq(c_, (want_comm));                               \
	} while (0)

/* task_newtask: pid 8, comm 12, clone_flags 32 (u64). */
static void newtask(int32_t parent, int32_t tid, const char *comm, uint64_t flags)
{
	uint8_t rec[48] = { 0 };
	int32_t ended;

	header(rec, TTASK_NEW, parent);
	put32(rec, 8, tid);
	memcpy(rec + 12, comm, strlen(comm));
	memcpy(rec + 32, &flags, 8);
	ck_assert_int_eq(apply(TTASK_NEW, rec, sizeof(rec), &ended), 1);
	ck_assert_int_eq(ended, 0);
}

START_TEST(test_tasks_life_of_a_client)
{
	uint8_t rec[64] = { 0 };
	const char file[] = "/usr/bin/wget";
	uint32_t loc = (uint32_t)sizeof(file) << 16 | 20;
	int32_t ended;

	newtask(1, 300, "bash", 0);
	ck_task(300, 300, "bash");
	/* sched_process_exec: filename __data_loc 8, pid 12, old_pid 16. */
	header(rec, TTASK_EXEC, 300);
	memcpy(rec + 8, &loc, 4);
	put32(rec, 12, 300);
	put32(rec, 16, 300);
	memcpy(rec + 20, file, sizeof(file));
	ck_assert_int_eq(apply(TTASK_EXEC, rec, 20 + sizeof(file), &ended), 1);
	ck_task(300, 300, "wget");
	/* A thread of it: its process is wget's. */
	newtask(300, 301, "wget", 0x00010000);
	ck_task(301, 300, "wget");
	/* task_rename: pid 8, newcomm 28. */
	memset(rec, 0, sizeof(rec));
	header(rec, TTASK_RENAME, 301);
	put32(rec, 8, 301);
	memcpy(rec + 28, "resolver", 8);
	ck_assert_int_eq(apply(TTASK_RENAME, rec, 46, &ended), 1);
	ck_task(301, 300, "resolver");
	/* sched_process_exit: comm 8, pid 24. The thread, then the leader. */
	memset(rec, 0, sizeof(rec));
	header(rec, TTASK_EXIT, 301);
	put32(rec, 24, 301);
	ck_assert_int_eq(apply(TTASK_EXIT, rec, 36, &ended), 1);
	ck_assert_int_eq(ended, 0);
	put32(rec, 24, 300);
	ck_assert_int_eq(apply(TTASK_EXIT, rec, 36, &ended), 1);
	ck_assert_int_eq(ended, 300);
	/* Its close at exit still names it. */
	ck_task(300, 300, "wget");
}
END_TEST

START_TEST(test_tasks_bad_records)
{
	uint8_t rec[64] = { 0 };
	uint32_t loc = 200u << 16 | 20; /* 200 bytes where there are 44 */
	int32_t ended;

	newtask(1, 400, "sh", 0);
	header(rec, TTASK_EXEC, 400);
	memcpy(rec + 8, &loc, 4);
	put32(rec, 12, 400);
	put32(rec, 16, 400);
	ck_assert_int_eq(apply(TTASK_EXEC, rec, sizeof(rec), &ended), 1);
	ck_task(400, 400, "sh");
	loc = 4u << 16 | 60000; /* an offset past the record */
	memcpy(rec + 8, &loc, 4);
	ck_assert_int_eq(apply(TTASK_EXEC, rec, sizeof(rec), &ended), 1);
	ck_task(400, 400, "sh");
	/* Shorter than its fields: ours, but ignored. */
	header(rec, TTASK_NEW, 1);
	put32(rec, 8, 401);
	ck_assert_int_eq(apply(TTASK_NEW, rec, 20, &ended), 1);
	ck_assert(!pidcache_get(pc, 401, 0, &ended, (char[TCA_COMM_LEN]){ 0 }));
	/* Not a task event at all. */
	ck_assert_int_eq(ttasks_event(&tk, pc, FIX_EVENT_ID, rec, sizeof(rec), &ended), 0);
}
END_TEST

Suite *suite_tracefs_tasks(void)
{
	Suite *s = suite_create("tracefs-tasks");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tasks_life_of_a_client);
	tcase_add_test(tc, test_tasks_bad_records);
	suite_add_tcase(s, tc);
	return s;
}
