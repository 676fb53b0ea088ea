/* SPDX-License-Identifier: MIT */
/*
 * The events the kernel ran neither BPF program for, recovered from the
 * count of the tracepoint's hits (hits.c), whose instance keeps the last
 * events of each CPU with recover_buffer.
 *
 * When a CPU's count shows events the programs did not run for (loss.c,
 * unseen.c), that CPU's kept events are read in, and each is looked for
 * among the records the reader consumed (history.c): the same CPU, the
 * same change of state of the same ports, stamped a little after the
 * tracepoint's own stamp (its probe runs first). An event with no record
 * is a miss when:
 *  - no record of that change of that socket is near it on any CPU (so it
 *    is not one whose record an interrupt held back);
 *  - the socket's record before it ends in the state it starts from: that
 *    record gives it the socket's cookie, network namespace and, when it
 *    cannot have changed since, the owner;
 *  - it passes the state filter (the others hold for the whole socket).
 * The misses of a window are recovered only if there are no more of them
 * than the count allows, and a CPU's count is taken as lost only once its
 * window is settled (unseen.c, loss.c), so that a recovered event is
 * never also counted lost. What cannot be found stays counted lost.
 *
 * A recovered event has the kernel's own stamp, states and addresses; it
 * lacks what only the programs read (bytes and lifetime at a close), and
 * comes out after the events that followed it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include <linux/types.h>

#include "bpf.h"
#include "bpf-record.h"
#include "names.h"
#include "recover.h"
#include "trace-record.h"
#include "tracefs-mount.h"

/* About the bytes one event takes in the instance's buffer (76 with its
 * header on x86-64, and the pages' headers), for how many it holds; and
 * fewer than it takes, for the room to read them into. */
#define KEPT_EVENT_BYTES 80
#define KEPT_ROOM_BYTES 64
/* From a record's stamp to its commit in the ring, at the most. */
#define COMMIT_MARGIN_NS 5000000
/* A record this near an event of the same change of the same socket is
 * that event's, held back: the event is no miss. */
#define NEAR_NS 10000000
/* A CPU whose count shows nothing to look for is looked at no further
 * (its kept events are left to be overwritten, which costs nothing); one
 * that is not quiet for so long that, by the next look, more than this
 * share of what its instance holds will have come since, has its kept
 * events looked at now, before they are overwritten. recover_buffer must
 * hold more than a look's (100 ms) events: at the full churn of two
 * clients, about 17,000 a CPU. */
#define STALE_PERCENT 90
/* Events without a record that a window looks into beyond the count. */
#define MISSES_SLACK 64
/* A window whose records are not all in after this is given up. */
#define WINDOW_GIVE_UP_NS 2000000000
/* A recovered event of a socket in these states keeps the owner of the
 * record before it: after a close, no accept or close can change it. */
#define CLOSING_STATES ((1u << 4) | (1u << 5) | (1u << 9) | (1u << 11))

struct rcpu {
	struct kept *kept;      /* read in, time order, not settled yet */
	size_t nkept, cap;
	bool lost_some;         /* the window lacks kept events: it cannot be settled */
	bool full;              /* because kept was full (else, overwritten) */
	uint64_t good;          /* what came before this is settled */
	uint64_t good_hits;     /* the CPU's hits then */
	uint64_t target_hits;
	bool suspect;
	uint64_t target;        /* the quiet moment whose count is looked for */
	uint64_t excess;
	uint64_t since;         /* when the window opened (CLOCK_BOOTTIME) */
};

struct out {
	uint64_t ts;
	struct tca_event ev;
};

struct brecover {
	const struct tca_host *host;
	bool ipv4_mapped;
	struct bpf_filter filter; /* the kernel's, for what user space can check */
	unsigned ncpus;
	struct tep_handle *tep;
	bool set_dir;           /* libtracefs was told where tracefs is */
	struct tdecode dec;
	size_t commit_size, page_size;
	uint8_t *page;
	uint64_t horizon;       /* records of events up to this are all in */
	struct bhist *hist;     /* the records read, per CPU */
	struct rcpu *cpu;
	size_t kept_cap;        /* room per CPU for kept events read in */
	uint64_t kept_holds;    /* about what the instance holds per CPU */
	struct out *out;        /* recovered, not yet handed out */
	size_t nout, outcap;
	uint64_t total, refused, not_found;
	uint64_t windows, read;  /* for the log: windows settled, events read in */
};

static uint64_t recover_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int brecover_open(const struct tca_host *host, const struct bpf_config *c,
		  const struct bpf_filter *f, unsigned ncpus, struct brecover **out)
{
	struct brecover *rc = calloc(1, sizeof(*rc));
	uint64_t hist_size;
	char *dir = NULL;
	int r;

	*out = NULL;
	if (!rc)
		return -ENOMEM;
	rc->host = host;
	rc->ipv4_mapped = c->ipv4_mapped;
	rc->filter = *f;
	rc->ncpus = ncpus;
	rc->kept_cap = c->recover_buffer / KEPT_ROOM_BYTES;
	rc->kept_holds = c->recover_buffer / KEPT_EVENT_BYTES;
	rc->page_size = (size_t)sysconf(_SC_PAGESIZE);
	rc->cpu = calloc(ncpus, sizeof(*rc->cpu));
	rc->page = malloc(rc->page_size);
	rc->outcap = 1024;
	rc->out = malloc(rc->outcap * sizeof(*rc->out));
	if (!rc->cpu || !rc->page || !rc->out) {
		r = -ENOMEM;
		goto fail;
	}
	/* Each CPU's history holds twice what its instance does: a window
	 * spans about that, and waits for its records while the next one's
	 * come in. */
	rc->hist = bhist_new(ncpus, 2 * rc->kept_holds, c->ipv4_mapped, &hist_size);
	if (!rc->hist) {
		r = -ENOMEM;
		goto fail;
	}
	/* libtracefs reads the formats from where it is told (else it looks,
	 * and keeps a copy of what it found until told otherwise). */
	dir = tracefs_mount_dir();
	if (!dir || tracefs_set_tracing_dir(dir) < 0) {
		free(dir);
		r = -ENOENT;
		goto fail;
	}
	rc->set_dir = true;
	r = tdecode_load(host, dir, c->ipv4_mapped, &rc->tep, &rc->dec);
	free(dir);
	if (r < 0)
		goto fail;
	rc->commit_size = (size_t)tep_get_header_page_size(rc->tep);
	if (rc->commit_size != 4 && rc->commit_size != 8)
		rc->commit_size = sizeof(long);
	tca_log(host, TCA_LOG_DEBUG, 0, "recovering missed events: %" PRIu64 " KiB kept per CPU, "
		"a history of %" PRIu64 " records per CPU", c->recover_buffer / 1024, hist_size);
	*out = rc;
	return 0;
fail:
	tca_log(host, TCA_LOG_WARNING, -r, "cannot recover the events the kernel runs neither "
		"BPF program for: they are counted lost instead (tcp-audit-bpf(7), Loss)");
	brecover_close(rc);
	return r;
}

void brecover_close(struct brecover *rc)
{
	if (!rc)
		return;
	if (rc->total || rc->refused || rc->not_found)
		tca_log(rc->host, TCA_LOG_INFO, 0, "recovered %" PRIu64 " events the kernel ran "
			"neither BPF program for, from the tracepoint's own record (%" PRIu64
			" not found, %" PRIu64 " in windows refused)", rc->total, rc->not_found,
			rc->refused);
	tca_log(rc->host, TCA_LOG_DEBUG, 0, "recovery: %" PRIu64 " windows, %" PRIu64 " kept "
		"events read in", rc->windows, rc->read);
	for (unsigned c = 0; rc->cpu && c < rc->ncpus; c++)
		free(rc->cpu[c].kept);
	bhist_free(rc->hist);
	if (rc->tep)
		tep_free(rc->tep);
	if (rc->set_dir)
		tracefs_set_tracing_dir(NULL); /* frees libtracefs's copy */
	free(rc->cpu);
	free(rc->page);
	free(rc->out);
	free(rc);
}

void brecover_record(struct brecover *rc, const struct brec *r)
{
	bhist_add(rc->hist, r);
}

void brecover_drained(struct brecover *rc, uint64_t boot_ns)
{
	if (boot_ns > COMMIT_MARGIN_NS && boot_ns - COMMIT_MARGIN_NS > rc->horizon)
		rc->horizon = boot_ns - COMMIT_MARGIN_NS;
}

void brecover_all_in(struct brecover *rc)
{
	rc->horizon = UINT64_MAX;
}

void brecover_start(struct brecover *rc, uint64_t t)
{
	for (unsigned c = 0; c < rc->ncpus; c++)
		rc->cpu[c].good = t;
}

void brecover_clear(struct brecover *rc, unsigned cpu, uint64_t t, uint64_t hits)
{
	if (rc && cpu < rc->ncpus && !rc->cpu[cpu].suspect && t > rc->cpu[cpu].good) {
		rc->cpu[cpu].good = t;
		rc->cpu[cpu].good_hits = hits;
	}
}

uint64_t brecover_good(const struct brecover *rc, unsigned cpu)
{
	return rc && cpu < rc->ncpus ? rc->cpu[cpu].good : UINT64_MAX;
}

bool brecover_stale(const struct brecover *rc, unsigned cpu, uint64_t hits, uint64_t per_look)
{
	const struct rcpu *c;

	if (!rc || cpu >= rc->ncpus)
		return false;
	c = &rc->cpu[cpu];
	/* What will have come by the next look, with room to spare. */
	return !c->suspect &&
	       hits - c->good_hits + 2 * per_look > rc->kept_holds * STALE_PERCENT / 100;
}

uint64_t brecover_total(const struct brecover *rc)
{
	return rc ? rc->total : 0;
}

/* ---- the kept events of a CPU, read in */

static void kept_add(struct rcpu *c, uint64_t ts, const struct tca_event *e)
{
	if (c->nkept == c->cap) {
		c->lost_some = c->full = true;
		return;
	}
	c->kept[c->nkept].ts = ts;
	bkey_of_event(e, &c->kept[c->nkept].k);
	c->nkept++;
}

static void kept_read(struct brecover *rc, struct bhits *hits, unsigned cpu)
{
	struct rcpu *c = &rc->cpu[cpu];
	ssize_t n;

	if (!c->kept) {
		c->kept = malloc(rc->kept_cap * sizeof(*c->kept));
		if (!c->kept) {
			c->lost_some = true;
			return;
		}
		c->cap = rc->kept_cap;
	}
	while ((n = bhits_read_page(hits, cpu, rc->page, rc->page_size)) > 0) {
		struct tpage pg;
		struct trec rec;

		if (tpage_load(&pg, rc->page, (size_t)n, rc->commit_size) < 0)
			continue;
		/* The oldest were overwritten: what the window lacks is unknown. */
		if (pg.missed && pg.ts > c->good) {
			c->lost_some = true;
		}
		while (tpage_next(&pg, &rec) == 1) {
			struct tca_event e;
			struct traw raw;

			rc->read++;
			if (rec.ts <= c->good ||
			    !tdecode_event(&rc->dec, rec.data, rec.size, &e, &raw))
				continue;
			kept_add(c, rec.ts, &e);
		}
	}
}

void brecover_keep(struct brecover *rc, struct bhits *hits, unsigned cpu)
{
	if (rc && hits && cpu < rc->ncpus && rc->cpu[cpu].suspect)
		kept_read(rc, hits, cpu);
}

void brecover_suspect(struct brecover *rc, struct bhits *hits, unsigned cpu, uint64_t excess,
		      uint64_t t, uint64_t cpu_hits)
{
	struct rcpu *c;

	if (!rc || !hits || cpu >= rc->ncpus)
		return;
	c = &rc->cpu[cpu];
	/* An open window keeps its target, so that it does not grow while it
	 * waits for its records; what comes after is the next one's. */
	if (!c->suspect) {
		c->since = t;
		c->suspect = true;
		c->target = t;
		c->target_hits = cpu_hits;
		c->excess = excess;
	}
	kept_read(rc, hits, cpu);
}

/* ---- a window: its misses */

/* The event a miss was, from the socket's record before it; false when
 * it cannot be recovered (see the top of the file). */
static void recover_why(const struct brecover *rc, const struct kept *k, const char *why)
{
	tca_log(rc->host, TCA_LOG_DEBUG, 0, "not recovered: %s -> %s, port %u -> %u, at %" PRIu64
		" ns (boot): %s", names_state(k->k.oldstate), names_state(k->k.newstate), k->k.sport,
		k->k.dport, k->ts, why);
}

/* The last event recovered in this window (from first on) of the same
 * four-tuple, if it comes after the socket's last record and ends in the
 * state this one starts from: this one then takes what it has. */
static bool out_before(const struct brecover *rc, size_t first, const struct kept *k,
		       struct out *o)
{
	for (size_t i = rc->nout; i-- > first;) {
		const struct out *p = &rc->out[i];
		struct bkey pk;

		bkey_of_event(&p->ev, &pk);
		if (pk.sport != k->k.sport || pk.dport != k->k.dport || pk.family != k->k.family ||
		    memcmp(pk.saddr, k->k.saddr, 16) || memcmp(pk.daddr, k->k.daddr, 16))
			continue;
		if (p->ev.newstate != k->k.oldstate)
			return false;
		*o = *p;
		o->ts = k->ts;
		o->ev.oldstate = k->k.oldstate;
		o->ev.newstate = k->k.newstate;
		return true;
	}
	return false;
}

static bool recover_one(const struct brecover *rc, size_t first, const struct kept *k,
			struct out *o)
{
	const struct brec *before;
	struct tca_event *e = &o->ev;

	if (bhist_near(rc->hist, k, NEAR_NS)) {
		recover_why(rc, k, "a record of it came late");
		return false;
	}
	/* Two misses in a row (FIN_WAIT1 -> FIN_WAIT2 -> CLOSE): the one
	 * before, recovered just now, is the socket's last event. */
	if (out_before(rc, first, k, o))
		return true;
	if (!bhist_before(rc->hist, k, e, &before)) {
		recover_why(rc, k, "no record of its socket before it");
		return false;
	}
	if (before->newstate != k->k.oldstate) {
		recover_why(rc, k, "its socket's record before it ends in another state");
		return false;
	}
	o->ts = k->ts;
	e->oldstate = k->k.oldstate;
	e->newstate = k->k.newstate;
	e->flags &= ~(uint32_t)(TCA_EV_BYTES | TCA_EV_LIFETIME);
	e->bytes_sent = e->bytes_received = e->lifetime_ns = 0;
	if ((e->flags & TCA_EV_PID) &&
	    !(before->owner == BREC_OWNER_HOLDER &&
	      ((CLOSING_STATES & (1u << (before->newstate & 31))) ||
	       bhist_same_holder_after(rc->hist, k, before)))) {
		e->flags &= ~(uint32_t)(TCA_EV_PID | TCA_EV_UID | TCA_EV_CGROUP);
		e->owner = TCA_OWNER_UNKNOWN;
		e->pid = 0;
		e->uid = 0;
		e->cgroup = 0;
		memset(e->comm, 0, sizeof(e->comm));
	}
	/* The owner's cgroup is what that filter keeps by. */
	return !rc->filter.ncgroups || (e->flags & TCA_EV_CGROUP);
}

static void recover_log(const struct brecover *rc, unsigned cpu, const struct out *o)
{
	tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: recovered sock %" PRIu64 " %s -> %s, port "
		"%u -> %u, at %" PRIu64 " ns (boot)%s", cpu, o->ev.sock, names_state(o->ev.oldstate),
		names_state(o->ev.newstate), o->ev.sport, o->ev.dport, o->ts,
		o->ev.flags & TCA_EV_PID ? "" : ", owner unknown");
}

static bool out_room(struct brecover *rc, size_t more)
{
	struct out *o;
	size_t cap = rc->outcap;

	if (rc->nout + more <= cap)
		return true;
	while (cap < rc->nout + more)
		cap *= 2;
	o = realloc(rc->out, cap * sizeof(*o));
	if (!o)
		return false;
	rc->out = o;
	rc->outcap = cap;
	return true;
}

static bool addr_listed(const struct bpf_filter *f, unsigned family, const uint8_t *a)
{
	uint8_t m[16] = { [10] = 0xff, [11] = 0xff };

	if (family == TCA_FAMILY_IPV4)
		memcpy(m + 12, a, 4);
	else
		memcpy(m, a, 16);
	for (size_t i = 0; i < f->naddrs; i++)
		if (memcmp(f->addrs[i], m, 16) == 0)
			return true;
	return false;
}

/* What the kernel's filters would keep, as far as the event shows (its
 * network namespace and owner it does not: the socket's record before
 * it, which passed, tells those). Checked first, so that the events of
 * other ports are never looked for. */
static bool recover_wanted(const struct brecover *rc, const struct bkey *k)
{
	const struct bpf_filter *f = &rc->filter;
	bool port = f->nports == 0;

	if (f->states && !(f->states & (1u << (k->newstate & 31))))
		return false;
	if (f->family && k->family != f->family)
		return false;
	for (size_t i = 0; i < f->nports && !port; i++)
		port = f->ports[i] == k->sport || f->ports[i] == k->dport;
	if (!port)
		return false;
	return !f->naddrs || addr_listed(f, k->family, k->saddr) ||
	       addr_listed(f, k->family, k->daddr);
}

/* The kept events up to the target with no record: the misses, added to
 * out if they are no more than the count says. */
static uint64_t recover_window(struct brecover *rc, unsigned cpu)
{
	struct rcpu *c = &rc->cpu[cpu];
	size_t first = rc->nout, found = 0, misses = 0;

	uint64_t walk = 0;

	if (c->nkept && !bhist_covers(rc->hist, cpu, c->kept[0].ts)) {
		tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: its history does not reach back to the "
			"window's start: %" PRIu64 " events not looked for", cpu, c->excess);
		rc->not_found += c->excess;
		return 0;
	}
	if (c->nkept)
		walk = bhist_walk_from(rc->hist, cpu, c->kept[0].ts);
	for (size_t i = 0; i < c->nkept && c->kept[i].ts <= c->target; i++) {
		const struct kept *k = &c->kept[i];

		if (!recover_wanted(rc, &k->k) || bhist_seen(rc->hist, cpu, k, &walk))
			continue;
		/* More than the count can have missed: something else (the
		 * netns or cgroup filters' events); not worth the searches. */
		if (++misses > c->excess + MISSES_SLACK)
			break;
		if (!out_room(rc, 1))
			continue;
		if (recover_one(rc, first, k, &rc->out[rc->nout])) {
			recover_log(rc, cpu, &rc->out[rc->nout]);
			rc->nout++, found++;
		}
	}
	if (found > c->excess) {
		tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: %zu events to recover (%zu without a "
			"record) where the count found %" PRIu64 ": none recovered", cpu, found,
			misses, c->excess);
		rc->nout = first;
		rc->refused += c->excess;
		return 0;
	}
	rc->not_found += c->excess - found;
	if (misses)
		tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: at most %" PRIu64 " events the "
			"programs did not run for, %zu kept events without a record, %zu "
			"recovered", cpu, c->excess, misses, found);
	return found;
}

/* Drop what the window held up to its target; what came after it waits
 * for the next window. */
static void window_close(struct rcpu *c)
{
	size_t i = 0;

	while (i < c->nkept && c->kept[i].ts <= c->target)
		i++;
	memmove(c->kept, c->kept + i, (c->nkept - i) * sizeof(*c->kept));
	c->nkept -= i;
	c->good = c->target;
	c->good_hits = c->target_hits;
	c->suspect = false;
	c->lost_some = c->full = false;
	c->excess = 0;
}

void brecover_work(struct brecover *rc, uint64_t *recovered)
{
	uint64_t now = 0;

	for (unsigned cpu = 0; cpu < rc->ncpus; cpu++) {
		struct rcpu *c = &rc->cpu[cpu];
		uint64_t n, horizon;

		if (!c->suspect)
			continue;
		/* A CPU's records are all in up to a little before its newest:
		 * the ring hands them over in the order they were reserved. */
		horizon = bhist_newest(rc->hist, cpu);
		horizon = horizon > COMMIT_MARGIN_NS ? horizon - COMMIT_MARGIN_NS : 0;
		if (rc->horizon > horizon)
			horizon = rc->horizon;
		if (horizon < c->target + NEAR_NS + BHIST_MATCH_AFTER_NS) {
			if (!now)
				now = recover_boot_ns();
			if (now - c->since < WINDOW_GIVE_UP_NS)
				continue;
			tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: its records were not all in "
				"after 2 s: %" PRIu64 " events not looked for", cpu, c->excess);
			rc->not_found += c->excess;
			window_close(c);
			continue;
		}
		if (c->lost_some) {
			tca_log(rc->host, TCA_LOG_DEBUG, 0, "CPU %u: the window's kept events were "
				"%s: %" PRIu64 " events not looked for", cpu,
				c->full ? "too many" : "overwritten", c->excess);
			rc->not_found += c->excess;
			window_close(c);
			continue;
		}
		rc->windows++;
		n = recover_window(rc, cpu);
		recovered[cpu] += n;
		rc->total += n;
		window_close(c);
	}
}

size_t brecover_take(struct brecover *rc, struct tca_event *ev, size_t cap, int64_t offset_ns)
{
	size_t n = rc->nout < cap ? rc->nout : cap;

	for (size_t i = 0; i < n; i++) {
		ev[i] = rc->out[i].ev;
		ev[i].time_ns = (uint64_t)((int64_t)rc->out[i].ts + offset_ns);
	}
	memmove(rc->out, rc->out + n, (rc->nout - n) * sizeof(*rc->out));
	rc->nout -= n;
	return n;
}
