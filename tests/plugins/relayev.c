/* SPDX-License-Identifier: MIT */
/*
 * A relay eventer for tests of the processor (TCA_EVF_RELAY): it hands
 * over the events of `origins` runs of other hosts, interleaved in chunks
 * of 7, each run framed by its run records (running, then clean with
 * last_seq = events) and with a gap record where its seqs 50 and 51 are
 * missing. Event seq s of run R has sock R * 1000000 + s, so a store can
 * tell from the event alone whose it is. With names=yes, each run's start
 * record is followed by a name record (TCA_RELAY_NAME) of cgroup id
 * 500 + o with the text "/relay/o<o>", o being the origin's index, whose
 * own run id is given as 0 (the processor takes the origin's). At
 * settle() it writes to
 * `report` the final settled count, the items it handed over, and whether
 * tca_read.settled ever went backwards or past what it had handed over.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

#define MAX_ORIGINS 4
#define CHUNK 7

struct relayev_config {
	int64_t events;
	int64_t origins;
	const char *report;
	bool names;
};

struct source {
	uint64_t next;   /* the next seq */
	bool started, named, ended;
};

struct relayev {
	struct relayev_config c;
	int fd;
	struct source src[MAX_ORIGINS];
	char host[MAX_ORIGINS][16];
	char text[MAX_ORIGINS][16];
	unsigned cur, chunk;
	uint64_t handed, settled_seen;
	bool settled_bad;
};

static uint64_t run_of(unsigned o)
{
	return 1000 + o;
}

static int relayev_open(const struct tca_host *host, const void *config, void **state)
{
	struct relayev *e;

	if (host->abi_minor < 1) {
		tca_log(host, TCA_LOG_ERR, 0, "needs a processor of plugin ABI 2.1 or later");
		return -ENOTSUP;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->c = *(const struct relayev_config *)config;
	if (e->c.origins < 1 || e->c.origins > MAX_ORIGINS)
		e->c.origins = 1;
	for (unsigned o = 0; o < MAX_ORIGINS; o++) {
		e->src[o].next = 1;
		/* Two runs of one host: an origin is the run, not the host. */
		snprintf(e->host[o], sizeof(e->host[o]), "edge-%c", 'a' + (o % 2));
		snprintf(e->text[o], sizeof(e->text[o]), "/relay/o%u", o);
	}
	e->chunk = CHUNK;
	e->fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK); /* always readable */
	if (e->fd < 0) {
		int err = errno;
		free(e);
		return -err;
	}
	*state = e;
	return 0;
}

static void relayev_close(void *state)
{
	struct relayev *e = state;

	close(e->fd);
	free(e);
}

static int relayev_fd(void *state)
{
	return ((struct relayev *)state)->fd;
}

static void relayev_rec(struct tca_read *r, unsigned o, uint32_t type)
{
	struct tca_relay_rec *rec = &r->rec[r->nrec++];

	*rec = (struct tca_relay_rec){ .at = (uint32_t)r->n, .type = type, .origin = o };
}

static void relayev_next_source(struct relayev *e)
{
	e->cur = (e->cur + 1) % (unsigned)e->c.origins;
	e->chunk = CHUNK;
}

/* One step of source o: a record or an event. */
static void relayev_step(struct relayev *e, struct tca_read *r, unsigned o)
{
	struct source *s = &e->src[o];
	uint64_t last = (uint64_t)e->c.events;

	if (!s->started) {
		relayev_rec(r, o, TCA_RELAY_RUN);
		r->rec[r->nrec - 1].u.run = (struct tca_run){ .start_ns = 1, .state = TCA_RUN_RUNNING };
		s->started = true;
		return;
	}
	if (e->c.names && !s->named) {
		relayev_rec(r, o, TCA_RELAY_NAME);
		r->rec[r->nrec - 1].u.name = (struct tca_name){ .kind = TCA_NAME_CGROUP,
								.id = 500 + o, .time_ns = 3,
								.origin = 77,
								.text = e->text[o] };
		s->named = true;
		return;
	}
	if (s->next == 50 && last >= 51) {
		relayev_rec(r, o, TCA_RELAY_GAP);
		r->rec[r->nrec - 1].u.gap = (struct tca_gap){ .run_id = run_of(o), .first_seq = 50,
							      .count = 2, .reason = TCA_GAP_KERNEL,
							      .cpu = 1 };
		s->next = 52;
		return;
	}
	if (s->next > last) {
		relayev_rec(r, o, TCA_RELAY_RUN);
		r->rec[r->nrec - 1].u.run = (struct tca_run){ .start_ns = 1, .end_ns = 2,
							     .last_seq = last,
							     .state = TCA_RUN_CLEAN };
		s->ended = true;
		relayev_next_source(e);
		return;
	}
	r->ev[r->n] = (struct tca_event){ .time_ns = s->next, .sock = run_of(o) * 1000000 + s->next,
					  .seq = s->next, .family = TCA_FAMILY_IPV4,
					  .protocol = TCA_PROTO_TCP, .oldstate = TCA_STATE_CLOSE,
					  .newstate = TCA_STATE_SYN_SENT };
	r->ev_origin[r->n++] = o;
	s->next++;
	if (--e->chunk == 0)
		relayev_next_source(e);
}

static bool relayev_all_ended(const struct relayev *e)
{
	for (unsigned o = 0; o < (unsigned)e->c.origins; o++)
		if (!e->src[o].ended)
			return false;
	return true;
}

static ssize_t relayev_read(void *state, struct tca_read *r)
{
	struct relayev *e = state;

	if (r->settled < e->settled_seen || r->settled > e->handed)
		e->settled_bad = true;
	e->settled_seen = r->settled;
	if (relayev_all_ended(e))
		return -ENODATA;
	r->norigin = (size_t)e->c.origins;
	for (unsigned o = 0; o < (unsigned)e->c.origins; o++)
		r->origin[o] = (struct tca_origin){ .host = e->host[o],
						    .boot_id = "11111111-2222-3333-4444-555555555555",
						    .run_id = run_of(o) };
	while (r->n < r->cap && r->nrec < r->rec_cap && !relayev_all_ended(e)) {
		while (e->src[e->cur].ended)
			relayev_next_source(e);
		relayev_step(e, r, e->cur);
	}
	e->handed += r->n + r->nrec;
	return (ssize_t)(r->n + r->nrec);
}

static void relayev_settle(void *state, uint64_t settled)
{
	struct relayev *e = state;
	FILE *f;

	if (!e->c.report)
		return;
	f = fopen(e->c.report, "we");
	if (!f)
		return;
	fprintf(f, "settled %" PRIu64 " handed %" PRIu64 " seen %" PRIu64 " bad %d\n", settled,
		e->handed, e->settled_seen, e->settled_bad);
	fclose(f);
}

static const struct tca_option relayev_options[] = {
	{ .name = "events", .type = TCA_OPT_INT, .def = "100", .min = 1, .max = 1000000,
	  .offset = offsetof(struct relayev_config, events) },
	{ .name = "origins", .type = TCA_OPT_INT, .def = "3", .min = 1, .max = MAX_ORIGINS,
	  .offset = offsetof(struct relayev_config, origins) },
	{ .name = "report", .type = TCA_OPT_STRING,
	  .offset = offsetof(struct relayev_config, report) },
	{ .name = "names", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct relayev_config, names) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "relayev",
	.version = "test",
	.description = "A relay of synthetic runs of other hosts (tests only)",
	.options = relayev_options,
	.config_size = sizeof(struct relayev_config),
	.open = relayev_open,
	.close = relayev_close,
	.ops.eventer = {
		.fd = relayev_fd,
		.read = relayev_read,
	},
	.flags = TCA_EVF_RELAY | TCA_EVF_BACKPRESSURE,
	.settle = relayev_settle,
};
