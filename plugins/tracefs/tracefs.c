/* SPDX-License-Identifier: MIT */
/*
 * The tracefs eventer: sock/inet_sock_set_state from a private tracefs
 * instance, read as binary per-CPU pages, merged by time, attributed to
 * the socket's owner, with kernel loss counted. This file holds the
 * descriptor, the options and the open/read/close life cycle; the work is
 * in instance.c, ring.c, socktab.c, pidcache.c, tasks.c, creds.c,
 * pidns.c, filter.c, clock.c and siphash.c, and in lib/ (tracefs-mount.c;
 * trace-page.c and trace-decode.c, shared with the bpf eventer); keep.c
 * hands the instance from one run to the next.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "cgpath.h"
#include "tracefs-mount.h"
#include "tracefs.h"

/* A loss is logged at most this often, with the count since the last line. */
#define LOSS_LOG_INTERVAL_S 10
/* While running, the instance is marked kept until a grace from now
 * (instance.c), renewed this often, so that after a crash it says when
 * the crash was, give or take this much. */
#define KEEP_RENEW_S 10

struct tfs {
	const struct tca_host *host;
	char *dir;
	struct tinst ti;
	struct tep_handle *tep;
	struct tdecode dec;
	struct ttasks tasks;
	struct tcreds creds;
	struct cgpaths *cg;     /* the cgroup2 mount: ids of walked tasks, paths */
	bool cg_note;           /* log each new cgroup id's path (cgroup_paths) */
	struct ring *ring;
	struct tfilter filter;
	struct socktab *socks;
	struct pidcache *pids;  /* NULL when the kernel's pids are not ours (pidns.c) */
	struct tclock clock;
	uint64_t clock_s;       /* when the clock offset was last sampled */
	uint64_t loss_s;        /* when the kernel's loss counters were last read */
	uint64_t missed_seen;   /* ring_missed() at that time */
	uint64_t lost;          /* events the kernel lost, so far */
	uint64_t stats_base;    /* the kernel's counters that earlier runs reported */
	uint64_t lost_logged;
	bool stopped;           /* tracing is off: the final drain */
	uint64_t corrupt_logged;
	uint64_t loss_log_s;
	int wake_percent;
	uint64_t events_since_tick; /* read since the busy timer's last tick */
	uint64_t buffer_kib;
	struct tkeep keep;
	uint64_t keep_renew_s;  /* when the keep time was last renewed */
};

static uint64_t tfs_now_s(void)
{
	struct timespec ts;

	/* Coarse: a vDSO read with no syscall, good to a few ms. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

static void tfs_log_loss(struct tfs *t, bool force)
{
	uint64_t now = tfs_now_s();

	if (t->lost == t->lost_logged || (!force && now - t->loss_log_s < LOSS_LOG_INTERVAL_S))
		return;
	tca_log(t->host, TCA_LOG_WARNING, 0, "the kernel lost %" PRIu64 " events (%" PRIu64
		" in all): the reader fell behind; raise buffer_size (now %" PRIu64 "K per CPU)",
		t->lost - t->lost_logged, t->lost, t->buffer_kib);
	t->lost_logged = t->lost;
	t->loss_log_s = now;
}

/* Read the per-CPU stats (a few files): the exact count, where the pages'
 * missed-events flags only tell that and roughly how many. */
static void tfs_check_loss(struct tfs *t)
{
	uint64_t raw = tinst_lost(&t->ti, ring_ncpus(t->ring));
	/* An adopted instance's counters include what the last run counted. */
	uint64_t stats = raw > t->stats_base ? raw - t->stats_base : 0;
	uint64_t missed = ring_missed(t->ring);
	uint64_t corrupt = ring_corrupt(t->ring);
	/* A page the kernel would not write costs its events too; its
	 * records were never counted by the kernel, so they add up. */
	uint64_t total = (stats > missed ? stats : missed) + corrupt;

	if (corrupt != t->corrupt_logged) {
		tca_log(t->host, TCA_LOG_WARNING, 0, "dropped %" PRIu64 " corrupt trace pages or "
			"records (a length ran past its page); counted as lost",
			corrupt - t->corrupt_logged);
		t->corrupt_logged = corrupt;
	}

	t->missed_seen = missed;
	if (total > t->lost) {
		t->lost = total;
		/* Before the loss goes out: a crash now must not make the next
		 * run count it again. */
		t->keep.kernel_lost = t->stats_base + stats;
		tkeep_save(t->host, &t->keep, &t->ti, t->socks, false);
		/* A task change may be among them. */
		if (t->pids)
			pidcache_lost(t->pids);
	}
	tfs_log_loss(t, false);
}

/* A stop for a restart: the instance goes on recording, marked kept for
 * the grace, and the state the next start needs is written. */
static void tfs_leave(struct tfs *t)
{
	char name[sizeof(t->ti.name)];

	memcpy(name, t->ti.name, sizeof(name));
	if (tinst_keep_until(&t->ti, time(NULL) + (time_t)t->keep.grace_s) < 0 ||
	    tkeep_save(t->host, &t->keep, &t->ti, t->socks, true) < 0) {
		tca_log(t->host, TCA_LOG_WARNING, 0, "cannot keep the tracefs instance %s for the "
			"next start; removing it (what happens until the next start is lost)", name);
		tkeep_forget(&t->keep);
		return;
	}
	tinst_leave(&t->ti);
	tca_log(t->host, TCA_LOG_NOTICE, 0, "left the tracefs instance %s recording for the next "
		"start, for %" PRIu64 " s (restart_grace); for a final stop, run tcp-audit --release",
		name, t->keep.grace_s);
}

static void tfs_close(void *state)
{
	struct tfs *t = state;

	if (!t)
		return;
	if (t->ring) {
		/* Kept, the last count is the one read() reported: what the
		 * kernel overwrites from now on is the next run's to count. */
		if (!t->keep.keep_at_close)
			tfs_check_loss(t);
		tfs_log_loss(t, true);
	}
	/* The buffers' descriptors first: the kernel refuses to remove an
	 * instance whose files are open. */
	ring_close(t->ring);
	if (t->ti.inst && t->keep.keep_at_close) {
		tfs_leave(t);
	} else if (t->ti.inst && t->keep.adopted && !t->stopped) {
		/* A start that failed after it adopted the last run's
		 * instance: what it holds is still unread, and the state file
		 * still names it, for the next try. */
		tca_log(t->host, TCA_LOG_NOTICE, 0, "leaving the tracefs instance %s unread for the "
			"next start", t->ti.name);
		tinst_leave(&t->ti);
	} else if (t->ti.inst) {
		tkeep_forget(&t->keep);
	}
	if (t->ti.inst) {
		char name[sizeof(t->ti.name)];
		memcpy(name, t->ti.name, sizeof(name));
		tinst_destroy(&t->ti);
		if (tracefs_instance_exists(name))
			tca_log(t->host, TCA_LOG_WARNING, 0, "cannot remove the tracefs instance %s; "
				"the next start removes it", name);
	}
	if (t->tep)
		tep_free(t->tep);
	if (t->dir)
		tracefs_set_tracing_dir(NULL); /* frees libtracefs's copy */
	tkeep_close(&t->keep);
	tfilter_free(&t->filter);
	socktab_free(t->socks);
	pidcache_free(t->pids);
	cgpaths_free(t->cg);
	free(t->dir);
	free(t);
}

static int tfs_check_config(const struct tca_host *host, const struct tracefs_config *c)
{
	if (strcmp(c->clock, "auto") != 0 && strcmp(c->clock, "tai") != 0 &&
	    strcmp(c->clock, "boot") != 0) {
		tca_log(host, TCA_LOG_ERR, 0, "bad clock '%s': give auto, tai or boot", c->clock);
		return -EINVAL;
	}
	if (c->buffer_size < 8192 || c->buffer_size > (UINT64_C(1) << 32)) {
		tca_log(host, TCA_LOG_ERR, 0, "bad buffer_size %" PRIu64 ": give 8K to 4G (per CPU)",
			c->buffer_size);
		return -EINVAL;
	}
	return 0;
}

static int tfs_load_format(struct tfs *t, const struct tracefs_config *c)
{
	return tdecode_load(t->host, t->dir, c->ipv4_mapped, &t->tep, &t->dec);
}

/* With the task events on: the uid and cgroup events too, then the walk
 * of /proc, whose values are certain from its end on. */
static int tfs_track_tasks(struct tfs *t, const struct tracefs_config *c)
{
	t->cg = cgpaths_new(t->host);
	if (!t->cg)
		return -ENOMEM;
	t->cg_note = c->cgroup_paths;
	tcreds_init(t->host, t->tep, &t->ti, c->uid, cgpaths_mount(t->cg) != NULL, &t->creds);
	pidcache_creds_on(t->pids, t->creds.uid_on, t->creds.cg_on ? t->cg : NULL);
	if (pidcache_track(t->pids, "/proc") < 0)
		pidcache_lost(t->pids);
	pidcache_walk_done(t->pids, ring_now_ts(t->ring));
	return 0;
}

/* The last run's instance, adopted, or a new one; then the state the next
 * start needs after a crash (the instance's name and the key). */
static int tfs_take_instance(struct tfs *t, const struct tracefs_config *c)
{
	int ret = tkeep_open(t->host, c, &t->keep);

	if (ret < 0)
		return ret;
	t->ti.lock_fd = -1;
	ret = tkeep_adopt(t->host, c, &t->keep, &t->ti);
	if (ret < 0)
		return ret;
	/* After the adoption: the instance waiting for us is no one's stale. */
	tinst_clean_stale(t->host);
	if (!t->keep.adopted) {
		t->keep.kernel_lost = 0;
		ret = tinst_create(t->host, c, &t->ti);
		if (ret < 0)
			return ret;
	}
	t->stats_base = t->keep.kernel_lost;
	tkeep_restore(t->host, &t->keep, t->socks);
	if (t->keep.lock_fd >= 0) {
		tinst_keep_until(&t->ti, time(NULL) + (time_t)t->keep.grace_s);
		tkeep_save(t->host, &t->keep, &t->ti, t->socks, false);
	}
	return 0;
}

/* --release: no capture; the kept instance and its state go. */
static int tfs_release(struct tfs *t, const struct tracefs_config *c)
{
	int ret = tracefs_mount_find(t->host, c->mount, &t->dir);

	if (ret < 0)
		return ret;
	if (tracefs_set_tracing_dir(t->dir) < 0)
		return -errno;
	ret = tkeep_release(t->host);
	tinst_clean_stale(t->host);
	return ret;
}

static int tfs_open(const struct tca_host *host, const void *config, void **state)
{
	const struct tracefs_config *c = config;
	struct tfs *t;
	int ret = tfs_check_config(host, c);

	if (ret < 0)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->host = host;
	t->keep.lock_fd = -1;
	if (host->struct_size >= offsetof(struct tca_host, flags) + sizeof(host->flags) &&
	    (host->flags & TCA_HOST_RELEASE)) {
		ret = tfs_release(t, c);
		tfs_close(t);
		*state = NULL;
		return ret;
	}
	ret = tfilter_build(host, c, &t->filter);
	if (ret < 0)
		goto fail;
	ret = -ENOMEM;
	t->socks = socktab_new((size_t)c->max_sockets);
	if (!t->socks)
		goto fail;
	if (tpidns_usable(host, "/proc") && !(t->pids = pidcache_new()))
		goto fail;
	ret = tracefs_mount_find(host, c->mount, &t->dir);
	if (ret < 0)
		goto fail;
	if (tracefs_set_tracing_dir(t->dir) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = tfs_load_format(t, c);
	if (ret < 0)
		goto fail;
	ret = tfs_take_instance(t, c);
	if (ret < 0)
		goto fail;
	ret = tinst_set_filter(host, &t->ti, t->filter.kernel);
	if (ret < 0)
		goto fail;
	ret = ring_open(host, &t->ti, t->tep, &t->ring);
	if (ret < 0)
		goto fail;
	ret = tinst_enable(host, &t->ti);
	if (ret < 0)
		goto fail;
	/* The task events, then /proc once: what starts after the walk is
	 * in the stream. Pointless when the kernel's pids are not ours. */
	if (t->pids && ttasks_init(host, t->tep, &t->ti, &t->tasks) == 0 && t->tasks.on) {
		ret = tfs_track_tasks(t, c);
		if (ret < 0)
			goto fail;
	}
	t->wake_percent = (int)c->wake_percent;
	t->buffer_kib = (c->buffer_size + 1023) / 1024;
	t->clock.tai = t->ti.tai;
	tclock_sample(&t->clock);
	t->clock_s = t->loss_s = t->loss_log_s = t->keep_renew_s = tfs_now_s();
	/* An adopted instance's loss while no run read it: counted at once. */
	if (t->keep.adopted)
		t->loss_s = 0;
	tca_log(host, TCA_LOG_INFO, 0, "capturing in tracefs instance %s/instances/%s, clock %s, "
		"%" PRIu64 " KiB per CPU%s%s", t->dir, t->ti.name, t->ti.tai ? "tai" : "boot",
		c->buffer_size / 1024, t->filter.kernel ? ", filter: " : "",
		t->filter.kernel ? t->filter.kernel : "");
	*state = t;
	return 0;
fail:
	tfs_close(t);
	return ret;
}

static int tfs_fd(void *state)
{
	return ring_fd(((struct tfs *)state)->ring);
}

/* Decode and attribute what the ring may hand out now, into rd->ev, with
 * the name of each cgroup those events meet first in rd->name (names: the
 * processor takes them). The read ends early once rd->name is full, so
 * that no later event needs a name that finds no room. */
static size_t tfs_read_records(struct tfs *t, uint64_t now_s, struct tca_read *rd, bool names)
{
	struct tca_event *ev = rd->ev;
	const struct trec *rec;
	size_t n = 0, cap = rd->cap;
	bool names_full = false;

	while (n < cap && !names_full && (rec = ring_peek(t->ring))) {
		struct traw raw;
		int32_t ended;
		int type = tdecode_type(&t->dec, rec->data, rec->size);
		/* Socket events first: most records are. */
		if (type != t->dec.type_id) {
			if (t->pids)
				pidcache_at(t->pids, rec->ts);
			if (!ttasks_event(&t->tasks, t->pids, type, rec->data, rec->size, &ended))
				tcreds_event(&t->creds, t->pids, type, rec->data, rec->size);
			else if (ended)
				socktab_process_ended(t->socks, ended);
			ring_next(t->ring);
			continue;
		}
		if (tdecode_event(&t->dec, rec->data, rec->size, &ev[n], &raw)) {
			ev[n].time_ns = (uint64_t)((int64_t)rec->ts + t->clock.offset_ns);
			raw.ts = rec->ts;
			/* Every event updates the table, even one the
			 * user-space filter then hides. */
			socktab_attribute(t->socks, t->pids, now_s, &raw, &ev[n]);
			/* Only for an event that goes out: a name is for the
			 * events in the archive. */
			if (tfilter_match(&t->filter, &ev[n])) {
				if (t->cg_note && (ev[n].flags & TCA_EV_CGROUP))
					names_full = cgpaths_hand(t->cg, names, rd, ev[n].cgroup);
				n++;
			}
		}
		ring_next(t->ring);
	}
	return n;
}

/* Wake-ups adapt to the load: busy from the first events read, idle again
 * when a tick of the busy timer finds that none came in a whole period,
 * so that a load of any rate costs about one wake-up per RING_FLUSH_MS
 * (or per wake_percent of a buffer), and an idle system none. Records
 * held back for an empty CPU make it busy too: idle, the buffer they came
 * from would stay readable, and poll() would spin until they may go. */
static void tfs_adapt(struct tfs *t, size_t n, uint64_t ticks)
{
	bool busy = ring_busy(t->ring), holding = ring_holding(t->ring);

	if (t->wake_percent <= 0)
		return;
	t->events_since_tick += n;
	if (!busy && (n > 0 || holding)) {
		ring_set_busy(t->ring, true, t->wake_percent);
		t->events_since_tick = 0;
	} else if (busy && ticks > 0) {
		if (!t->events_since_tick && !holding)
			ring_set_busy(t->ring, false, t->wake_percent);
		t->events_since_tick = 0;
	}
}

/* Renew the time the instance is kept until, now and then. */
static void tfs_read_keep(struct tfs *t, uint64_t now_s)
{
	if (t->keep.lock_fd >= 0 && !t->stopped && now_s - t->keep_renew_s >= KEEP_RENEW_S) {
		tinst_keep_until(&t->ti, time(NULL) + (time_t)t->keep.grace_s);
		t->keep_renew_s = now_s;
	}
}

static ssize_t tfs_read(void *state, struct tca_read *rd)
{
	struct tfs *t = state;
	size_t cap = rd->cap;
	uint64_t now_s = tfs_now_s(), ticks;
	size_t n = 0;
	bool names;

	/* Per batch, never per event: with the boot clock every batch gets a
	 * fresh offset, so a clock step shows from the next batch on. */
	if (!t->clock.tai || now_s != t->clock_s) {
		tclock_sample(&t->clock);
		t->clock_s = now_s;
	}
	ticks = ring_rearm(t->ring);
	/* Never a sleep here: records held for an empty CPU wait for the
	 * next read, which the hold timer (idle) or the flush timer (busy)
	 * brings (ring.c); at the final drain nothing is held (tfs_stop). */
	names = cgpaths_read_begin(t->cg, t->host, rd);
	n = tfs_read_records(t, now_s, rd, names);
	/* The mode first: going idle with records held arms the hold timer. */
	tfs_adapt(t, n, ticks);
	ring_done(t->ring);
	tfs_read_keep(t, now_s);
	/* Once stopped, every drain read counts exactly: the last one's
	 * count is the run's final word on what the kernel lost. */
	if (now_s != t->loss_s || (n < cap && (t->stopped || ring_missed(t->ring) != t->missed_seen))) {
		tfs_check_loss(t);
		t->loss_s = now_s;
	}
	rd->n = n;
	return (ssize_t)n;
}

/* At shutdown, before the final drain: the kernel stops recording, so
 * that the drain, and the loss count after it, end the run's story. */
static int tfs_stop(void *state)
{
	struct tfs *t = state;
	uint64_t margin = tmerge_margin_ns();

	t->stopped = true;
	if (t->keep.lock_fd >= 0 && t->keep.grace_s) {
		/* A stop for a restart, as far as we know (tcp-audit --release
		 * makes it final): the kernel records on, and what it holds
		 * past what we loaded is the next run's to read, so nothing
		 * waits for records in flight. */
		ring_finish(t->ring);
		t->keep.keep_at_close = true;
		return 0;
	}
	if (tracefs_trace_off(t->ti.inst) < 0)
		return -EIO;
	/* Once, at a final stop, not in read(): a record reserved before the
	 * stop is committed within the merge's margin; after it, every
	 * record there will be is in the buffers, and the drain may hand
	 * out all it finds. */
	nanosleep(&(struct timespec){ .tv_sec = (time_t)(margin / 1000000000u),
				      .tv_nsec = (long)(margin % 1000000000u) }, NULL);
	ring_final(t->ring);
	return 0;
}

static void tfs_stats(void *state, struct tca_plugin_stats *st)
{
	struct tfs *t = state;

	st->lost = t->lost;
	st->evicted = socktab_evictions(t->socks);
}

static const struct tca_option tfs_options[] = {
	{ .name = "buffer_size", .type = TCA_OPT_SIZE, .def = "4M",
	  .help = "kernel ring buffer per CPU (8K to 4G)",
	  .offset = offsetof(struct tracefs_config, buffer_size) },
	{ .name = "wake_percent", .type = TCA_OPT_INT, .def = "25", .min = 0, .max = 100,
	  .help = "under load, wake the reader when a CPU's buffer is this full (or after "
		  "100 ms); 0: at every event",
	  .offset = offsetof(struct tracefs_config, wake_percent) },
	{ .name = "clock", .type = TCA_OPT_STRING, .def = "auto",
	  .help = "trace clock: auto (tai if the kernel has it), tai or boot",
	  .offset = offsetof(struct tracefs_config, clock) },
	{ .name = "protocol", .type = TCA_OPT_STRING, .def = "tcp",
	  .help = "tcp, mptcp, sctp, a comma-separated list, or any",
	  .offset = offsetof(struct tracefs_config, protocol) },
	{ .name = "family", .type = TCA_OPT_STRING, .def = "any",
	  .help = "ipv4, ipv6 or any", .offset = offsetof(struct tracefs_config, family) },
	{ .name = "ports", .type = TCA_OPT_STRING,
	  .help = "keep events whose local or remote port is in this comma-separated list",
	  .offset = offsetof(struct tracefs_config, ports) },
	{ .name = "addresses", .type = TCA_OPT_STRING,
	  .help = "keep events whose local or remote address is in this list (max 16)",
	  .offset = offsetof(struct tracefs_config, addresses) },
	{ .name = "states", .type = TCA_OPT_STRING,
	  .help = "keep events whose new state is in this comma-separated list",
	  .offset = offsetof(struct tracefs_config, states) },
	{ .name = "filter", .type = TCA_OPT_STRING,
	  .help = "raw ftrace filter expression over the event's fields, ANDed with the rest",
	  .offset = offsetof(struct tracefs_config, filter) },
	{ .name = "ipv4_mapped", .type = TCA_OPT_BOOL, .def = "no",
	  .help = "report IPv4 on dual-stack sockets as ::ffff:a.b.c.d (IPv6) instead of IPv4",
	  .offset = offsetof(struct tracefs_config, ipv4_mapped) },
	{ .name = "max_sockets", .type = TCA_OPT_INT, .def = "262144", .min = 64, .max = 1 << 26,
	  .help = "sockets remembered for ids and attribution",
	  .offset = offsetof(struct tracefs_config, max_sockets) },
	{ .name = "restart_grace", .type = TCA_OPT_DURATION, .def = "5m",
	  .help = "at a stop, keep the kernel buffer recording this long for the next start "
		  "to read (0: remove it at every stop; tcp-audit --release: now)",
	  .offset = offsetof(struct tracefs_config, restart_grace_ms) },
	{ .name = "mount", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "mount tracefs on /sys/kernel/tracing if it is not mounted",
	  .offset = offsetof(struct tracefs_config, mount) },
	{ .name = "uid", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "follow owners' uids with the set*uid system-call tracepoints (which slow "
		  "every system call on the host a little)",
	  .offset = offsetof(struct tracefs_config, uid) },
	{ .name = "cgroup_paths", .type = TCA_OPT_BOOL, .def = "yes",
	  .help = "resolve each new cgroup id to its path once: logged, and stored as a name record",
	  .offset = offsetof(struct tracefs_config, cgroup_paths) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "tracefs",
	.version = PACKAGE_VERSION,
	.description = "TCP state changes from the kernel tracepoint sock/inet_sock_set_state",
	.options = tfs_options,
	.config_size = sizeof(struct tracefs_config),
	.open = tfs_open,
	.close = tfs_close,
	.stats = tfs_stats,
	.ops.eventer = {
		.fd = tfs_fd,
		.read = tfs_read,
		.stop = tfs_stop,
	},
	.flags = TCA_EVF_KERNEL_LOSS | TCA_EVF_RELEASE,
	.provides = TCA_EV_PID | TCA_EV_UID | TCA_EV_CGROUP,
};
