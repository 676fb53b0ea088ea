/* SPDX-License-Identifier: MIT */
/* The reader thread: eventer -> queue. It never waits for the writer,
 * unless the eventer asks for back-pressure. Every event it is handed gets
 * its seq here, before anything can drop it, and every loss becomes a gap
 * record over the seqs of what was lost. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit-status.h"
#include "log.h"
#include "processor.h"
#include "relay.h"

#define READ_BATCH 512
#define READ_LOSSES 64
/* At shutdown, what the source already holds is read for at most this
 * long, so that a source that never runs dry cannot hold the exit. */
#define DRAIN_MS 2000
/* Read calls remembered to turn the writer's durable seq into a count of
 * settled events (tca_read.settled). */
#define SETTLE_RING 256
/* A relay eventer's room for the origins and records of one read call. */
#define READ_ORIGINS 64
#define READ_RECORDS 256
/* Room for the name records of one read call (ABI 2.2). */
#define READ_NAMES 64

struct settle_mark {
	uint64_t handed;    /* events handed over up to the end of a read call */
	uint64_t last_seq;  /* the seq of the last of them */
};

struct reader {
	struct processor *p;
	const struct tca_plugin *desc;
	void *state;
	struct tca_read rd;
	uint64_t next_seq;
	uint64_t source_lost;      /* the eventer's stats.lost already made gaps */
	uint64_t handed;
	struct settle_mark marks[SETTLE_RING];
	size_t mark_head, mark_count;
	uint64_t last_full_log_ms;
	uint64_t full_since_log;
	uint64_t names_log_ms;     /* the last "name record lost" line */
	uint64_t names_since_log;
	uint64_t bad_name_log_ms;  /* the last line about an invalid name */
	struct tca_event *buf;     /* read()'s events when they cannot go in the queue */
	bool direct;               /* rd.ev is a span reserved in the queue */
	struct relay *relay;       /* NULL unless the eventer is a relay */
	struct queue_tag *tags;    /* a relay's tags for rd.ev[] */
};

/* Reserve count seqs for lost events, as one gap record. */
static void reader_gap(struct reader *r, uint32_t reason, int32_t cpu, uint64_t count,
		       uint64_t time_ns)
{
	struct tca_gap g = {
		.run_id = r->p->origin.run_id,
		.first_seq = r->next_seq,
		.count = count,
		.time_ns = time_ns ? time_ns : processor_realtime_ns(),
		.reason = reason,
		.cpu = cpu,
	};

	r->next_seq += count;
	gaps_add(&r->p->gaps, &g);
	if (reason == TCA_GAP_QUEUE_FULL)
		stats_add(r->p->stats.lost_queue_full, count);
	else
		stats_add(r->p->stats.lost_source, count);
}

static void reader_count_full(struct reader *r, uint64_t lost)
{
	uint64_t now = queue_now_ms();

	r->full_since_log += lost;
	/* One line per 10 s at most: a loss must show, but not flood. */
	if (now - r->last_full_log_ms >= 10000) {
		log_warning("queue full: %" PRIu64 " events lost since the last report (recorded as "
			    "gaps); the sink is slower than the source or down (raise --queue-memory, "
			    "or fix the sink)", r->full_since_log);
		r->last_full_log_ms = now;
		r->full_since_log = 0;
	}
}

/* The part of the eventer's loss count that read() did not report in
 * place: a gap before this batch, since the kernel lost those events
 * before the ones just read. */
static void reader_unreported_losses(struct reader *r, uint64_t reported_now)
{
	struct tca_plugin_stats st = { 0 };
	uint64_t accounted = r->source_lost + reported_now;

	r->source_lost = accounted;
	if (!r->desc->stats)
		return;
	r->desc->stats(r->state, &st);
	stats_set(r->p->stats.evicted, st.evicted);
	if (st.lost > accounted) {
		reader_gap(r, r->desc->flags & TCA_EVF_KERNEL_LOSS ? TCA_GAP_KERNEL : TCA_GAP_SOURCE, -1,
			   st.lost - accounted, 0);
		r->source_lost = st.lost;
	}
}

/* Give every event its seq, and every reported loss its seqs, in order. */
static void reader_number(struct reader *r)
{
	size_t li = 0;

	for (size_t i = 0; i <= r->rd.n; i++) {
		for (; li < r->rd.nloss && (r->rd.loss[li].at <= i || i == r->rd.n); li++) {
			const struct tca_loss *l = &r->rd.loss[li];
			if (l->count)
				reader_gap(r, l->reason == TCA_GAP_KERNEL ? TCA_GAP_KERNEL : TCA_GAP_SOURCE,
					   l->cpu, l->count, l->time_ns);
		}
		/* A relayed event keeps the seq its origin gave it. */
		if (i < r->rd.n && !r->relay)
			r->rd.ev[i].seq = r->next_seq++;
	}
}

/* Events ev[from..n) found no room: gaps over their seqs. */
static void reader_drop(struct reader *r, size_t from)
{
	size_t n = gaps_add_events(&r->p->gaps, r->p->origin.run_id, r->rd.ev + from, r->rd.n - from,
				   TCA_GAP_QUEUE_FULL, processor_realtime_ns());

	stats_add(r->p->stats.lost_queue_full, n);
	reader_count_full(r, n);
}

/* Push what was read; with back-pressure, wait for room instead of
 * dropping, for as long as the run goes on. */
static void reader_push(struct reader *r)
{
	size_t done = queue_push(&r->p->queue, r->rd.ev, r->rd.n);

	while (done < r->rd.n && (r->desc->flags & TCA_EVF_BACKPRESSURE) && !flag_get(r->p->force)) {
		queue_wait_space(&r->p->queue, 100);
		done += queue_push(&r->p->queue, r->rd.ev + done, r->rd.n - done);
		if (queue_is_closed(&r->p->queue))
			break;
	}
	if (done < r->rd.n)
		reader_drop(r, done);
}

/* Hand over what read() put straight into the queue's reserved span. */
static void reader_commit(struct reader *r)
{
	if (queue_commit(&r->p->queue, r->rd.n) < r->rd.n)
		reader_drop(r, 0); /* closed meanwhile: the span is still ours to read */
}

/* A name record the processor could not keep: the store will show its
 * id without a text. Rare, so logged, but at most once per 10 s. */
static void reader_name_lost(struct reader *r, const char *why)
{
	uint64_t now = queue_now_ms();

	stats_add(r->p->stats.names_lost, 1);
	r->names_since_log++;
	if (r->names_log_ms && now - r->names_log_ms < 10000)
		return;
	log_warning("name records lost: %" PRIu64 " since the last report (%s); the store keeps "
		    "the ids of their events without a name", r->names_since_log, why);
	r->names_log_ms = now;
	r->names_since_log = 0;
}

/* Whether the eventer filled no more names than there was room for: a
 * plugin bug must not make the processor read past name[]. Checked
 * before anything of the call is numbered or queued. */
static int reader_names_check(struct reader *r)
{
	if (r->rd.nname <= r->rd.name_cap)
		return 0;
	log_error("eventer '%s' handed over %zu name records with room for %zu; this is a bug in the "
		  "plugin", r->desc->name, r->rd.nname, r->rd.name_cap);
	return -EPROTO;
}

/* An invalid name from the eventer: dropped, counted, and said, at most
 * once per 10 s (a plugin bug may repeat at every call). */
static void reader_bad_name(struct reader *r, const struct tca_name *nm)
{
	uint64_t now = queue_now_ms();

	if (!r->bad_name_log_ms || now - r->bad_name_log_ms >= 10000) {
		log_error("eventer '%s' handed over a name record (kind %" PRIu32 ", id %" PRIu64
			  ") with %s; it is dropped (this is a bug in the plugin)", r->desc->name,
			  nm->kind, nm->id,
			  nm->kind < 1 || nm->kind > TCA_NAME_KIND_MAX ? "an unknown kind" :
			  !nm->text ? "no text" : "a text of TCA_NAME_MAX (4096) bytes or more");
		r->bad_name_log_ms = now;
	}
	reader_name_lost(r, "invalid");
}

static bool reader_may_wait(struct reader *r);

/* Keep the name records of the call, before its events are queued: the
 * writer stores every waiting name before it stores a batch, so a store
 * never holds an event ahead of its name. With the ring at its bound (the
 * store down long), an eventer with back-pressure waits, as for room in
 * the queue, while the writer moves names to the spool; any other loses
 * the name, said and counted. */
static void reader_names(struct reader *r)
{
	for (size_t i = 0; i < r->rd.nname; i++) {
		const struct tca_name *nm = &r->rd.name[i];
		if (!namerecs_valid(nm)) {
			reader_bad_name(r, nm);
			continue;
		}
		while ((r->desc->flags & TCA_EVF_BACKPRESSURE) && !namerecs_has_room(&r->p->names) &&
		       reader_may_wait(r))
			queue_sleep(&r->p->queue, 10);
		int e = namerecs_add(&r->p->names, nm, r->p->origin.run_id);
		if (e < 0)
			reader_name_lost(r, e == -ENOSPC ? "the ring of names waiting for the store is "
							   "full: the store has been down long" :
							   "out of memory");
	}
}

/* Where read() puts its events: straight into the queue when a whole
 * batch fits there in one span, which saves copying every event once;
 * else into the reader's own buffer, pushed after (with back-pressure or
 * drops, as the eventer asked). A relay's events need their tags beside
 * them, so they always take the buffer. */
static void reader_aim(struct reader *r)
{
	r->rd.ev = r->buf;
	r->direct = !r->relay && queue_reserve(&r->p->queue, r->rd.cap, &r->rd.ev);
}

static void reader_mark(struct reader *r)
{
	struct settle_mark m = { .handed = r->handed, .last_seq = r->next_seq - 1 };

	if (r->mark_count == SETTLE_RING) {
		/* Full: fold into the newest, which only settles later. */
		r->marks[(r->mark_head + r->mark_count - 1) % SETTLE_RING] = m;
		return;
	}
	r->marks[(r->mark_head + r->mark_count++) % SETTLE_RING] = m;
}

/* How many handed-over events are settled, for the eventer to see. */
static void reader_settle(struct reader *r)
{
	uint64_t durable = __atomic_load_n(&r->p->durable_seq, __ATOMIC_ACQUIRE);

	/* One hseq per item: the settled hseq is the settled count. */
	if (r->relay) {
		r->rd.settled = relay_durable(r->relay);
		return;
	}

	while (r->mark_count && r->marks[r->mark_head].last_seq <= durable) {
		r->rd.settled = r->marks[r->mark_head].handed;
		r->mark_head = (r->mark_head + 1) % SETTLE_RING;
		r->mark_count--;
	}
}

/* Whether the run goes on: a relayed item may wait for room only so long. */
static bool reader_may_wait(struct reader *r)
{
	return !flag_get(r->p->force) && !queue_is_closed(&r->p->queue);
}

/* Queue ev[from..to) with their tags, waiting for room. Returns false
 * when some found none (a forced exit): the relay stops settling. */
static bool reader_relay_events(struct reader *r, size_t from, size_t to)
{
	size_t done = from;

	while (done < to) {
		done += queue_push_tagged(&r->p->queue, r->rd.ev + done, r->tags + done, to - done);
		if (done < to && !reader_may_wait(r))
			break;
		if (done < to)
			queue_wait_space(&r->p->queue, 100);
	}
	return done == to;
}

static bool reader_relay_record(struct reader *r, const struct tca_relay_rec *in, int slot,
				uint64_t hseq)
{
	struct relay_rec rec = { .hseq = hseq, .origin = (uint32_t)slot, .type = in->type };

	if (in->type == TCA_RELAY_GAP) {
		rec.u.gap = in->u.gap;
	} else if (in->type == TCA_RELAY_RUN) {
		rec.u.run = in->u.run;
	} else {
		/* The ring owns a copy: the eventer's text lives only as long
		 * as the call. The run that resolved it is its origin's. */
		rec.u.name = in->u.name;
		rec.u.name.origin = 0;
		rec.u.name.run_id = relay_origin(r->relay, (uint32_t)slot)->run_id;
		rec.u.name.text = strdup(in->u.name.text);
		if (!rec.u.name.text) {
			log_error("relay: out of memory for a name record");
			return false;
		}
	}
	while (!relay_push(r->relay, &rec)) {
		if (!reader_may_wait(r)) {
			relay_rec_free(&rec);
			return false;
		}
		queue_sleep(&r->p->queue, 10);
	}
	return true;
}

/* The slot of an origin, waiting while the table holds only origins of
 * items not yet settled. Returns it, or -1 on a forced exit. */
static int reader_relay_slot(struct reader *r, uint32_t ix, uint64_t hseq)
{
	int slot;

	while ((slot = relay_intern(r->relay, &r->rd.origin[ix], hseq)) < 0) {
		if (!reader_may_wait(r))
			return -1;
		queue_sleep(&r->p->queue, 10);
	}
	return slot;
}

/* Whether the relay fields of the call make sense; a plugin bug must not
 * make the processor read past what it filled. */
static int reader_relay_check(struct reader *r)
{
	/* A relay hands names as records, never in name[]. */
	if (r->rd.norigin > r->rd.origin_cap || r->rd.nrec > r->rd.rec_cap || r->rd.nname)
		goto bad;
	for (size_t i = 0; i < r->rd.n; i++)
		if (r->rd.ev_origin[i] >= r->rd.norigin)
			goto bad;
	for (size_t i = 0; i < r->rd.nrec; i++) {
		const struct tca_relay_rec *rec = &r->rd.rec[i];
		if (rec->origin >= r->rd.norigin || rec->at > r->rd.n ||
		    (i && rec->at < r->rd.rec[i - 1].at) ||
		    (rec->type != TCA_RELAY_GAP && rec->type != TCA_RELAY_RUN &&
		     rec->type != TCA_RELAY_NAME) ||
		    (rec->type == TCA_RELAY_NAME && !namerecs_valid(&rec->u.name)))
			goto bad;
	}
	return 0;
bad:
	log_error("eventer '%s' handed over relay items that name no origin, records out of "
		  "order, or an invalid name record; this is a bug in the plugin", r->desc->name);
	return -EPROTO;
}

/*
 * Hand over a relay's items in their order: the records before ev[i],
 * then ev[i]. Each gets the next hseq; events go to the queue with their
 * tags, records to the relay's ring. Nothing is dropped while the run
 * goes on; on a forced exit the rest is not queued and the relay stops
 * settling, so that the source delivers it again.
 */
static void reader_relay_push(struct reader *r)
{
	struct relay *rl = r->relay;
	uint64_t hseq = relay_handed(rl);
	size_t li = 0, from = 0;
	bool ok = true;

	for (size_t i = 0; ok && i <= r->rd.n; i++) {
		for (; ok && li < r->rd.nrec && r->rd.rec[li].at <= i; li++) {
			const struct tca_relay_rec *rec = &r->rd.rec[li];
			int slot = reader_relay_slot(r, rec->origin, hseq + 1);
			/* Events before the record are queued before it. */
			ok = slot >= 0 && reader_relay_events(r, from, i);
			from = i;
			ok = ok && reader_relay_record(r, rec, slot, ++hseq);
		}
		if (ok && i < r->rd.n) {
			int slot = reader_relay_slot(r, r->rd.ev_origin[i], hseq + 1);
			ok = slot >= 0;
			r->tags[i] = (struct queue_tag){ .hseq = ++hseq, .origin = (uint32_t)slot };
		}
	}
	ok = ok && reader_relay_events(r, from, r->rd.n);
	if (!ok) {
		/* Before handed moves: the writer must not settle past it. */
		relay_break(rl);
		log_warning("forced exit: relayed items from %" PRIu64 " on were not queued; they are "
			    "not settled, so the source delivers them again", hseq);
	}
	stats_add(r->p->stats.read, r->rd.n);
	__atomic_store_n(&rl->handed, hseq, __ATOMIC_RELEASE);
	/* Records do not go through the queue: a writer waiting for events
	 * must be woken to store them (a run's end record is often last). */
	if (r->rd.nrec)
		queue_kick(&r->p->queue);
}

/* One read() call and what follows from it. Returns its result. */
static ssize_t reader_read_once(struct reader *r)
{
	ssize_t n;

	reader_settle(r);
	reader_aim(r);
	r->rd.n = r->rd.nloss = r->rd.norigin = r->rd.nrec = r->rd.nname = 0;
	heartbeat_enter(&r->p->reader_beat, "read()");
	n = r->desc->ops.eventer.read(r->state, &r->rd);
	heartbeat_leave(&r->p->reader_beat);
	if (n < 0) {
		r->rd.n = r->rd.nloss = r->rd.nrec = r->rd.nname = 0;
	} else {
		if (r->rd.n > r->rd.cap)
			r->rd.n = r->rd.cap; /* a plugin bug must not overrun the queue */
		if (r->rd.nloss > r->rd.loss_cap)
			r->rd.nloss = r->rd.loss_cap;
		if (!r->relay && reader_names_check(r) < 0) {
			if (r->direct)
				queue_commit(&r->p->queue, 0); /* nothing of a broken call is queued */
			return -EPROTO;
		}
	}
	uint64_t reported = 0;
	for (size_t i = 0; i < r->rd.nloss; i++)
		reported += r->rd.loss[i].count;
	reader_unreported_losses(r, reported);
	reader_number(r);
	if (!r->relay)
		reader_names(r);
	if (r->relay) {
		if (n >= 0 && reader_relay_check(r) < 0)
			return -EPROTO;
		if (n >= 0 && (r->rd.n || r->rd.nrec))
			reader_relay_push(r);
	} else if (r->rd.n) {
		stats_add(r->p->stats.read, r->rd.n);
		r->handed += r->rd.n;
		if (r->direct)
			reader_commit(r);
		else
			reader_push(r);
		reader_mark(r);
	} else if (r->direct) {
		queue_commit(&r->p->queue, 0); /* nothing read: end the reservation */
	}
	/* Published only now: every seq up to it is in the queue or a gap,
	 * so a writer that finds both empty may call it settled. */
	__atomic_store_n(&r->p->last_seq, r->next_seq - 1, __ATOMIC_RELEASE);
	return n;
}

/* Read until the source has nothing more right now. Returns 0, or the
 * negative errno of read(). */
static int reader_drain_once(struct reader *r)
{
	for (;;) {
		ssize_t n = reader_read_once(r);

		if (n <= 0)
			return (int)n;
		/* A call that stopped early for lack of room (losses, records,
		 * names) may leave more behind it: read again. */
		if ((size_t)n < READ_BATCH && r->rd.nloss < READ_LOSSES &&
		    (!r->relay || r->rd.nrec < READ_RECORDS) && r->rd.nname < READ_NAMES)
			return 0;
	}
}

static int reader_loop(struct reader *r)
{
	struct pollfd fds[3] = {
		{ .fd = r->desc->ops.eventer.fd(r->state), .events = POLLIN },
		{ .fd = r->p->wake_fd, .events = POLLIN },
		{ .fd = r->p->settle_fd, .events = POLLIN },
	};
	nfds_t nfds = r->relay ? 3 : 2;
	int ret;

	while (!flag_get(r->p->stop_reading)) {
		if (poll(fds, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(errno, "poll on the eventer failed");
			return -errno;
		}
		if (fds[0].revents & (POLLERR | POLLNVAL)) {
			log_error("eventer '%s': its descriptor failed", r->desc->name);
			return -EIO;
		}
		/* The settled count moved: read() tells the eventer, which
		 * may be waiting for it to acknowledge, not for its fd. */
		if (r->relay && (fds[2].revents & POLLIN)) {
			uint64_t v;
			ssize_t c = read(r->p->settle_fd, &v, sizeof(v));
			(void)c;
		}
		ret = reader_drain_once(r);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Whatever the source holds when we stop is read too: first the source
 * stops recording, so that the drain and the final loss count are the
 * last word of the run. */
static int reader_final_drain(struct reader *r)
{
	uint64_t end = queue_now_ms() + DRAIN_MS;
	ssize_t n;

	if (r->desc->ops.eventer.stop) {
		int s = r->desc->ops.eventer.stop(r->state);
		if (s < 0)
			log_full(r->desc->name, TCA_LOG_WARNING, -s,
				 "cannot stop recording; events until the exit may be lost uncounted");
	}
	do {
		n = reader_read_once(r);
	} while (n > 0 && !flag_get(r->p->force) && queue_now_ms() < end);
	return n == -ENODATA ? 0 : (int)(n < 0 ? n : 0);
}

void *reader_main(void *arg)
{
	struct reader r = { .p = arg, .next_seq = 1 };
	int ret;

	r.desc = r.p->eventer->desc;
	r.state = r.p->eventer->state;
	r.buf = calloc(READ_BATCH, sizeof(*r.buf));
	r.rd.ev = r.buf;
	r.rd.loss = calloc(READ_LOSSES, sizeof(*r.rd.loss));
	r.rd.cap = READ_BATCH;
	r.rd.loss_cap = READ_LOSSES;
	if (r.desc->flags & TCA_EVF_RELAY) {
		r.relay = &r.p->relay;
		r.tags = calloc(READ_BATCH, sizeof(*r.tags));
		r.rd.ev_origin = calloc(READ_BATCH, sizeof(*r.rd.ev_origin));
		r.rd.origin = calloc(READ_ORIGINS, sizeof(*r.rd.origin));
		r.rd.rec = calloc(READ_RECORDS, sizeof(*r.rd.rec));
		r.rd.origin_cap = READ_ORIGINS;
		r.rd.rec_cap = READ_RECORDS;
		if (!r.tags || !r.rd.ev_origin || !r.rd.origin || !r.rd.rec) {
			r.p->reader_status = EXIT_OSERR;
			goto out;
		}
	} else {
		r.rd.name = calloc(READ_NAMES, sizeof(*r.rd.name));
		r.rd.name_cap = READ_NAMES;
		if (!r.rd.name) {
			r.p->reader_status = EXIT_OSERR;
			goto out;
		}
	}
	if (!r.buf || !r.rd.loss) {
		r.p->reader_status = EXIT_OSERR;
		goto out;
	}
	ret = reader_loop(&r);
	if (ret == -ENODATA) {
		flag_set(r.p->source_ended, true);
		log_info("eventer '%s' reached the end of its events", r.desc->name);
	} else if (ret < 0) {
		log_full(r.desc->name, TCA_LOG_ERR, -ret, "reading events failed; stopping");
		r.p->reader_status = EXIT_RUNTIME;
	} else if (!flag_get(r.p->force)) {
		ret = reader_final_drain(&r);
		if (ret < 0)
			log_full(r.desc->name, TCA_LOG_WARNING, -ret, "draining at exit failed");
	}
	if (r.full_since_log)
		log_warning("queue full: %" PRIu64 " events lost since the last report", r.full_since_log);
	if (r.names_since_log)
		log_warning("name records lost: %" PRIu64 " since the last report", r.names_since_log);
out:
	free(r.buf);
	free(r.rd.loss);
	free(r.tags);
	free(r.rd.ev_origin);
	free(r.rd.origin);
	free(r.rd.rec);
	free(r.rd.name);
	/* Done before the queue closes: once it is closed and empty the
	 * writer may end, and the main loop must not then take the reader
	 * for still running (it would force the stop). */
	flag_set(r.p->reader_done, true);
	queue_close(&r.p->queue);
	processor_thread_done(r.p);
	return NULL;
}
