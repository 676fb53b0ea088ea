/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/tracefs/socktab.c (with pidcache.c and real
 * processes as owners): socket lives and their ids, eviction, listener
 * inheritance marked as such, SO_REUSEPORT listeners on one port, and
 * nobody rather than a stale owner once the acting task is gone. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgpath.h"
#include "suites.h"
#include "tracefs-fixture.h"

#define SOFTIRQ_PID 999999 /* whatever task a softirq interrupted */

struct world {
	struct socktab *st;
	struct pidcache *pc;
	pid_t self, worker, dead;
	char self_comm[TCA_COMM_LEN];
};

static struct world w;
static uint64_t now_ts; /* the trace time ev_at gives its events */

static void world_setup(void)
{
	int pfd[2];
	char c;
	FILE *f;

	memset(&w, 0, sizeof(w));
	now_ts = 0;
	w.st = socktab_new(64);
	w.pc = pidcache_new();
	ck_assert_ptr_nonnull(w.st);
	ck_assert_ptr_nonnull(w.pc);
	w.self = getpid();
	f = fopen("/proc/self/comm", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(w.self_comm, sizeof(w.self_comm), f));
	fclose(f);
	w.self_comm[strcspn(w.self_comm, "\n")] = '\0';
	/* A live process of another name, like a server's worker. */
	ck_assert_int_eq(pipe(pfd), 0);
	w.worker = fork();
	ck_assert_int_ge(w.worker, 0);
	if (w.worker == 0) {
		prctl(PR_SET_NAME, "tca-worker");
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	close(pfd[1]);
	/* A task that has exited. */
	w.dead = fork();
	ck_assert_int_ge(w.dead, 0);
	if (w.dead == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(w.dead, NULL, 0), w.dead);
}

static void world_teardown(void)
{
	kill(w.worker, SIGKILL);
	waitpid(w.worker, NULL, 0);
	socktab_free(w.st);
	pidcache_free(w.pc);
}

/* One event on socket sk: old -> new, by pid (process context) or in a
 * softirq, on local port lport (127.0.0.1) to rport (127.0.0.2). */
static struct tca_event ev_at(uint64_t sk, int old, int new, pid_t pid, uint16_t lport,
			      uint16_t rport)
{
	struct tca_event ev = { .family = TCA_FAMILY_IPV4, .oldstate = (uint8_t)old,
				.newstate = (uint8_t)new, .sport = lport, .dport = rport };
	struct traw raw = { .skaddr = sk, .ts = now_ts, .pid = pid ? pid : SOFTIRQ_PID,
			    .process_ctx = pid != 0 };

	memcpy(ev.saddr, "\x7f\0\0\x01", 4);
	memcpy(ev.daddr, "\x7f\0\0\x02", 4);
	socktab_attribute(w.st, w.pc, 0, &raw, &ev);
	return ev;
}

#define ck_owner(ev, want_pid, want_kind)                                         \
	do {                                                                      \
		if ((want_pid) == 0) {                                            \
			ck_assert_uint_eq((ev).flags & TCA_EV_PID, 0);            \
			ck_assert_uint_eq((ev).owner, TCA_OWNER_UNKNOWN);         \
		} else {                                                          \
			ck_assert_uint_eq((ev).flags & TCA_EV_PID, TCA_EV_PID);   \
			ck_assert_int_eq((ev).pid, (want_pid));                   \
			ck_assert_uint_eq((ev).owner, (want_kind));               \
		}                                                                 \
	} while (0)

START_TEST(test_socktab_client_life)
{
	struct tca_event a = ev_at(0x1000, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40000, 0);
	struct tca_event b = ev_at(0x1000, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 0, 40000, 80);
	struct tca_event c = ev_at(0x1000, TCA_STATE_ESTABLISHED, TCA_STATE_CLOSE, 0, 40000, 80);
	struct tca_event d = ev_at(0x1000, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40001, 0);

	ck_assert_uint_ne(a.sock, 0);
	ck_assert_uint_eq(a.sock, b.sock);
	ck_assert_uint_eq(a.sock, c.sock);
	ck_assert_uint_lt(a.sock, UINT64_C(1) << 63);
	/* The address reused: a new life, a new id. */
	ck_assert_uint_ne(d.sock, a.sock);
	ck_owner(a, w.self, TCA_OWNER_HOLDER);
	ck_assert_str_eq(a.comm, w.self_comm);
	/* The softirq's task is the peer's, never the owner. */
	ck_owner(b, w.self, TCA_OWNER_HOLDER);
	ck_owner(c, w.self, TCA_OWNER_HOLDER);
}
END_TEST

/* A connect's event on a CPU that stalled comes after its handshake's
 * end from another CPU: one life, one id, and the connecting owner. */
START_TEST(test_socktab_late_event_stays_in_its_life)
{
	struct tca_event a, b, c;

	now_ts = 100;
	a = ev_at(0x1800, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 0, 40000, 80);
	now_ts = 50;
	b = ev_at(0x1800, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40000, 0);
	ck_assert_uint_eq(a.sock, b.sock);
	ck_owner(b, w.self, TCA_OWNER_HOLDER);
	now_ts = 150;
	c = ev_at(0x1800, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, w.worker, 40000, 80);
	ck_owner(c, w.worker, TCA_OWNER_HOLDER);
	/* A late one no longer changes a known owner. */
	now_ts = 120;
	c = ev_at(0x1800, TCA_STATE_ESTABLISHED, TCA_STATE_ESTABLISHED, w.self, 40000, 80);
	ck_owner(c, w.worker, TCA_OWNER_HOLDER);
	ck_assert_uint_eq(c.sock, a.sock);
	now_ts = 300;
	c = ev_at(0x1800, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40001, 0);
	ck_assert_uint_ne(c.sock, a.sock);
}
END_TEST

START_TEST(test_socktab_missed_close_is_a_new_life)
{
	struct tca_event a = ev_at(0x2000, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 0, 40000, 80);
	struct tca_event b = ev_at(0x2000, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, 0, 40000, 80);
	/* Same address, other ports: its CLOSE and rebirth were lost. */
	struct tca_event c = ev_at(0x2000, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, 0, 40002, 80);

	ck_assert_uint_eq(a.sock, b.sock);
	ck_assert_uint_ne(c.sock, a.sock);
}
END_TEST

START_TEST(test_socktab_listener_inheritance)
{
	struct tca_event l = ev_at(0x3000, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 8080, 0);
	struct tca_event a = ev_at(0x3100, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8080, 50000);
	struct tca_event b = ev_at(0x3100, TCA_STATE_SYN_RECV, TCA_STATE_ESTABLISHED, 0, 8080, 50000);
	/* The worker that accepted it closes it. */
	struct tca_event c = ev_at(0x3100, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, w.worker,
				   8080, 50000);
	struct tca_event d = ev_at(0x3100, TCA_STATE_FIN_WAIT1, TCA_STATE_CLOSE, 0, 8080, 50000);

	ck_owner(l, w.self, TCA_OWNER_HOLDER);
	ck_owner(a, w.self, TCA_OWNER_LISTENER);
	ck_owner(b, w.self, TCA_OWNER_LISTENER);
	ck_owner(c, w.worker, TCA_OWNER_HOLDER);
	ck_assert_str_eq(c.comm, "tca-worker");
	ck_owner(d, w.worker, TCA_OWNER_HOLDER);
	ck_assert_uint_eq(a.sock, d.sock);
	ck_assert_uint_ne(a.sock, l.sock);
}
END_TEST

/* The listener's backlog, processed at release_sock in whichever worker
 * locked it: that worker may not be the one that accepts the child. */
START_TEST(test_socktab_backlog_context_is_not_the_holder)
{
	struct tca_event a, b, c;

	ev_at(0x3800, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 8090, 0);
	a = ev_at(0x3900, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, w.worker, 8090, 50010);
	b = ev_at(0x3900, TCA_STATE_SYN_RECV, TCA_STATE_ESTABLISHED, w.worker, 8090, 50010);
	ck_owner(a, w.self, TCA_OWNER_LISTENER);
	ck_owner(b, w.self, TCA_OWNER_LISTENER);
	c = ev_at(0x3900, TCA_STATE_ESTABLISHED, TCA_STATE_CLOSE_WAIT, 0, 8090, 50010);
	ck_owner(c, w.self, TCA_OWNER_LISTENER);
}
END_TEST

START_TEST(test_socktab_reuseport_listeners)
{
	struct tca_event l1 = ev_at(0x4000, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 8081, 0);
	struct tca_event l2 = ev_at(0x4100, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.worker, 8081, 0);
	struct tca_event a, b, c;

	ck_owner(l1, w.self, TCA_OWNER_HOLDER);
	ck_owner(l2, w.worker, TCA_OWNER_HOLDER);
	/* Two owners listen there: either may have it, so nobody is named. */
	a = ev_at(0x4200, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8081, 50001);
	ck_owner(a, 0, 0);
	a = ev_at(0x4200, TCA_STATE_SYN_RECV, TCA_STATE_ESTABLISHED, 0, 8081, 50001);
	ck_owner(a, 0, 0);
	a = ev_at(0x4200, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, w.worker, 8081, 50001);
	ck_owner(a, w.worker, TCA_OWNER_HOLDER);
	/* One closes (by socket, not by address): the other one's children. */
	b = ev_at(0x4000, TCA_STATE_LISTEN, TCA_STATE_CLOSE, w.self, 8081, 0);
	c = ev_at(0x4300, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8081, 50002);
	ck_owner(b, w.self, TCA_OWNER_HOLDER);
	ck_owner(c, w.worker, TCA_OWNER_LISTENER);
	/* Both gone: nobody. */
	ev_at(0x4100, TCA_STATE_LISTEN, TCA_STATE_CLOSE, w.worker, 8081, 0);
	c = ev_at(0x4400, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8081, 50003);
	ck_owner(c, 0, 0);
}
END_TEST

START_TEST(test_socktab_exact_bind_wins)
{
	struct tca_event l1, l2, a, b;
	struct traw raw = { .skaddr = 0x5000, .pid = w.worker, .process_ctx = true };

	/* worker on 127.0.0.1:9000; self on the wildcard 0.0.0.0:9000. */
	l1 = (struct tca_event){ .family = TCA_FAMILY_IPV4, .oldstate = TCA_STATE_CLOSE,
				 .newstate = TCA_STATE_LISTEN, .sport = 9000 };
	memcpy(l1.saddr, "\x7f\0\0\x01", 4);
	socktab_attribute(w.st, w.pc, 0, &raw, &l1);
	l2 = (struct tca_event){ .family = TCA_FAMILY_IPV4, .oldstate = TCA_STATE_CLOSE,
				 .newstate = TCA_STATE_LISTEN, .sport = 9000 };
	raw = (struct traw){ .skaddr = 0x5100, .pid = w.self, .process_ctx = true };
	socktab_attribute(w.st, w.pc, 0, &raw, &l2);
	a = ev_at(0x5200, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 9000, 50004);
	ck_owner(a, w.worker, TCA_OWNER_LISTENER);
	b = (struct tca_event){ .family = TCA_FAMILY_IPV4, .oldstate = TCA_STATE_LISTEN,
				.newstate = TCA_STATE_SYN_RECV, .sport = 9000, .dport = 50005 };
	memcpy(b.saddr, "\x7f\0\0\x05", 4);
	raw = (struct traw){ .skaddr = 0x5300, .pid = SOFTIRQ_PID };
	socktab_attribute(w.st, w.pc, 0, &raw, &b);
	ck_owner(b, w.self, TCA_OWNER_LISTENER);
}
END_TEST

START_TEST(test_socktab_gone_task_is_nobody)
{
	struct tca_event a, b;

	ev_at(0x6000, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 8082, 0);
	a = ev_at(0x6100, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8082, 50006);
	ck_owner(a, w.self, TCA_OWNER_LISTENER);
	/* The backend that held it closes it as it exits: not the postmaster. */
	b = ev_at(0x6100, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, w.dead, 8082, 50006);
	ck_owner(b, 0, 0);
	b = ev_at(0x6100, TCA_STATE_FIN_WAIT1, TCA_STATE_CLOSE, 0, 8082, 50006);
	ck_owner(b, 0, 0);
}
END_TEST

START_TEST(test_socktab_listener_owner_ended)
{
	struct tca_event a;

	/* A daemon's first process listens, forks the server, and exits:
	 * the listener lives on in the child, unknown to us. */
	ev_at(0x7000, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 8083, 0);
	socktab_process_ended(w.st, w.self);
	a = ev_at(0x7100, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 8083, 50007);
	ck_owner(a, 0, 0);
}
END_TEST

START_TEST(test_socktab_address_zero)
{
	struct tca_event a = ev_at(0, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40000, 0);
	struct tca_event b = ev_at(0, TCA_STATE_SYN_SENT, TCA_STATE_CLOSE, w.self, 40000, 80);
	struct tca_event c;

	ck_assert_uint_eq(a.sock, 0);
	ck_owner(a, 0, 0);
	ck_assert_uint_eq(b.sock, 0);
	/* The table still works after it (it spun forever here once). */
	for (uint64_t i = 1; i <= 200; i++)
		c = ev_at(0x10000 + i * 64, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 40000, 0);
	ck_assert_uint_ne(c.sock, 0);
	ck_assert_uint_eq(socktab_evictions(w.st), 200 - 64);
}
END_TEST

START_TEST(test_socktab_eviction_keeps_ids_distinct)
{
	uint64_t ids[300];

	for (int i = 0; i < 300; i++)
		ids[i] = ev_at(0x100000 + (uint64_t)i * 64, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT,
			       w.self, 40000, 0).sock;
	ck_assert_uint_eq(socktab_evictions(w.st), 300 - 64);
	/* An evicted socket seen again is a new id, never an old one. */
	ids[299] = ev_at(0x100000, TCA_STATE_SYN_SENT, TCA_STATE_ESTABLISHED, 0, 40000, 80).sock;
	for (int i = 0; i < 300; i++)
		for (int j = i + 1; j < 300; j++)
			ck_assert_uint_ne(ids[i], ids[j]);
}
END_TEST

/* The owner's uid and cgroup: only from a task map that the stream keeps
 * (here the real /proc walked), as the acting task was; a listener's
 * children take its owner's; a /proc lookup alone gives neither. */
START_TEST(test_socktab_uid_cgroup)
{
	struct cgpaths *cg = cgpaths_new(&fix_host);
	struct tca_event l, c, h, u;
	uint32_t want_known = TCA_EV_UID | (cgpaths_mount(cg) ? TCA_EV_CGROUP : 0);

	/* Untracked first: a pid from /proc, but no uid or cgroup. */
	u = ev_at(0x7000, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 41000, 0);
	ck_owner(u, w.self, TCA_OWNER_HOLDER);
	ck_assert_uint_eq(u.flags & (TCA_EV_UID | TCA_EV_CGROUP), 0);
	pidcache_free(w.pc);
	w.pc = pidcache_new();
	pidcache_creds_on(w.pc, true, cg);
	ck_assert_int_eq(pidcache_track(w.pc, "/proc"), 0);
	pidcache_walk_done(w.pc, 100);
	now_ts = 200;
	l = ev_at(0x8000, TCA_STATE_CLOSE, TCA_STATE_LISTEN, w.self, 9200, 0);
	ck_assert_uint_eq(l.flags & (TCA_EV_UID | TCA_EV_CGROUP), want_known);
	ck_assert_uint_eq(l.uid, getuid());
	c = ev_at(0x9000, TCA_STATE_LISTEN, TCA_STATE_SYN_RECV, 0, 9200, 50000);
	ck_owner(c, w.self, TCA_OWNER_LISTENER);
	ck_assert_uint_eq(c.flags & (TCA_EV_UID | TCA_EV_CGROUP), want_known);
	ck_assert_uint_eq(c.cgroup, l.cgroup);
	h = ev_at(0x9000, TCA_STATE_ESTABLISHED, TCA_STATE_FIN_WAIT1, w.worker, 9200, 50000);
	ck_owner(h, w.worker, TCA_OWNER_HOLDER);
	ck_assert_uint_eq(h.flags & (TCA_EV_UID | TCA_EV_CGROUP), want_known);
	/* An event from before the walk's end: the map is not sure of it. */
	now_ts = 50;
	u = ev_at(0xa000, TCA_STATE_CLOSE, TCA_STATE_SYN_SENT, w.self, 41001, 0);
	ck_owner(u, w.self, TCA_OWNER_HOLDER);
	ck_assert_uint_eq(u.flags & (TCA_EV_UID | TCA_EV_CGROUP), 0);
	cgpaths_free(cg);
}
END_TEST

Suite *suite_tracefs_socktab(void)
{
	Suite *s = suite_create("tracefs-socktab");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, world_setup, world_teardown);
	tcase_add_test(tc, test_socktab_client_life);
	tcase_add_test(tc, test_socktab_late_event_stays_in_its_life);
	tcase_add_test(tc, test_socktab_missed_close_is_a_new_life);
	tcase_add_test(tc, test_socktab_listener_inheritance);
	tcase_add_test(tc, test_socktab_backlog_context_is_not_the_holder);
	tcase_add_test(tc, test_socktab_reuseport_listeners);
	tcase_add_test(tc, test_socktab_exact_bind_wins);
	tcase_add_test(tc, test_socktab_gone_task_is_nobody);
	tcase_add_test(tc, test_socktab_listener_owner_ended);
	tcase_add_test(tc, test_socktab_address_zero);
	tcase_add_test(tc, test_socktab_eviction_keeps_ids_distinct);
	tcase_add_test(tc, test_socktab_uid_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
