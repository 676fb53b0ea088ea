/* SPDX-License-Identifier: MIT */
/* The tracefs eventer's internal interfaces, one section per source file. */
#ifndef TCA_TRACEFS_H
#define TCA_TRACEFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <tcp-audit/plugin.h>

#include "trace-record.h"

struct tep_handle;
struct tep_event;
struct tracefs_instance;
struct tracefs_cpu;

/* The options, as the processor stores them (see the table in tracefs.c). */
struct tracefs_config {
	uint64_t buffer_size;
	int64_t wake_percent;
	const char *clock;
	const char *protocol;
	const char *family;
	const char *ports;
	const char *addresses;
	const char *states;
	const char *filter;
	bool ipv4_mapped;
	int64_t max_sockets;
	bool mount;
	bool uid;
	bool cgroup_paths;
	uint64_t restart_grace_ms;
};

/* ---- filter.c: options -> kernel filter expression + user-space checks */

#define FILTER_MAX_ADDRS 16
struct tfilter {
	char *kernel;              /* the event's filter file text; NULL: none */
	unsigned family;           /* 0, or TCA_FAMILY_* to keep */
	uint32_t states;           /* bit per newstate to keep; 0: all */
	size_t naddrs;
	struct { uint8_t family; uint8_t addr[16]; } addrs[FILTER_MAX_ADDRS];
};

int tfilter_build(const struct tca_host *host, const struct tracefs_config *c, struct tfilter *f);
bool tfilter_match(const struct tfilter *f, const struct tca_event *ev);
void tfilter_free(struct tfilter *f);

/* ---- instance.c: our private instance and its settings */

struct tinst {
	struct tracefs_instance *inst;
	char name[64];
	int lock_fd;               /* flock'd instance directory: we are alive */
	bool tai;                  /* trace_clock is tai, else boot */
};

int tinst_clean_stale(const struct tca_host *host);
int tinst_create(const struct tca_host *host, const struct tracefs_config *c, struct tinst *ti);
int tinst_set_filter(const struct tca_host *host, struct tinst *ti, const char *filter);
int tinst_enable(const struct tca_host *host, struct tinst *ti);
void tinst_destroy(struct tinst *ti);
/* Events the kernel overwrote or dropped so far, from per_cpu/cpuN/stats. */
uint64_t tinst_lost(struct tinst *ti, int ncpus);
/* open(path, flags | O_CLOEXEC, mode), then flock(LOCK_EX | LOCK_NB): the
 * descriptor, or -errno (-EWOULDBLOCK while another run holds it). */
int tinst_open_locked(const char *path, int flags, mode_t mode);
/* Events recorded and not yet read, from the same files. */
uint64_t tinst_held(struct tinst *ti, int ncpus);
/* Take over the named instance a stopped or dead run left: lock it, and
 * say whether the time it was kept until has passed (*expired). -ENOENT:
 * there is none, -EWOULDBLOCK: a live process holds it. */
int tinst_adopt(const struct tca_host *host, const char *name, struct tinst *ti, bool *expired);
/* Apply this run's settings to an adopted instance, keeping what it holds. */
int tinst_resume(const struct tca_host *host, const struct tracefs_config *c, struct tinst *ti);
/* Mark the instance as kept until then (the directory's mtime). */
int tinst_keep_until(struct tinst *ti, time_t until);
/* Let go of the instance, leaving it recording, for the next start. */
void tinst_leave(struct tinst *ti);

/* ---- keep.c: the instance and the socket ids, across a restart */

struct socktab;

struct tkeep {
	int lock_fd;               /* STATE_DIR/tracefs.lock, flock'd; -1: no keeping */
	char dir[4096];
	uint64_t grace_s;
	bool have_prev;            /* prev_* below hold what the last run left */
	bool prev_clean;           /* it stopped cleanly: its socket table is there */
	char prev_name[64];
	uint8_t key[16];           /* the socket-id key: the last run's, or new */
	uint64_t lives;            /* socket lives numbered so far with that key */
	uint64_t kernel_lost;      /* the kernel's loss counters, as far as counted */
	bool adopted;
	bool keep_at_close;        /* stop() was a stop for a next start */
};

/* Lock the state, and read what the last run left; 0 also when keeping
 * is off (lock_fd -1: no state directory, --check, restart_grace=0). */
int tkeep_open(const struct tca_host *host, const struct tracefs_config *c, struct tkeep *k);
/* Adopt the last run's instance into ti when it can be; 1 if it was. */
int tkeep_adopt(const struct tca_host *host, const struct tracefs_config *c, struct tkeep *k,
		struct tinst *ti);
/* Load the last run's socket table into st (after a clean stop). */
void tkeep_restore(const struct tca_host *host, struct tkeep *k, struct socktab *st);
/* Write the state: the instance, the key, the loss counted, and (clean)
 * the socket table. Atomic (rename), mode 0600. */
int tkeep_save(const struct tca_host *host, struct tkeep *k, const struct tinst *ti,
	       const struct socktab *st, bool clean);
/* A final stop: no next run continues this one. */
void tkeep_forget(struct tkeep *k);
void tkeep_close(struct tkeep *k);
/* --release: remove the kept instance and the state. */
int tkeep_release(const struct tca_host *host);

/* ---- clock.c: kernel trace timestamps -> ns since the Unix epoch */

struct tclock {
	bool tai;
	int64_t offset_ns;         /* add to a trace timestamp */
};

void tclock_sample(struct tclock *c);

/* ---- merge.c: the CPUs' streams in one time order (watermarks) */

struct tmerge_src {
	/* Read CPU i's next sub-buffer into buf: bytes, or <= 0 when empty. */
	ssize_t (*fill)(void *ctx, int i, void *buf, size_t size);
	/* Now, on the trace clock: what an empty CPU can still produce is newer. */
	uint64_t (*now)(void *ctx);
	void *ctx;
};

struct tmerge;
struct tmerge *tmerge_new(int ncpus, size_t page_size, size_t commit_size,
			  const struct tmerge_src *src);
void tmerge_free(struct tmerge *m);
/* Start of a read() call: each CPU is read at most until it is empty once. */
void tmerge_rearm(struct tmerge *m);
/* The oldest record that may go out now, or NULL; tmerge_next consumes it. */
const struct trec *tmerge_peek(struct tmerge *m);
void tmerge_next(struct tmerge *m);
/* Whether records wait for an empty CPU's next look (call read() again soon). */
bool tmerge_holding(const struct tmerge *m);
/* Recording has stopped, and every record it made is committed: an empty
 * CPU holds nothing back any more (the final drain). */
void tmerge_final(struct tmerge *m);
/* How long after a record's time it may still be committed. */
uint64_t tmerge_margin_ns(void);
/* A stop that leaves the kernel recording for the next run: each CPU is
 * read up to now (until it is empty, or a page starts later), what is
 * loaded comes out, and the rest stays in the kernel. */
void tmerge_finish(struct tmerge *m);
uint64_t tmerge_missed(const struct tmerge *m);
/* Pages or records dropped because a length in them was impossible. */
uint64_t tmerge_corrupt(const struct tmerge *m);

/* ---- siphash.c */

uint64_t siphash_2u64(const uint8_t key[16], uint64_t a, uint64_t b);

/* ---- pidcache.c: task id -> (process id, comm), kept by the stream */

struct pidcache;
struct cgpaths;
struct pidcache *pidcache_new(void);
void pidcache_free(struct pidcache *pc);
/* The owner for a task id; false if it cannot be known (always with a
 * NULL cache: nobody is named when pids are not ours). now_s is a coarse
 * monotonic clock, to refresh entries read from /proc. */
bool pidcache_get(struct pidcache *pc, int tid, uint64_t now_s, int32_t *pid, char comm[TCA_COMM_LEN]);
/* Walk proc once, then let the task events keep the map (tasks.c). */
int pidcache_track(struct pidcache *pc, const char *proc);
void pidcache_task_new(struct pidcache *pc, int32_t parent, int32_t tid, const char *comm, bool thread);
void pidcache_task_exec(struct pidcache *pc, int32_t tid, int32_t old_tid, const char *filename,
			size_t len);
void pidcache_task_rename(struct pidcache *pc, int32_t tid, const char *comm);
/* The process id if tid led its process (the process ends), else 0. */
int32_t pidcache_task_exit(struct pidcache *pc, int32_t tid);
/* The kernel lost events: the map may be stale; back to /proc lookups. */
void pidcache_lost(struct pidcache *pc);
/* The task clone3()d into a given cgroup, which no event names. */
void pidcache_task_into_cgroup(struct pidcache *pc, int32_t tid);

/* Owners' uid and cgroup, kept by the stream too (creds.c). Before the
 * walk: which of them the stream feeds (cg: NULL, or the cgroup2 mount). */
void pidcache_creds_on(struct pidcache *pc, bool uid, const struct cgpaths *cg);
/* After the walk: what it read is certain from ts (trace clock) on. */
void pidcache_walk_done(struct pidcache *pc, uint64_t ts);
/* The trace time of the task record about to be applied. */
void pidcache_at(struct pidcache *pc, uint64_t ts);
/* TCA_EV_UID and/or TCA_EV_CGROUP if certain for tid at trace time ts,
 * with the values; 0 when neither is. */
uint32_t pidcache_creds(struct pidcache *pc, int tid, uint64_t ts, uint32_t *uid, uint64_t *cgroup);
enum tcred_call { TCRED_SETUID, TCRED_SETREUID, TCRED_SETRESUID };
/* A set*uid call's entry (ruid: its real-uid argument, -1 for none) and
 * its return; the change is applied at the return, if it succeeded. */
void pidcache_uid_call(struct pidcache *pc, int32_t tid, enum tcred_call call, uint32_t ruid);
void pidcache_uid_done(struct pidcache *pc, int32_t tid, int64_t ret);
/* tid was moved to the cgroup v2 id. */
void pidcache_cgroup_moved(struct pidcache *pc, int32_t tid, uint64_t id);

/* ---- tasks.c: the task tracepoints that keep pidcache current */

enum { TTASK_NEW, TTASK_EXEC, TTASK_RENAME, TTASK_EXIT, TTASK_NEVENTS };

struct ttask_fmt {
	int id;
	struct tfield a, b, c, s;  /* per event: see tasks.c */
	size_t end;
};

struct ttasks {
	bool on;
	struct ttask_fmt fmt[TTASK_NEVENTS];
};

/* Parse the formats and enable the events in the instance; when the
 * kernel lacks one, says so and leaves tk off (0 either way). */
int ttasks_init(const struct tca_host *host, struct tep_handle *tep, struct tinst *ti,
		struct ttasks *tk);
/* Parse event which's format text into tep and resolve its fields
 * (ttasks_init does it from tracefs); turns tk on. 0 or -errno. */
int ttasks_parse(struct ttasks *tk, struct tep_handle *tep, int which, const char *text, size_t size);
/* 1 if the record (of event id type) was a task event, applied to pc;
 * *ended is then the process that ended with it, or 0. */
int ttasks_event(const struct ttasks *tk, struct pidcache *pc, int type, const void *data,
		 size_t size, int32_t *ended);

/* ---- creds.c: the tracepoints that keep owners' uids and cgroups */

enum {
	TCRED_ENTER_SETUID, TCRED_EXIT_SETUID,
	TCRED_ENTER_SETREUID, TCRED_EXIT_SETREUID,
	TCRED_ENTER_SETRESUID, TCRED_EXIT_SETRESUID,
	TCRED_UID_EVENTS,          /* the ones above: uids */
	TCRED_ATTACH = TCRED_UID_EVENTS, /* cgroup/cgroup_attach_task */
	TCRED_NEVENTS
};

struct tcred_fmt {
	int id;                    /* 0: not parsed */
	struct tfield a, b, c;     /* per event: see creds.c */
	size_t end;
};

struct tcreds {
	bool uid_on, cg_on;
	struct tcred_fmt fmt[TCRED_NEVENTS];
};

/* Parse and enable what is wanted in the instance; what the kernel lacks
 * is logged and left off (0 either way). */
int tcreds_init(const struct tca_host *host, struct tep_handle *tep, struct tinst *ti,
		bool uid, bool cgroup, struct tcreds *tc);
/* Parse event which's format text and resolve its fields. 0 or -errno. */
int tcreds_parse(struct tcreds *tc, struct tep_handle *tep, int which, const char *text,
		 size_t size);
/* 1 if the record (of event id type) was one of ours, applied to pc. */
int tcreds_event(const struct tcreds *tc, struct pidcache *pc, int type, const void *data,
		 size_t size);

/* ---- pidns.c: whether the kernel's pids are ours to look up */

/* False (logged once, with the fix) when the kernel's pids cannot be
 * looked up in proc (normally "/proc"): another PID namespace. */
bool tpidns_usable(const struct tca_host *host, const char *proc);

/* ---- socktab.c: sockets seen, their life id and owner */

struct socktab;
struct socktab *socktab_new(size_t max_sockets);
void socktab_free(struct socktab *st);
/* Give ev its sock id and owner, and update the table (see socktab.c). */
void socktab_attribute(struct socktab *st, struct pidcache *pc, uint64_t now_s,
		       const struct traw *raw, struct tca_event *ev);
uint64_t socktab_evictions(const struct socktab *st);
/* A process ended: its listeners' children no longer take its name (a
 * daemon's first process listens, forks the server and exits). */
void socktab_process_ended(struct socktab *st, int32_t pid);
/* The id key and the lives numbered with it: what keep.c carries over. */
void socktab_get_key(const struct socktab *st, uint8_t key[16], uint64_t *lives);
void socktab_set_key(struct socktab *st, const uint8_t key[16], uint64_t lives);
/* Write the live entries to f, the kernel address replaced by a keyed
 * hash; returns how many, or -errno. */
int socktab_save(const struct socktab *st, FILE *f, uint64_t *n);
/* Read n saved entries (record size esize) for the sockets' next events
 * to take; 0, or -EINVAL when the records are not this build's. */
int socktab_load(struct socktab *st, FILE *f, uint64_t n, uint32_t esize);
uint32_t socktab_saved_size(void);

/* ---- ring.c: the instance's per-CPU raw buffers, polled and merged */

struct ring;
int ring_open(const struct tca_host *host, struct tinst *ti, struct tep_handle *tep, struct ring **rp);
void ring_close(struct ring *r);
int ring_fd(const struct ring *r);
/* Now, on the instance's trace clock. */
uint64_t ring_now_ts(struct ring *r);
int ring_ncpus(const struct ring *r);
/* The next record in time order across CPUs, without blocking, or NULL
 * when none may go out now. ring_next() consumes it. */
const struct trec *ring_peek(struct ring *r);
void ring_next(struct ring *r);
/* Switch the kernel's wake-up threshold (see ring.c). */
void ring_set_busy(struct ring *r, bool busy, int wake_percent);
bool ring_busy(const struct ring *r);
/* Start of a read() call: every CPU may be tried again. Returns the
 * timer's ticks since the last call (0: woken by the buffers). */
uint64_t ring_rearm(struct ring *r);
/* Recording stopped: the final drain holds nothing back (merge.c). */
void ring_final(struct ring *r);
/* Whether records wait for an empty CPU's next look (merge.c). */
bool ring_holding(const struct ring *r);
/* End of a read() call: if records were held back, be woken soon. */
void ring_done(struct ring *r);
/* Events the pages said were missed (a lower bound of the loss). */
uint64_t ring_missed(const struct ring *r);
/* Read each CPU up to now, then nothing more (tmerge_finish). */
void ring_finish(struct ring *r);
/* Pages or records dropped as corrupt. */
uint64_t ring_corrupt(const struct ring *r);

#endif
