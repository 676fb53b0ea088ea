/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/pidcache.c: the task map kept by the
 * stream's task events over a /proc walked once (a fake /proc here):
 * new processes and threads, exec, rename, reuse of an id, exit, and the
 * fall back to /proc after a loss. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "tracefs-fixture.h"

static char *proc;

/* A task in the fake /proc: DIR/TID/{status,comm} and DIR/PID/task/TID. */
static void fake_task(int pid, int tid, const char *comm)
{
	char path[512], text[128];

	snprintf(path, sizeof(path), "%s/%d", proc, tid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/status", proc, tid);
	snprintf(text, sizeof(text), "Name:\t%s\nTgid:\t%d\nPid:\t%d\n", comm, pid, tid);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/%d/comm", proc, tid);
	snprintf(text, sizeof(text), "%s\n", comm);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/%d/task", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/task/%d", proc, pid, tid);
	mkdir(path, 0755);
}

static void setup(void)
{
	proc = make_tmpdir();
	fake_task(100, 100, "sshd");
	fake_task(100, 101, "sshd-worker");
}

static void teardown(void)
{
	rm_tree(proc);
	free(proc);
}

#define ck_task(pc, tid, want_pid, want_comm)                                     \
	do {                                                                      \
		int32_t p_ = 0;                                                   \
		char c_[TCA_COMM_LEN];                                            \
		ck_assert(pidcache_get((pc), (tid), 0, &p_, c_));                 \
		ck_assert_int_eq(p_, (want_pid));                                 \
		ck_assert_str_eq(c_, (want_comm));                                \
	} while (0)

static bool known(struct pidcache *pc, int tid)
{
	int32_t p;
	char c[TCA_COMM_LEN];

	return pidcache_get(pc, tid, 0, &p, c);
}

START_TEST(test_pidcache_walk_then_stream)
{
	struct pidcache *pc = pidcache_new();

	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	ck_task(pc, 100, 100, "sshd");
	ck_task(pc, 101, 100, "sshd-worker");
	/* A client forks, execs, connects and is gone before we read: the
	 * stream alone names it. */
	pidcache_task_new(pc, 100, 200, "sshd", false);
	ck_task(pc, 200, 200, "sshd");
	pidcache_task_exec(pc, 200, 200, "/usr/bin/curl", strlen("/usr/bin/curl"));
	ck_task(pc, 200, 200, "curl");
	pidcache_task_exit(pc, 200);
	/* Its close at exit comes after the exit event. */
	ck_task(pc, 200, 200, "curl");
	/* The id reused by a thread of sshd: never the dead curl. */
	pidcache_task_new(pc, 101, 200, "sshd-worker", true);
	ck_task(pc, 200, 100, "sshd-worker");
	pidcache_task_rename(pc, 200, "renamed");
	ck_task(pc, 200, 100, "renamed");
	/* A long name is cut as the kernel cuts comm. */
	pidcache_task_exec(pc, 300, 300, "/opt/a-very-long-program-name", 29);
	ck_task(pc, 300, 300, "a-very-long-pro");
	/* The map is complete: an id it never saw is nobody, even if /proc
	 * (read later than the event) has a task with that id now. */
	fake_task(400, 400, "later");
	ck_assert(!known(pc, 400));
	pidcache_free(pc);
}
END_TEST

START_TEST(test_pidcache_thread_exec_takes_leader_id)
{
	struct pidcache *pc = pidcache_new();

	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	/* Thread 101 of 100 executes: it becomes 100, and 101 is gone. */
	pidcache_task_exec(pc, 100, 101, "/bin/true", 9);
	ck_task(pc, 100, 100, "true");
	/* A thread of a process never seen is nobody, not its own process. */
	pidcache_task_new(pc, 999, 1000, "x", true);
	ck_assert(!known(pc, 1000));
	pidcache_free(pc);
}
END_TEST

START_TEST(test_pidcache_after_loss_reads_proc)
{
	struct pidcache *pc = pidcache_new();

	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	fake_task(500, 500, "started");
	ck_assert(!known(pc, 500));
	pidcache_lost(pc);
	/* The stream may have missed 500's birth: /proc is asked now. */
	ck_task(pc, 500, 500, "started");
	/* Task events no longer change the map. */
	pidcache_task_new(pc, 100, 600, "ignored", false);
	ck_assert(!known(pc, 600));
	pidcache_free(pc);
}
END_TEST

START_TEST(test_pidcache_untracked_and_null)
{
	struct pidcache *pc = pidcache_new();
	int32_t p;
	char c[TCA_COMM_LEN];

	/* Untracked, the real /proc: our own process. */
	ck_assert(pidcache_get(pc, getpid(), 0, &p, c));
	ck_assert_int_eq(p, getpid());
	ck_assert(!pidcache_get(pc, 0, 0, &p, c));
	ck_assert(!pidcache_get(pc, -5, 0, &p, c));
	/* No cache: the kernel's pids are not ours to look up. */
	ck_assert(!pidcache_get(NULL, getpid(), 0, &p, c));
	pidcache_free(pc);
}
END_TEST

Suite *suite_tracefs_pidcache(void)
{
	Suite *s = suite_create("tracefs-pidcache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pidcache_walk_then_stream);
	tcase_add_test(tc, test_pidcache_thread_exec_takes_leader_id);
	tcase_add_test(tc, test_pidcache_after_loss_reads_proc);
	tcase_add_test(tc, test_pidcache_untracked_and_null);
	suite_add_tcase(s, tc);
	return s;
}
