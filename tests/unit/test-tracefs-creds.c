/* SPDX-License-Identifier: MIT */
/* Unit tests of the owners' uids and cgroups in plugins/tracefs/pidcache.c
 * and creds.c: what a /proc walk (a fake /proc and a fake cgroup2 tree
 * here) gives and from when, inheritance at fork, exec, set*uid calls
 * (Linux 6.18's syscall records), cgroup moves, and every case where the
 * value is not certain and must not be given. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgpath.h"
#include "suites.h"
#include "tracefs-fixture.h"

#define MS 1000000ull

static char *proc, *cgroot;
static struct cgpaths *cg;
static struct pidcache *pc;
static struct ttasks tk;
static struct tcreds tc;
static uint64_t cg_web, cg_db;

static void put_file(int tid, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%d", proc, tid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/%s", proc, tid, name);
	write_file(path, text);
}

/* DIR/TID/{status,comm,exe}, DIR/PID/task/TID/cgroup. */
static void fake_task(int pid, int tid, const char *comm, unsigned uid, const char *cgpath)
{
	char path[512], text[256];

	snprintf(path, sizeof(path), "%s/%d", proc, tid);
	mkdir(path, 0755);
	snprintf(text, sizeof(text), "Name:\t%s\nTgid:\t%d\nPid:\t%d\nUid:\t%u\t%u\t%u\t%u\n", comm,
		 pid, tid, uid, uid, uid, uid);
	put_file(tid, "status", text);
	snprintf(text, sizeof(text), "%s\n", comm);
	put_file(tid, "comm", text);
	put_file(tid, "exe", "\177ELF\2\1\1");
	snprintf(path, sizeof(path), "%s/%d/task", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/task/%d", proc, pid, tid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/task/%d/cgroup", proc, pid, tid);
	snprintf(text, sizeof(text), "1:name=systemd:/elsewhere\n0::%s\n", cgpath);
	write_file(path, text);
}

static uint64_t make_cgroup(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", cgroot, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void setup(void)
{
	proc = make_tmpdir();
	cgroot = make_tmpdir();
	cg_web = make_cgroup("web.service");
	cg_db = make_cgroup("db.service");
	fake_task(100, 100, "nginx", 0, "/web.service");
	fake_task(100, 101, "nginx-aio", 0, "/web.service");
	cg = cgpaths_new_at(&fix_host, cgroot);
	pc = pidcache_new();
	ck_assert_ptr_nonnull(cg);
	ck_assert_ptr_nonnull(pc);
	ck_assert_int_eq(fix_tasks(&tk), 0);
	ck_assert_int_eq(fix_creds(&tc), 0);
	pidcache_creds_on(pc, true, cg);
	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	pidcache_walk_done(pc, 1000 * MS);
}

static void teardown(void)
{
	pidcache_free(pc);
	cgpaths_free(cg);
	rm_tree(proc);
	rm_tree(cgroot);
	free(proc);
	free(cgroot);
}

/* The creds of tid at trace time ts: which are known, and their values. */
static uint32_t creds(int tid, uint64_t ts, uint32_t *uid, uint64_t *cgroup)
{
	*uid = 12345;
	*cgroup = 12345;
	return pidcache_creds(pc, tid, ts, uid, cgroup);
}

#define ck_creds(tid, ts, want_known, want_uid, want_cg)                          \
	do {                                                                      \
		uint32_t u_;                                                      \
		uint64_t c_;                                                      \
		uint32_t k_ = creds((tid), (ts), &u_, &c_);                       \
		ck_assert_uint_eq(k_, (want_known));                              \
		if (k_ & TCA_EV_UID)                                              \
			ck_assert_uint_eq(u_, (want_uid));                        \
		if (k_ & TCA_EV_CGROUP)                                           \
			ck_assert_uint_eq(c_, (want_cg));                         \
	} while (0)

#define BOTH (TCA_EV_UID | TCA_EV_CGROUP)

static void put32(uint8_t *rec, size_t off, int32_t v)
{
	memcpy(rec + off, &v, 4);
}

static void put64(uint8_t *rec, size_t off, uint64_t v)
{
	memcpy(rec + off, &v, 8);
}

/* One record of cred event which by task tid, at ts, its value v. */
static void cred_rec(int which, uint64_t ts, int32_t tid, uint64_t v)
{
	uint8_t rec[40] = { 0 };
	uint16_t type = (uint16_t)tc.fmt[which].id;

	memcpy(rec, &type, 2);
	put32(rec, 4, tid);
	if (which == TCRED_ATTACH) {
		put32(rec, 8, 0);   /* dst_root: cgroup v2 */
		put64(rec, 16, v);  /* dst_id */
		put32(rec, 24, tid); /* pid */
	} else {
		put64(rec, 16, v); /* the uid argument, or ret */
	}
	pidcache_at(pc, ts);
	ck_assert_int_eq(tcreds_event(&tc, pc, type, rec, sizeof(rec)), 1);
}

static void fork_task(uint64_t ts, int32_t parent, int32_t tid, const char *comm, uint64_t flags)
{
	uint8_t rec[48] = { 0 };
	uint16_t type = (uint16_t)tk.fmt[TTASK_NEW].id;
	int32_t ended;

	memcpy(rec, &type, 2);
	put32(rec, 4, parent);
	put32(rec, 8, tid);
	memcpy(rec + 12, comm, strlen(comm));
	put64(rec, 32, flags);
	pidcache_at(pc, ts);
	ck_assert_int_eq(ttasks_event(&tk, pc, type, rec, sizeof(rec), &ended), 1);
}

START_TEST(test_creds_walk_certain_from_its_end)
{
	/* What the walk read holds from its end on; an event before it
	 * may have come before a change the walk already saw. */
	ck_creds(100, 1000 * MS, BOTH, 0, cg_web);
	ck_creds(101, 2000 * MS, BOTH, 0, cg_web);
	ck_creds(100, 999 * MS, 0, 0, 0);
	/* A task the map does not know: nothing. */
	ck_creds(555, 2000 * MS, 0, 0, 0);
}
END_TEST

START_TEST(test_creds_fork_setuid_exec)
{
	/* nginx forks a worker, which drops to uid 33 with setuid(). */
	fork_task(1100 * MS, 100, 200, "nginx", 0);
	ck_creds(200, 1100 * MS, BOTH, 0, cg_web);
	fake_task(200, 200, "nginx", 33, "/web.service");
	cred_rec(TCRED_ENTER_SETUID, 1200 * MS, 200, 33);
	cred_rec(TCRED_EXIT_SETUID, 1201 * MS, 200, 0);
	ck_creds(200, 1201 * MS, BOTH, 33, cg_web);
	/* Its events before the call still had root. */
	ck_creds(200, 1150 * MS, TCA_EV_CGROUP, 0, cg_web);
	/* A failed setresuid changes nothing; -1 leaves the real uid. */
	cred_rec(TCRED_ENTER_SETRESUID, 1300 * MS, 200, 0);
	cred_rec(TCRED_EXIT_SETRESUID, 1301 * MS, 200, (uint64_t)-1);
	ck_creds(200, 1400 * MS, BOTH, 33, cg_web);
	cred_rec(TCRED_ENTER_SETREUID, 1400 * MS, 200, 0xffffffffu);
	cred_rec(TCRED_EXIT_SETREUID, 1401 * MS, 200, 0);
	ck_creds(200, 1500 * MS, BOTH, 33, cg_web);
	/* setresuid(34, ...) succeeds: certain without /proc. */
	cred_rec(TCRED_ENTER_SETRESUID, 1500 * MS, 200, 34);
	cred_rec(TCRED_EXIT_SETRESUID, 1501 * MS, 200, 0);
	ck_creds(200, 1502 * MS, BOTH, 34, cg_web);
	/* exec of a 64-bit program keeps both. */
	pidcache_at(pc, 1600 * MS);
	pidcache_task_exec(pc, 200, 200, "/usr/bin/curl", 13);
	ck_creds(200, 1600 * MS, BOTH, 34, cg_web);
	/* A thread takes its creator's. */
	fork_task(1700 * MS, 200, 201, "curl", 0x00010000);
	ck_creds(201, 1700 * MS, BOTH, 34, cg_web);
}
END_TEST

START_TEST(test_creds_setuid_ambiguous)
{
	/* setuid(u) to the uid it has: nothing changes. */
	cred_rec(TCRED_ENTER_SETUID, 1100 * MS, 100, 0);
	cred_rec(TCRED_EXIT_SETUID, 1101 * MS, 100, 0);
	ck_creds(100, 1200 * MS, BOTH, 0, cg_web);
	/* setuid(33) whose result /proc does not show as a privileged
	 * call's (all three uids 33): the real uid is no longer known. */
	fork_task(1300 * MS, 100, 300, "helper", 0);
	fake_task(300, 300, "helper", 0, "/web.service");
	cred_rec(TCRED_ENTER_SETUID, 1400 * MS, 300, 33);
	cred_rec(TCRED_EXIT_SETUID, 1401 * MS, 300, 0);
	ck_creds(300, 1500 * MS, TCA_EV_CGROUP, 0, cg_web);
	/* Gone from /proc before we look: not known either. */
	fork_task(1600 * MS, 100, 301, "helper", 0);
	cred_rec(TCRED_ENTER_SETUID, 1700 * MS, 301, 33);
	cred_rec(TCRED_EXIT_SETUID, 1701 * MS, 301, 0);
	ck_creds(301, 1800 * MS, TCA_EV_CGROUP, 0, cg_web);
	/* And its children inherit the unknown. */
	fork_task(1900 * MS, 301, 302, "helper", 0);
	ck_creds(302, 1900 * MS, TCA_EV_CGROUP, 0, cg_web);
}
END_TEST

START_TEST(test_creds_exec_32bit)
{
	/* A 32-bit program's system calls are not traced: its uid could
	 * change unseen. */
	fork_task(1100 * MS, 100, 400, "sh", 0);
	put_file(400, "exe", "\177ELF\1\1\1");
	pidcache_at(pc, 1200 * MS);
	pidcache_task_exec(pc, 400, 400, "/opt/old/prog", 13);
	ck_creds(400, 1300 * MS, TCA_EV_CGROUP, 0, cg_web);
	/* Gone, with a relative name: not known either. */
	fork_task(1400 * MS, 100, 401, "sh", 0);
	pidcache_at(pc, 1500 * MS);
	pidcache_task_exec(pc, 401, 401, "./prog", 6);
	ck_creds(401, 1600 * MS, TCA_EV_CGROUP, 0, cg_web);
}
END_TEST

START_TEST(test_creds_cgroup_moves)
{
	/* A child moved to db.service: from the move on. */
	fork_task(1100 * MS, 100, 500, "nginx", 0);
	cred_rec(TCRED_ATTACH, 1200 * MS, 500, cg_db);
	ck_creds(500, 1200 * MS, BOTH, 0, cg_db);
	ck_creds(500, 1199 * MS, TCA_EV_UID, 0, 0);
	/* A fork right after its creator moved may have taken the old
	 * cgroup (the kernel chose it before the move): unknown. */
	fork_task(1205 * MS, 500, 501, "nginx", 0);
	ck_creds(501, 1205 * MS, TCA_EV_UID, 0, 0);
	/* Later ones are the new cgroup's. */
	fork_task(1300 * MS, 500, 502, "nginx", 0);
	ck_creds(502, 1300 * MS, BOTH, 0, cg_db);
	/* clone3(CLONE_INTO_CGROUP): born where no event says. */
	fork_task(1400 * MS, 100, 503, "runc", UINT64_C(0x200000000));
	ck_creds(503, 1400 * MS, TCA_EV_UID, 0, 0);
	/* A v1 hierarchy's move is not the v2 cgroup's. */
	{
		uint8_t rec[40] = { 0 };
		uint16_t type = (uint16_t)tc.fmt[TCRED_ATTACH].id;
		memcpy(rec, &type, 2);
		put32(rec, 8, 3);
		put64(rec, 16, 99999);
		put32(rec, 24, 502);
		pidcache_at(pc, 1500 * MS);
		ck_assert_int_eq(tcreds_event(&tc, pc, type, rec, sizeof(rec)), 1);
	}
	ck_creds(502, 1500 * MS, BOTH, 0, cg_db);
	/* A leader with threads moved: the event does not say whether its
	 * threads went too (cgroup.procs or cgroup.threads). */
	cred_rec(TCRED_ATTACH, 1600 * MS, 100, cg_db);
	ck_creds(100, 1600 * MS, BOTH, 0, cg_db);
	ck_creds(101, 1600 * MS, TCA_EV_UID, 0, 0);
}
END_TEST

START_TEST(test_creds_off_and_lost)
{
	uint8_t rec[16] = { 0 };
	uint16_t type = (uint16_t)tc.fmt[TCRED_EXIT_SETUID].id;

	/* Short records are ours but teach nothing. */
	memcpy(rec, &type, 2);
	ck_assert_int_eq(tcreds_event(&tc, pc, type, rec, sizeof(rec)), 1);
	/* Another event's record is not ours. */
	ck_assert_int_eq(tcreds_event(&tc, pc, 7, rec, sizeof(rec)), 0);
	/* After a loss, nothing is certain until the next start. */
	pidcache_lost(pc);
	ck_creds(100, 2000 * MS, 0, 0, 0);
	/* Without the walk's end, the walk's values are never certain. */
	pidcache_free(pc);
	pc = pidcache_new();
	pidcache_creds_on(pc, true, cg);
	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	ck_creds(100, 2000 * MS, 0, 0, 0);
	/* Off: never. */
	pidcache_free(pc);
	pc = pidcache_new();
	pidcache_creds_on(pc, false, NULL);
	ck_assert_int_eq(pidcache_track(pc, proc), 0);
	pidcache_walk_done(pc, 1000 * MS);
	ck_creds(100, 2000 * MS, 0, 0, 0);
}
END_TEST

Suite *suite_tracefs_creds(void)
{
	Suite *s = suite_create("tracefs-creds");
	TCase *tc_core = tcase_create("core");

	tcase_add_checked_fixture(tc_core, setup, teardown);
	tcase_add_test(tc_core, test_creds_walk_certain_from_its_end);
	tcase_add_test(tc_core, test_creds_fork_setuid_exec);
	tcase_add_test(tc_core, test_creds_setuid_ambiguous);
	tcase_add_test(tc_core, test_creds_exec_32bit);
	tcase_add_test(tc_core, test_creds_cgroup_moves);
	tcase_add_test(tc_core, test_creds_off_and_lost);
	suite_add_tcase(s, tc_core);
	return s;
}
