/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/relay.c and of the processor with a relay eventer
 * (TCA_EVF_RELAY, tests/plugins/relayev.c) into the flaky sinker: relayed
 * events keep their origin and seq, batches are of one origin, relayed
 * gap and run records reach the store under their origin, the collector
 * keeps its own run record, and `settled` counts exactly what is stored,
 * also when the store refuses events or is slow (back-pressure).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processor.h"
#include "suites.h"

static struct tca_origin origin(const char *host, uint64_t run)
{
	return (struct tca_origin){ .host = host, .boot_id = "b", .run_id = run };
}

START_TEST(test_relay_origin_table)
{
	struct relay r;
	struct tca_origin a = origin("a", 1), b = origin("b", 2), c = origin("a", 3);

	ck_assert_int_eq(relay_init(&r, 2, 128), 0);
	ck_assert_int_eq(relay_intern(&r, &a, 1), 0);
	ck_assert_int_eq(relay_intern(&r, &b, 2), 1);
	ck_assert_int_eq(relay_intern(&r, &a, 3), 0);
	/* Both slots name items not yet settled: c must wait. */
	ck_assert_int_eq(relay_intern(&r, &c, 4), -EAGAIN);
	/* Once b's last item (2) is settled, but not a's (3), c takes b's slot. */
	ck_assert(relay_settle(&r, 2));
	ck_assert_int_eq(relay_intern(&r, &c, 4), 1);
	ck_assert_str_eq(relay_origin(&r, 1)->host, "a");
	ck_assert_uint_eq(relay_origin(&r, 1)->run_id, 3);
	ck_assert_uint_eq(relay_origin(&r, 0)->run_id, 1);
	relay_destroy(&r);
}
END_TEST

START_TEST(test_relay_ring_and_settle)
{
	struct relay r;
	struct relay_rec rec = { .type = TCA_RELAY_GAP }, out[4];
	size_t pushed = 0;

	ck_assert_int_eq(relay_init(&r, 4, 3), 0);
	while (relay_push(&r, &rec))
		pushed++;
	ck_assert_uint_eq(pushed, 3);
	ck_assert_uint_eq(relay_count(&r), 3);
	ck_assert_uint_eq(relay_peek(&r, out, 4), 3);
	relay_pop(&r, 3);
	ck_assert_uint_eq(relay_count(&r), 0);
	/* Settled only moves forward, and not at all once broken. */
	ck_assert(relay_settle(&r, 5));
	ck_assert(!relay_settle(&r, 4));
	ck_assert_uint_eq(relay_durable(&r), 5);
	relay_break(&r);
	ck_assert(!relay_settle(&r, 9));
	ck_assert_uint_eq(relay_durable(&r), 5);
	relay_destroy(&r);
}
END_TEST

static char *tmp, *out_path, *report_path;

static void setup(void)
{
	tmp = make_tmpdir();
	out_path = path_join(tmp, "out");
	report_path = path_join(tmp, "report");
	signals_block_begin();
}

static void teardown(void)
{
	signals_block_end();
	rm_tree(tmp);
	free(out_path);
	free(report_path);
	free(tmp);
}

struct relay_run {
	struct plugin eventer, sinker;
	struct processor proc;
	int status;
	char *log;
};

static void relay_run(struct relay_run *r, int64_t events, const char *sink_extra,
		      uint64_t queue_memory, const char *ev_extra)
{
	char ev_events[64], ev_report[4200], sk_path[4200];
	const char *ev_opts[] = { ev_events, ev_report, ev_extra, NULL };
	const char *sk_opts[] = { sk_path, "origin=yes", "hosts=yes", sink_extra, NULL };

	snprintf(ev_events, sizeof(ev_events), "events=%" PRId64, events);
	snprintf(ev_report, sizeof(ev_report), "report=%s", report_path);
	snprintf(sk_path, sizeof(sk_path), "path=%s", out_path);
	ck_assert_int_eq(test_plugin_setup(&r->sinker, "flaky", test_plugin_dir(), TCA_KIND_SINKER,
					   sk_opts, true), 0);
	ck_assert_int_eq(test_plugin_setup(&r->eventer, "relayev", test_plugin_dir(),
					   TCA_KIND_EVENTER, ev_opts, true), 0);
	ck_assert_int_eq(processor_init(&r->proc, &r->eventer, &r->sinker, queue_memory, tmp), 0);
	r->proc.shutdown_timeout_ms = 60000;
	capture_begin(TCA_LOG_INFO);
	r->status = processor_run(&r->proc);
	r->log = capture_end();
}

static void relay_done(struct relay_run *r)
{
	processor_destroy(&r->proc);
	plugin_unload(&r->eventer);
	plugin_unload(&r->sinker);
	free(r->log);
}

/* What the store holds, checked line by line against what relayev hands
 * over: 3 runs (1000 and 1002 of edge-a, 1001 of edge-b), seqs 1..events
 * but 50 and 51, each event exactly once under its own origin. Seqs that
 * are multiples of refused are absent (refused), and must be gap records.
 * Returns the events found. */
static uint64_t names_seen; /* the name lines check_store() found */

static uint64_t check_store(int64_t events, int64_t refused)
{
	char *all = read_file(out_path, NULL), *save = NULL;
	unsigned char *seen = calloc(3 * (size_t)(events + 1), 1);
	uint64_t n = 0, kernel_gaps = 0, refused_gaps = 0, runs_running = 0, runs_clean = 0;
	uint64_t own_runs = 0;

	ck_assert_ptr_nonnull(all);
	ck_assert_ptr_nonnull(seen);
	names_seen = 0;
	for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t a, b, c, d;
		unsigned reason;
		char host[32];
		char text[32];
		if (sscanf(line, "name %" SCNu64 " %" SCNu64 " %" SCNu64 " %31s %31s", &a, &b, &c, host,
			   text) == 5) {
			/* Under its origin, with the origin's run, before any
			 * event of that origin. */
			ck_assert_uint_eq(a, TCA_NAME_CGROUP);
			ck_assert_uint_ge(b, 500);
			ck_assert_uint_le(b, 502);
			ck_assert_uint_eq(c, 1000 + b - 500);
			ck_assert_str_eq(host, (c - 1000) % 2 ? "edge-b" : "edge-a");
			snprintf(host, sizeof(host), "/relay/o%d", (int)(b - 500));
			ck_assert_str_eq(text, host);
			for (int64_t s = 1; s <= events; s++)
				ck_assert(!seen[(c - 1000) * (size_t)(events + 1) + (size_t)s]);
			names_seen++;
		} else if (sscanf(line, "gap %" SCNu64 " %" SCNu64 " %" SCNu64 " %u %31s", &a, &b, &c,
				  &reason, host) == 5) {
			ck_assert_uint_ge(a, 1000);
			ck_assert_str_eq(host, (a - 1000) % 2 ? "edge-b" : "edge-a");
			if (reason == TCA_GAP_KERNEL) {
				ck_assert_uint_eq(b, 50);
				ck_assert_uint_eq(c, 2);
				kernel_gaps++;
			} else {
				ck_assert_uint_eq(reason, TCA_GAP_REFUSED);
				ck_assert_uint_eq(c, 1);
				ck_assert_uint_eq(b % (uint64_t)refused, 0);
				refused_gaps++;
			}
		} else if (sscanf(line, "run %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &a, &b, &c,
				  &d) == 4) {
			if (a == 42) {
				/* The collector's own run: no event of its own. */
				ck_assert_uint_eq(c, 0);
				own_runs++;
			} else if (b == TCA_RUN_RUNNING) {
				runs_running++;
			} else {
				ck_assert_uint_eq(b, TCA_RUN_CLEAN);
				ck_assert_uint_eq(c, (uint64_t)events);
				runs_clean++;
			}
		} else {
			ck_assert_int_eq(sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %31s", &a, &b,
						&c, host), 4);
			/* Not renumbered, and stored under its own origin. */
			ck_assert_uint_eq(b, c * 1000000 + a);
			ck_assert_uint_ge(c, 1000);
			ck_assert_uint_le(c, 1002);
			ck_assert_str_eq(host, (c - 1000) % 2 ? "edge-b" : "edge-a");
			ck_assert(a != 50 && a != 51 && a <= (uint64_t)events);
			ck_assert(!refused || a % (uint64_t)refused != 0);
			ck_assert_msg(!seen[(c - 1000) * (size_t)(events + 1) + a], "stored twice: %s", line);
			seen[(c - 1000) * (size_t)(events + 1) + a] = 1;
			n++;
		}
	}
	ck_assert_uint_eq(kernel_gaps, 3);
	ck_assert_uint_eq(refused_gaps, refused ? 3 * (uint64_t)(events / refused) : 0);
	ck_assert_uint_eq(runs_running, 3);
	ck_assert_uint_eq(runs_clean, 3);
	ck_assert_uint_eq(own_runs, 2);
	free(seen);
	free(all);
	return n;
}

/* relayev's report: everything handed over was settled, and what it saw
 * of settled never went back nor ahead of what it had handed over. */
static void check_report(uint64_t items)
{
	char *text = read_file(report_path, NULL), want[128];

	ck_assert_ptr_nonnull(text);
	snprintf(want, sizeof(want), "settled %" PRIu64 " handed %" PRIu64 " ", items, items);
	ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "report: %s", text);
	ck_assert_ptr_nonnull(strstr(text, " bad 0\n"));
	free(text);
}

START_TEST(test_relay_pipe)
{
	struct relay_run r = { 0 };

	relay_run(&r, 200, NULL, 1 << 20, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(check_store(200, 0), 3 * 198);
	ck_assert_uint_eq(r.proc.stats.read, 3 * 198);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 0);
	/* Items: the events, 3 gap records and 6 run records. */
	check_report(3 * 198 + 9);
	relay_done(&r);
}
END_TEST

/* A relay's name records are stored under their origin, before that
 * origin's events, and settled like the other records. */
START_TEST(test_relay_names)
{
	struct relay_run r = { 0 };

	relay_run(&r, 200, NULL, 1 << 20, "names=yes");
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(check_store(200, 0), 3 * 198);
	ck_assert_uint_eq(names_seen, 3);
	ck_assert_uint_eq(r.proc.stats.names, 3);
	/* Items: the events, 3 gap, 6 run and 3 name records. */
	check_report(3 * 198 + 12);
	relay_done(&r);
}
END_TEST

START_TEST(test_relay_refused)
{
	struct relay_run r = { 0 };

	relay_run(&r, 200, "refuse_every=40", 1 << 20, NULL);
	ck_assert_int_eq(r.status, 0);
	/* 40, 80, 120, 160 and 200 of each run: gaps of their origin. */
	ck_assert_uint_eq(check_store(200, 40), 3 * (198 - 5));
	ck_assert_uint_eq(r.proc.stats.lost_refused, 15);
	/* A refused event is settled once its gap is stored. */
	check_report(3 * 198 + 9);
	relay_done(&r);
}
END_TEST

START_TEST(test_relay_slow_store_backpressure)
{
	struct relay_run r = { 0 };

	/* A queue of 64 events and a store slower than the source: the
	 * source waits, nothing is dropped, and all of it is settled. */
	relay_run(&r, 400, "delay_ms=1", 64 * sizeof(struct tca_event), NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(check_store(400, 0), 3 * 398);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 0);
	ck_assert_uint_eq(queue_high_water(&r.proc.queue), 64);
	check_report(3 * 398 + 9);
	relay_done(&r);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = read_file(from, &len);
	FILE *f = fopen(to, "we");

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(data);
}

/* One file holds one descriptor: a name that is both an eventer and a
 * sinker finds the eventer in NAME-eventer.so, the sinker in NAME.so. */
START_TEST(test_relay_loader_kind_file)
{
	char *from_ev = path_join(test_plugin_dir(), "relayev.so");
	char *from_sk = path_join(test_plugin_dir(), "flaky.so");
	char *to_ev = path_join(tmp, "both-eventer.so"), *to_sk = path_join(tmp, "both.so");
	struct plugin ev = { 0 }, sk = { 0 };

	copy_file(from_ev, to_ev);
	copy_file(from_sk, to_sk);
	ck_assert_int_eq(plugin_load(&ev, "both", tmp, TCA_KIND_EVENTER), 0);
	ck_assert_str_eq(ev.desc->name, "relayev");
	ck_assert_str_eq(ev.path, to_ev);
	ck_assert_int_eq(plugin_load(&sk, "both", tmp, TCA_KIND_SINKER), 0);
	ck_assert_str_eq(sk.desc->name, "flaky");
	ck_assert_str_eq(sk.path, to_sk);
	plugin_unload(&ev);
	plugin_unload(&sk);
	free(from_ev);
	free(from_sk);
	free(to_ev);
	free(to_sk);
}
END_TEST

Suite *suite_relay(void)
{
	Suite *s = suite_create("relay");
	TCase *tc = tcase_create("relay");

	tcase_add_test(tc, test_relay_origin_table);
	tcase_add_test(tc, test_relay_ring_and_settle);
	suite_add_tcase(s, tc);
	tc = tcase_create("relay-pipe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_relay_loader_kind_file);
	tcase_add_test(tc, test_relay_pipe);
	tcase_add_test(tc, test_relay_names);
	tcase_add_test(tc, test_relay_refused);
	tcase_add_test(tc, test_relay_slow_store_backpressure);
	suite_add_tcase(s, tc);
	return s;
}
