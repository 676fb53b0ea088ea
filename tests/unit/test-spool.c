/* SPDX-License-Identifier: MIT */
/* Unit tests of src/spool.c, src/spool-format.c and lib/crc32c.c: the
 * checksum, records kept in order across a reopen, a torn tail cut into
 * a gap and an unclean run, the size bound, and name records. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "spool.h"
#include "suites.h"

static const struct tca_origin origin = { .host = "h1", .boot_id = "b1", .run_id = 42 };

static void events(struct tca_event *ev, size_t n, uint64_t first)
{
	memset(ev, 0, n * sizeof(*ev));
	for (size_t i = 0; i < n; i++) {
		ev[i].seq = first + i;
		ev[i].sock = 1000 + first + i;
	}
}

START_TEST(test_crc32c)
{
	/* The check value of CRC-32C (RFC 3720, and every CRC catalogue). */
	ck_assert_uint_eq(crc32c(0, "123456789", 9), 0xe3069283u);
	/* Piecewise equals at once. */
	ck_assert_uint_eq(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
	ck_assert_uint_eq(crc32c(0, "", 0), 0);
}
END_TEST

static void spool_at(struct spool *sp, const char *dir, uint64_t max)
{
	struct spool_config cfg = { .dir = dir, .max_size = max, .sync = SPOOL_SYNC_NONE,
				    .max_fill_pct = 100 };

	ck_assert_int_eq(spool_open(sp, &cfg), 0);
	ck_assert(sp->enabled);
}

START_TEST(test_spool_order)
{
	char *dir = make_tmpdir(), *sdir = path_join(dir, "spool");
	struct tca_event ev[10];
	struct tca_gap g = { .run_id = 42, .first_seq = 11, .count = 2, .reason = TCA_GAP_QUEUE_FULL };
	struct tca_run run = { .origin = origin, .last_seq = 12, .state = TCA_RUN_CLEAN };
	struct spool_item *it;
	struct spool sp;

	spool_at(&sp, sdir, 1 << 20);
	ck_assert(!spool_pending(&sp));
	events(ev, 10, 1);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 10), 10);
	ck_assert_int_eq(spool_put_gaps(&sp, &origin, &g, 1), 0);
	ck_assert_int_eq(spool_put_run(&sp, &origin, &run), 0);
	ck_assert_int_eq(spool_sync(&sp, true), 0);
	spool_close(&sp);

	/* A new run finds them, in order, with the first run's origin. */
	spool_at(&sp, sdir, 1 << 20);
	ck_assert(spool_pending(&sp));
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_EVENTS);
	ck_assert_uint_eq(it->n, 10);
	ck_assert_str_eq(it->origin->host, "h1");
	ck_assert_str_eq(it->origin->boot_id, "b1");
	ck_assert_uint_eq(it->origin->run_id, 42);
	ck_assert_int_eq(memcmp(it->data, ev, sizeof(ev)), 0);
	/* A partial write: the rest comes again. */
	spool_consume(&sp, 4);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->done, 4);
	spool_consume(&sp, 6);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_GAPS);
	ck_assert_uint_eq(((const struct tca_gap *)it->data)->first_seq, 11);
	spool_consume(&sp, 1);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_RUN);
	spool_consume(&sp, 1);
	ck_assert(!spool_pending(&sp));
	ck_assert_int_eq(spool_next(&sp, &it), 0);
	spool_close(&sp);
	/* The replayed segment is gone. */
	char *seg = path_join(sdir, "0000000000000001.seg");
	ck_assert_int_ne(access(seg, F_OK), 0);
	free(seg);
	rm_tree(dir);
	free(sdir);
	free(dir);
}
END_TEST

START_TEST(test_spool_torn)
{
	char *dir = make_tmpdir(), *sdir = path_join(dir, "spool");
	char *seg = path_join(sdir, "0000000000000001.seg");
	struct tca_event ev[3];
	struct spool_item *it;
	struct spool sp;
	struct stat st;

	spool_at(&sp, sdir, 1 << 20);
	sp.run_start_ns = 5;
	sp.run_prev_id = 41;
	for (int i = 0; i < 3; i++) {
		events(ev, 3, 1 + 3 * (uint64_t)i);
		ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 3), 3);
	}
	spool_close(&sp);
	/* A crash in the middle of the third record. */
	ck_assert_int_eq(stat(seg, &st), 0);
	ck_assert_int_eq(truncate(seg, st.st_size - 10), 0);

	capture_begin(TCA_LOG_WARNING);
	spool_at(&sp, sdir, 1 << 20);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(spool_next(&sp, &it), 1);
		ck_assert_uint_eq(it->type, SPOOL_EVENTS);
		spool_consume(&sp, it->n);
	}
	/* Then the gap after event 6, of unknown size, and the run as unclean. */
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_GAPS);
	ck_assert(it->cut);
	const struct tca_gap *g = it->data;
	ck_assert_uint_eq(g->run_id, 42);
	ck_assert_uint_eq(g->first_seq, 7);
	ck_assert_uint_eq(g->count, 0);
	ck_assert_uint_eq(g->reason, TCA_GAP_SPOOL);
	spool_consume(&sp, 1);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_RUN);
	struct tca_run run;
	spool_run_get(it->data, &run);
	ck_assert_uint_eq(run.state, TCA_RUN_UNCLEAN);
	ck_assert_uint_eq(run.prev_run_id, 41);
	ck_assert_uint_eq(run.start_ns, 5);
	spool_consume(&sp, 1);
	ck_assert_int_eq(spool_next(&sp, &it), 0);
	ck_assert_uint_eq(sp.cut_segments, 1);
	spool_close(&sp);
	char *log = capture_end();
	ck_assert_ptr_nonnull(strstr(log, "a record with a bad type or length"));
	free(log);
	ck_assert_int_ne(access(seg, F_OK), 0);
	rm_tree(dir);
	free(seg);
	free(sdir);
	free(dir);
}
END_TEST

/* Replaying the segment being written, while the writer moves on to the
 * next: the replay still gets all of the first. */
START_TEST(test_spool_rotate_while_replaying)
{
	char *dir = make_tmpdir(), *sdir = path_join(dir, "spool");
	static struct tca_event ev[1000];
	struct spool_item *it;
	struct spool sp;

	spool_at(&sp, sdir, 1 << 20); /* segments of 128K */
	events(ev, 100, 1);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 100), 100);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(((const struct tca_event *)it->data)[0].seq, 1);
	events(ev, 100, 101);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 100), 100);
	events(ev, 1000, 201);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 1000), 1000);
	ck_assert_uint_eq(sp.wid, 2);
	for (uint64_t first = 1; first <= 201; first += 100) {
		ck_assert_int_eq(spool_next(&sp, &it), 1);
		ck_assert_uint_eq(((const struct tca_event *)it->data)[0].seq, first);
		spool_consume(&sp, it->n);
	}
	ck_assert(!spool_pending(&sp));
	spool_close(&sp);
	rm_tree(dir);
	free(sdir);
	free(dir);
}
END_TEST

START_TEST(test_spool_bound)
{
	char *dir = make_tmpdir(), *sdir = path_join(dir, "spool");
	struct tca_event ev[100];
	struct spool sp;

	/* Room for the header and one record of 50 events, not two. */
	spool_at(&sp, sdir, sizeof(struct spool_header) + sizeof(struct spool_record) + 60 * sizeof(ev[0]));
	events(ev, 100, 1);
	capture_begin(TCA_LOG_WARNING);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 50), 50);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev + 50, 50), 0);
	ck_assert(sp.full);
	ck_assert_uint_eq(sp.full_count, 1);
	free(capture_end());
	ck_assert_uint_eq(sp.put_events, 50);
	spool_close(&sp);
	rm_tree(dir);
	free(sdir);
	free(dir);
}
END_TEST

/* Names (SPOOL_NAMES) come back in order with their fields and texts,
 * ahead of the events put after them, across a reopen; more than one
 * record's worth is split. */
START_TEST(test_spool_names)
{
	char *dir = make_tmpdir(), *sdir = path_join(dir, "spool");
	static const char *const texts[3] = { "/system.slice/nginx.service", "/q\"\\\n\x01\xff",
					       "/" };
	struct tca_name nm[100];
	char many[100][16];
	struct tca_event ev[2];
	struct spool_item *it;
	struct spool sp;

	spool_at(&sp, sdir, 1 << 20);
	for (size_t i = 0; i < 3; i++)
		nm[i] = (struct tca_name){ .kind = TCA_NAME_CGROUP, .id = 7000 + i, .time_ns = 5 + i,
					   .run_id = 42, .text = texts[i] };
	ck_assert_uint_eq(spool_put_names(&sp, &origin, nm, 3), 3);
	events(ev, 2, 1);
	ck_assert_uint_eq(spool_put_events(&sp, &origin, ev, 2), 2);
	for (size_t i = 0; i < 100; i++) {
		snprintf(many[i], sizeof(many[i]), "/m%zu", i);
		nm[i] = (struct tca_name){ .kind = TCA_NAME_CGROUP, .id = i, .run_id = 43,
					   .text = many[i] };
	}
	ck_assert_uint_eq(spool_put_names(&sp, &origin, nm, 100), 100);
	ck_assert_uint_eq(sp.put_names, 103);
	ck_assert_int_eq(spool_sync(&sp, true), 0);
	spool_close(&sp);

	spool_at(&sp, sdir, 1 << 20);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_NAMES);
	ck_assert_uint_eq(it->n, 3);
	ck_assert_uint_eq(it->origin->run_id, 42);
	for (size_t i = 0; i < 3; i++) {
		const struct tca_name *got = (const struct tca_name *)it->data + i;
		ck_assert_uint_eq(got->kind, TCA_NAME_CGROUP);
		ck_assert_uint_eq(got->id, 7000 + i);
		ck_assert_uint_eq(got->time_ns, 5 + i);
		ck_assert_uint_eq(got->run_id, 42);
		ck_assert_str_eq(got->text, texts[i]);
	}
	spool_consume(&sp, 3);
	ck_assert_int_eq(spool_next(&sp, &it), 1);
	ck_assert_uint_eq(it->type, SPOOL_EVENTS);
	ck_assert_uint_eq(it->n, 2);
	spool_consume(&sp, 2);
	/* 100 names: records of at most SPOOL_NAMES_MAX. */
	size_t got = 0;
	while (spool_next(&sp, &it) == 1) {
		ck_assert_uint_eq(it->type, SPOOL_NAMES);
		ck_assert_uint_le(it->n, SPOOL_NAMES_MAX);
		for (size_t i = 0; i < it->n; i++) {
			const struct tca_name *n = (const struct tca_name *)it->data + i;
			ck_assert_uint_eq(n->id, got + i);
			ck_assert_str_eq(n->text, many[got + i]);
			ck_assert_uint_eq(n->run_id, 43);
		}
		got += it->n;
		spool_consume(&sp, it->n);
	}
	ck_assert_uint_eq(got, 100);
	ck_assert(!spool_pending(&sp));
	spool_close(&sp);
	rm_tree(dir);
	free(sdir);
	free(dir);
}
END_TEST

/* A payload that is not whole, valid names is refused as a whole. */
START_TEST(test_spool_names_decode)
{
	struct tca_name in = { .kind = TCA_NAME_CGROUP, .id = 1, .text = "/abc" }, out[2];
	unsigned char buf[3 * 64];
	size_t len = spool_name_size(&in), two;
	uint32_t v;

	ck_assert_uint_eq(len, SPOOL_NAME_HEAD + 5);
	ck_assert_uint_eq(spool_name_encode(buf, &in), len);
	two = len + spool_name_encode(buf + len, &in);
	ck_assert_int_eq(spool_names_decode(buf, two, out, 2), 2);
	ck_assert_str_eq(out[1].text, "/abc");
	/* More than the room, a torn one, none at all. */
	ck_assert_int_eq(spool_names_decode(buf, two, out, 1), -EBADMSG);
	ck_assert_int_eq(spool_names_decode(buf, two - 1, out, 2), -EBADMSG);
	ck_assert_int_eq(spool_names_decode(buf, 0, out, 2), -EBADMSG);
	/* A length past the end, or TCA_NAME_MAX and more. */
	v = 1000;
	memcpy(buf + 28, &v, 4);
	ck_assert_int_eq(spool_names_decode(buf, len, out, 2), -EBADMSG);
	v = TCA_NAME_MAX;
	memcpy(buf + 28, &v, 4);
	ck_assert_int_eq(spool_names_decode(buf, len, out, 2), -EBADMSG);
	/* A text without its NUL, or with one inside. */
	spool_name_encode(buf, &in);
	buf[len - 1] = 'x';
	ck_assert_int_eq(spool_names_decode(buf, len, out, 2), -EBADMSG);
	spool_name_encode(buf, &in);
	buf[SPOOL_NAME_HEAD + 1] = '\0';
	ck_assert_int_eq(spool_names_decode(buf, len, out, 2), -EBADMSG);
	/* An unknown kind. */
	spool_name_encode(buf, &in);
	v = TCA_NAME_KIND_MAX + 1;
	memcpy(buf, &v, 4);
	ck_assert_int_eq(spool_names_decode(buf, len, out, 2), -EBADMSG);
}
END_TEST

Suite *suite_spool(void)
{
	Suite *s = suite_create("spool");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_crc32c);
	tcase_add_test(tc, test_spool_order);
	tcase_add_test(tc, test_spool_torn);
	tcase_add_test(tc, test_spool_rotate_while_replaying);
	tcase_add_test(tc, test_spool_bound);
	tcase_add_test(tc, test_spool_names);
	tcase_add_test(tc, test_spool_names_decode);
	suite_add_tcase(s, tc);
	return s;
}
