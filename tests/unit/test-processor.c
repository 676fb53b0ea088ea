/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of src/processor.c, reader.c and writer.c: the whole pipe,
 * with the replay eventer (a TSV file or synthetic events, no kernel) and
 * the json or the test "flaky" sinker. A helper thread plays the outside
 * world: it sends signals and takes the store down and up.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exit-status.h"
#include "processor.h"
#include "suites.h"

/* Long enough never to matter unless something is broken. */
#define WAIT_MS 30000

static char *tmp;
static char *out_path;   /* the sink's file */
static char *flag_path;  /* flaky's down_while */

static void setup(void)
{
	tmp = make_tmpdir();
	out_path = path_join(tmp, "out");
	flag_path = path_join(tmp, "down");
	signals_block_begin();
}

static void teardown(void)
{
	signals_block_end();
	rm_tree(tmp);
	free(out_path);
	free(flag_path);
	free(tmp);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Poll until *counter >= want; false after WAIT_MS. Assertions from the
 * helper thread would not reach Check, so the test asserts on the results. */
static bool wait_for(uint64_t *counter, uint64_t want)
{
	for (int i = 0; i < WAIT_MS; i++) {
		if (stats_get(*counter) >= want)
			return true;
		sleep_ms(1);
	}
	return false;
}

static bool wait_flag(bool *flag)
{
	for (int i = 0; i < WAIT_MS; i++) {
		if (flag_get(*flag))
			return true;
		sleep_ms(1);
	}
	return false;
}

static bool wait_file(const char *path)
{
	for (int i = 0; i < WAIT_MS; i++) {
		if (access(path, F_OK) == 0)
			return true;
		sleep_ms(1);
	}
	return false;
}

struct pipe_run {
	struct plugin eventer, sinker;
	struct processor proc;
	int status;
	char *log;
};

/* Open sinker then eventer (as main() does), run the processor with
 * helper in a thread, and capture the log. */
static void pipe_run(struct pipe_run *r, const char *const *event_opts, const char *sinker,
		     const char *sinker_dir, const char *const *sink_opts, uint64_t queue_memory,
		     void *(*helper)(void *))
{
	pthread_t t;

	ck_assert_int_eq(test_plugin_setup(&r->sinker, sinker, sinker_dir, TCA_KIND_SINKER,
					   sink_opts, true), 0);
	ck_assert_int_eq(test_plugin_setup(&r->eventer, "replay", built_plugin_dir(),
					   TCA_KIND_EVENTER, event_opts, true), 0);
	ck_assert_int_eq(processor_init(&r->proc, &r->eventer, &r->sinker, queue_memory, tmp), 0);
	r->proc.shutdown_timeout_ms = 60000;
	if (helper)
		ck_assert_int_eq(pthread_create(&t, NULL, helper, &r->proc), 0);
	capture_begin(TCA_LOG_INFO);
	r->status = processor_run(&r->proc);
	r->log = capture_end();
	if (helper)
		ck_assert_int_eq(pthread_join(t, NULL), 0);
}

static void pipe_done(struct pipe_run *r)
{
	processor_destroy(&r->proc);
	plugin_unload(&r->eventer);
	plugin_unload(&r->sinker);
	free(r->log);
}

static void assert_logged(const char *log, const char *line)
{
	ck_assert_msg(strstr(log, line), "'%s' was not logged; the log:\n%s", line, log);
}

static size_t count_in(const char *log, const char *what)
{
	size_t n = 0;

	for (const char *p = log; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The lines of text that are not gap or run records (flaky's "gap ..."
 * and "run ..." lines, json's objects with a "type"), in a new string. */
static char *event_lines(const char *text)
{
	char *out = calloc(1, strlen(text) + 1);
	size_t pos = 0;

	ck_assert_ptr_nonnull(out);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		bool record = strncmp(p, "gap ", 4) == 0 || strncmp(p, "run ", 4) == 0 ||
			      strncmp(p, "{\"type\":", 8) == 0;
		if (!record) {
			memcpy(out + pos, p, len);
			pos += len;
		}
		p += len;
	}
	return out;
}

/* flaky's file holds "seq sock" lines; synthetic event i has seq i+1
 * and sock i/4+1. */
static void assert_flaky_file(uint64_t n)
{
	char *all = read_file(out_path, NULL);
	char want[64], *text;
	const char *p;

	ck_assert_ptr_nonnull(all);
	text = event_lines(all);
	p = text;
	ck_assert_uint_eq(count_lines(text), n);
	for (uint64_t i = 0; i < n; i++) {
		int len = snprintf(want, sizeof(want), "%" PRIu64 " %" PRIu64 "\n", i + 1, i / 4 + 1);
		ck_assert_msg(strncmp(p, want, (size_t)len) == 0, "line %" PRIu64 ": want %s", i, want);
		p += len;
	}
	free(text);
	free(all);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The identity fields of every event of these tests. */
#define ID "\"boot_id\":\"00000000-0000-0000-0000-000000000000\",\"run_id\":42"

START_TEST(test_processor_replay_file_to_json)
{
	struct pipe_run r = { 0 };
	char *tsv = path_join(tmp, "events.tsv");
	char *popt, *sopt, *text, *saveptr = NULL;
	static const char *const want[] = {
		"{\"time\":\"2024-02-29T23:59:59.000000005Z\",\"host\":\"testhost\"," ID ",\"seq\":1,\"sock\":7,"
		"\"pid\":4242,\"comm\":\"cu\\\"rl\\\\\\u0001\\t\",\"owner\":\"holder\",\"family\":\"ipv4\",\"protocol\":\"tcp\","
		"\"saddr\":\"127.0.0.1\",\"sport\":40000,\"daddr\":\"127.0.0.1\",\"dport\":8080,"
		"\"oldstate\":\"SYN_SENT\",\"newstate\":\"ESTABLISHED\"}",
		"{\"time\":\"1970-01-01T00:00:00.000000000Z\",\"host\":\"testhost\"," ID ",\"seq\":2,\"sock\":8,"
		"\"pid\":null,\"comm\":null,\"owner\":\"unknown\",\"family\":\"ipv6\",\"protocol\":\"tcp\","
		"\"saddr\":\"::1\",\"sport\":1,\"daddr\":\"2001:db8::2\",\"dport\":443,"
		"\"oldstate\":\"CLOSE\",\"newstate\":\"LISTEN\"}",
		"{\"time\":\"2026-01-01T00:00:00.000000001Z\",\"host\":\"testhost\"," ID ",\"seq\":3,\"sock\":9,"
		"\"pid\":1,\"comm\":\"caf\xc3\xa9\",\"owner\":\"holder\",\"family\":\"ipv6\",\"protocol\":\"tcp\","
		"\"saddr\":\"::ffff:192.0.2.1\",\"sport\":65535,\"daddr\":\"::\",\"dport\":0,"
		"\"oldstate\":\"TIME_WAIT\",\"newstate\":\"CLOSE\"}",
	};

	write_file(tsv, "# time_ns sock pid comm family saddr sport daddr dport old new\n"
			"1709251199000000005\t7\t4242\tcu\"rl\\\\\\x01\\t\tipv4\t127.0.0.1\t40000\t"
			"127.0.0.1\t8080\tSYN_SENT\tESTABLISHED\n"
			"\n"
			"0\t8\t-\t-\tipv6\t::1\t1\t2001:db8::2\t443\tTCP_CLOSE\tlisten\n"
			"1767225600000000001\t9\t1\tcaf\\xc3\\xa9\tipv6\t::ffff:192.0.2.1\t65535\t::\t0\t"
			"TIME_WAIT\tCLOSE\n");
	ck_assert_int_ge(asprintf(&popt, "path=%s", tsv), 0);
	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	pipe_run(&r, OPTS(popt), "json", built_plugin_dir(), OPTS(sopt), 1 << 20, NULL);

	/* The end of the file ends the run, with everything stored. */
	ck_assert_int_eq(r.status, 0);
	ck_assert(flag_get(r.proc.source_ended));
	ck_assert_uint_eq(r.proc.stats.read, 3);
	ck_assert_uint_eq(r.proc.stats.written, 3);
	ck_assert_uint_eq(r.proc.stats.batches, 1);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 0);
	assert_logged(r.log, "tcp-audit: info: replay: replayed 3 events\n");
	assert_logged(r.log, "tcp-audit: notice: stats: read 3, written 3 in 1 batches, queued 0 "
		      "(at most 3), retried 0, lost 0 (source 0, queue full 0, refused 0, unflushed "
		      "at exit 0) in 0 gap records, sockets evicted 0\n");

	char *all = read_file(out_path, NULL);
	ck_assert_ptr_nonnull(all);
	/* The run's start and its clean end frame the events. */
	ck_assert_ptr_nonnull(strstr(all, "{\"type\":\"run\",\"host\":\"testhost\"," ID
					  ",\"state\":\"running\""));
	ck_assert_ptr_nonnull(strstr(all, ",\"state\":\"clean\""));
	ck_assert_ptr_nonnull(strstr(all, ",\"last_seq\":3}"));
	text = event_lines(all);
	free(all);
	ck_assert_uint_eq(count_lines(text), 3);
	size_t i = 0;
	for (char *line = strtok_r(text, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr), i++) {
		ck_assert_str_eq(line, want[i]);
		ck_assert_msg(json_is_strict_object(line), "not strict JSON: %s", line);
	}
	ck_assert_uint_eq(i, 3);
	free(text);
	free(popt);
	free(sopt);
	free(tsv);
	pipe_done(&r);
}
END_TEST

START_TEST(test_processor_bad_source)
{
	struct pipe_run r = { 0 };
	char *tsv = path_join(tmp, "bad.tsv");
	char *popt, *sopt, *want;

	write_file(tsv, "1\t2\tnot enough fields\n");
	ck_assert_int_ge(asprintf(&popt, "path=%s", tsv), 0);
	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	pipe_run(&r, OPTS(popt), "json", built_plugin_dir(), OPTS(sopt), 1 << 20, NULL);
	ck_assert_int_eq(r.status, EXIT_RUNTIME);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: replay: %s:1: expected 11 tab-separated "
				  "fields\n", tsv), 0);
	assert_logged(r.log, want);
	assert_logged(r.log, "tcp-audit: error: replay: reading events failed; stopping: "
		      "Invalid argument\n");
	ck_assert_uint_eq(r.proc.stats.read, 0);
	free(want);
	free(popt);
	free(sopt);
	free(tsv);
	pipe_done(&r);
}
END_TEST

/* The store is down until it has refused three writes. */
static void *store_comes_back(void *arg)
{
	struct processor *p = arg;

	wait_for(&p->stats.retries, 3);
	unlink(flag_path);
	return NULL;
}

START_TEST(test_processor_retry_until_store_up)
{
	struct pipe_run r = { 0 };
	char *sopt, *dopt, *want;

	write_file(flag_path, "");
	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	ck_assert_int_ge(asprintf(&dopt, "down_while=%s", flag_path), 0);
	pipe_run(&r, OPTS("count=300"), "flaky", test_plugin_dir(), OPTS(sopt, dopt), 1 << 20,
		 store_comes_back);

	/* Every event was kept while the store was down, then stored once,
	 * in order. */
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.proc.stats.read, 300);
	ck_assert_uint_eq(r.proc.stats.written, 300);
	ck_assert_uint_ge(r.proc.stats.retries, 3);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 0);
	assert_flaky_file(300);
	/* One line when the outage starts, with the sink's reason, and one
	 * when it ends; none from the sink itself. */
	ck_assert_int_ge(asprintf(&want, "tcp-audit: warning: flaky: cannot store events: %s exists; "
				  "keeping them in the queue (", flag_path), 0);
	ck_assert_uint_eq(count_in(r.log, want), 1);
	ck_assert_uint_eq(count_in(r.log, "tcp-audit: warning: flaky:"), 1);
	ck_assert_uint_eq(count_in(r.log, "tcp-audit: notice: flaky: stores events again after "), 1);
	assert_logged(r.log, "; no event was lost meanwhile\n");
	free(want);
	free(sopt);
	free(dopt);
	pipe_done(&r);
}
END_TEST

START_TEST(test_processor_sink_fails)
{
	struct pipe_run r = { 0 };
	char *sopt, *text;

	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	pipe_run(&r, OPTS("count=100"), "flaky", test_plugin_dir(), OPTS(sopt, "fail_after=10"),
		 1 << 20, NULL);

	/* A failure other than "retry later" is fatal, and the loss is told. */
	ck_assert_int_eq(r.status, EXIT_RUNTIME);
	ck_assert_int_eq(EXIT_RUNTIME, 74);
	ck_assert_uint_eq(r.proc.stats.read, 100);
	ck_assert_uint_eq(r.proc.stats.written, 0);
	ck_assert_uint_eq(r.proc.stats.lost_unflushed, 100);
	assert_logged(r.log, "tcp-audit: error: flaky: storing events failed; stopping: "
		      "Input/output error\n");
	assert_logged(r.log, "tcp-audit: error: 100 events could not be stored before exit "
		      "(the sink failed); they are recorded as gaps (reason unflushed)\n");
	/* Counted once as lost; the failed store takes no gap record. */
	assert_logged(r.log, "tcp-audit: warning: stats: read 100, written 0 in 0 batches, queued 0 "
		      "(at most 100), retried 0, lost 100 (source 0, queue full 0, refused 0, unflushed "
		      "at exit 100) in 0 gap records, sockets evicted 0\n");
	text = read_file(out_path, NULL);
	ck_assert_str_eq(text, "run 42 1 0 0\n");
	free(text);
	free(sopt);
	pipe_done(&r);
}
END_TEST

/* The store comes back once the reader has read everything. */
static void *store_back_after_reading(void *arg)
{
	struct processor *p = arg;

	wait_flag(&p->reader_done);
	wait_for(&p->stats.retries, 1);
	unlink(flag_path);
	return NULL;
}

START_TEST(test_processor_queue_full_counts_loss)
{
	struct pipe_run r = { 0 };
	char *sopt, *dopt;

	write_file(flag_path, "");
	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	ck_assert_int_ge(asprintf(&dopt, "down_while=%s", flag_path), 0);
	/* Room for 64 events while the store is down: 1000 are read. */
	pipe_run(&r, OPTS("count=1000"), "flaky", test_plugin_dir(), OPTS(sopt, dopt),
		 64 * sizeof(struct tca_event), store_back_after_reading);

	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.proc.queue.cap, 64);
	ck_assert_uint_eq(r.proc.stats.read, 1000);
	ck_assert_uint_eq(r.proc.stats.lost_queue_full, 936);
	ck_assert_uint_eq(r.proc.stats.written, 64);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 936);
	/* The first 64 were kept and stored; the loss was logged, never silent. */
	assert_flaky_file(64);
	assert_logged(r.log, "tcp-audit: warning: queue full: ");
	assert_logged(r.log, "tcp-audit: warning: stats: read 1000, written 64 in 1 batches, queued 0 "
		      "(at most 64), retried ");
	assert_logged(r.log, ", lost 936 (source 0, queue full 936, refused 0, unflushed at exit 0) "
		      "in 1 gap records, sockets evicted 0\n");
	/* The loss is in the store: one gap over exactly the dropped seqs,
	 * and the run's end says where it stopped. */
	char *all = read_file(out_path, NULL);
	ck_assert_ptr_nonnull(strstr(all, "\ngap 42 65 936 3\n"));
	ck_assert_ptr_nonnull(strstr(all, "\nrun 42 2 1000 0\n"));
	free(all);
	free(sopt);
	free(dopt);
	pipe_done(&r);
}
END_TEST

/* SIGTERM while events are still flowing. */
static void *terminate_midway(void *arg)
{
	struct processor *p = arg;

	wait_for(&p->stats.written, 200);
	kill(getpid(), SIGTERM);
	return NULL;
}

START_TEST(test_processor_sigterm_drains)
{
	struct pipe_run r = { 0 };
	char *sopt, *text, *saveptr = NULL, want[64];
	uint64_t i = 0;

	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	/* 2000 events a second out of a million: still running at the signal. */
	pipe_run(&r, OPTS("count=1000000", "rate=2000"), "json", built_plugin_dir(), OPTS(sopt),
		 1 << 20, terminate_midway);

	ck_assert_int_eq(r.status, 0);
	ck_assert(!flag_get(r.proc.source_ended));
	ck_assert(!flag_get(r.proc.force));
	ck_assert_uint_ge(r.proc.stats.read, 200);
	ck_assert_uint_lt(r.proc.stats.read, 1000000);
	/* Everything read before the stop was written: nothing lost. */
	ck_assert_uint_eq(r.proc.stats.written, r.proc.stats.read);
	ck_assert_uint_eq(stats_lost(&r.proc.stats), 0);
	assert_logged(r.log, "tcp-audit: notice: SIGTERM: stopping; draining the eventer and flushing ");

	char *all = read_file(out_path, NULL);
	ck_assert_ptr_nonnull(all);
	text = event_lines(all);
	free(all);
	ck_assert_uint_eq(count_lines(text), r.proc.stats.written);
	for (char *line = strtok_r(text, "\n", &saveptr); line; line = strtok_r(NULL, "\n", &saveptr), i++) {
		if (i == 0)
			ck_assert_str_eq(line, "{\"time\":\"2026-01-01T00:00:00.000000000Z\",\"host\":"
				"\"testhost\"," ID ",\"seq\":1,\"sock\":1,\"pid\":1000,\"comm\":\"proc-0\","
				"\"owner\":\"holder\",\"family\":\"ipv4\","
				"\"protocol\":\"tcp\",\"saddr\":\"192.0.2.1\",\"sport\":1024,\"daddr\":"
				"\"198.51.100.1\",\"dport\":443,\"oldstate\":\"ESTABLISHED\",\"newstate\":"
				"\"SYN_SENT\"}");
		/* In order, none twice, none missing. */
		snprintf(want, sizeof(want), ",\"sock\":%" PRIu64 ",", i / 4 + 1);
		ck_assert_msg(strstr(line, want), "line %" PRIu64 " lacks %s: %s", i, want, line);
		ck_assert_msg(json_is_strict_object(line), "not strict JSON: %s", line);
	}
	ck_assert_uint_eq(i, r.proc.stats.written);
	free(text);
	free(sopt);
	pipe_done(&r);
}
END_TEST

/* SIGTERM while the store is down, then a second one. */
static void *terminate_twice(void *arg)
{
	struct processor *p = arg;

	/* All 50 queued, and the store said "retry later" (the run record
	 * may be the first thing it refuses, before any event is read). */
	wait_for(&p->stats.read, 50);
	wait_for(&p->stats.retries, 1);
	kill(getpid(), SIGTERM);
	/* Two pending signals would merge into one: wait for the first. */
	wait_flag(&p->stop_reading);
	wait_flag(&p->reader_done);
	kill(getpid(), SIGINT);
	return NULL;
}

START_TEST(test_processor_second_signal_forces)
{
	struct pipe_run r = { 0 };
	char *sopt, *dopt, *text;

	write_file(flag_path, "");
	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	ck_assert_int_ge(asprintf(&dopt, "down_while=%s", flag_path), 0);
	pipe_run(&r, OPTS("count=50", "hold=yes"), "flaky", test_plugin_dir(), OPTS(sopt, dopt),
		 1 << 20, terminate_twice);

	/* The store never came back: the second signal gave up on it (long
	 * before the 60 s shutdown timeout), and the loss is counted and told. */
	ck_assert(flag_get(r.proc.force));
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.proc.stats.read, 50);
	ck_assert_uint_eq(r.proc.stats.written, 0);
	ck_assert_uint_eq(r.proc.stats.lost_unflushed, 50);
	assert_logged(r.log, "tcp-audit: notice: SIGTERM: stopping; draining the eventer and "
		      "flushing 50 queued events\n");
	assert_logged(r.log, "tcp-audit: warning: second signal: exiting now without waiting for "
		      "the store\n");
	assert_logged(r.log, "tcp-audit: error: 50 events could not be stored before exit "
		      "(forced exit); they are recorded as gaps (reason unflushed)\n");
	/* The store was down to the end: not even the start of the run. */
	text = read_file(out_path, NULL);
	ck_assert_str_eq(text, "");
	free(text);
	free(sopt);
	free(dopt);
	pipe_done(&r);
}
END_TEST

/* Rotate the sink's file as logrotate does, SIGHUP, then stop. */
static void *rotate_and_stop(void *arg)
{
	struct processor *p = arg;
	char *rotated = path_join(tmp, "out.1");

	wait_for(&p->stats.written, 20);
	rename(out_path, rotated);
	kill(getpid(), SIGHUP);
	wait_file(out_path);
	kill(getpid(), SIGTERM);
	free(rotated);
	return NULL;
}

START_TEST(test_processor_sighup_reopens)
{
	struct pipe_run r = { 0 };
	char *sopt, *text, *rotated = path_join(tmp, "out.1");
	struct stat st;

	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	pipe_run(&r, OPTS("count=20", "hold=yes"), "json", built_plugin_dir(), OPTS(sopt), 1 << 20,
		 rotate_and_stop);

	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.proc.stats.written, 20);
	assert_logged(r.log, "tcp-audit: notice: SIGHUP: sinker 'json' reopened its output\n");
	/* The old file holds all that was written before (the run's start
	 * and 20 events); the new one was made and holds the run's end. */
	text = read_file(rotated, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(count_lines(text), 21);
	free(text);
	ck_assert_int_eq(stat(out_path, &st), 0);
	text = read_file(out_path, NULL);
	ck_assert_uint_eq(count_lines(text), 1);
	ck_assert_ptr_nonnull(strstr(text, "\"state\":\"clean\",") );
	free(text);
	free(rotated);
	free(sopt);
	pipe_done(&r);
}
END_TEST

START_TEST(test_processor_init_too_small)
{
	struct plugin ev, sk;
	struct processor proc;
	char *sopt;

	ck_assert_int_ge(asprintf(&sopt, "path=%s", out_path), 0);
	ck_assert_int_eq(test_plugin_setup(&sk, "json", built_plugin_dir(), TCA_KIND_SINKER,
					   OPTS(sopt), true), 0);
	ck_assert_int_eq(test_plugin_setup(&ev, "replay", built_plugin_dir(), TCA_KIND_EVENTER,
					   OPTS("count=1"), true), 0);
	/* Fewer than 64 events' worth of memory is refused. */
	ck_assert_int_eq(processor_init(&proc, &ev, &sk, 1000, NULL), -EINVAL);
	processor_destroy(&proc);
	plugin_unload(&ev);
	plugin_unload(&sk);
	free(sopt);
}
END_TEST

Suite *suite_processor(void)
{
	Suite *s = suite_create("processor");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_processor_replay_file_to_json);
	tcase_add_test(tc, test_processor_bad_source);
	tcase_add_test(tc, test_processor_retry_until_store_up);
	tcase_add_test(tc, test_processor_sink_fails);
	tcase_add_test(tc, test_processor_queue_full_counts_loss);
	tcase_add_test(tc, test_processor_sigterm_drains);
	tcase_add_test(tc, test_processor_second_signal_forces);
	tcase_add_test(tc, test_processor_sighup_reopens);
	tcase_add_test(tc, test_processor_init_too_small);
	suite_add_tcase(s, tc);
	return s;
}
