/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the tracefs eventer's raw page path: arbitrary
 * bytes as two CPUs' trace_pipe_raw pages, through the page walker, the
 * CPU merge, the task events, the decoder and the socket table, as
 * tfs_read() drives them.
 * Nothing may read past the bytes given, loop, or trust a length.
 *
 * Input: byte 0 splits the rest between CPU 0 and CPU 1 (at byte0/256 of
 * it); each CPU's part is read back in FIX_PAGE_SIZE pieces, one per page.
 *
 * Standalone build and run, from the top of a configured tree:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -I. -Iinclude -Ilib -iquote plugins/tracefs -Itests/unit \
 *     $(pkg-config --cflags libtraceevent) tests/fuzz/fuzz-tracefs-page.c \
 *     lib/trace-page.c plugins/tracefs/merge.c lib/trace-decode.c \
 *     plugins/tracefs/socktab.c plugins/tracefs/pidcache.c plugins/tracefs/tasks.c \
 *     plugins/tracefs/siphash.c lib/cgpath.c $(pkg-config --cflags --libs libtracefs) \
 *     $(pkg-config --libs libtraceevent) -o fuzz-tracefs-page
 *   ./fuzz-tracefs-page -max_total_time=60 -timeout=5 -max_len=9000 \
 *     tests/fuzz/corpus/tracefs-page
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "tracefs-fixture.h"

struct fz_src {
	const uint8_t *part[2];
	size_t len[2], pos[2];
	uint64_t now;
};

static ssize_t fz_fill(void *ctx, int i, void *buf, size_t size)
{
	struct fz_src *s = ctx;
	size_t n = s->len[i] - s->pos[i];

	if (n == 0)
		return 0;
	if (n > size)
		n = size;
	memcpy(buf, s->part[i] + s->pos[i], n);
	s->pos[i] += n;
	return (ssize_t)n;
}

static uint64_t fz_now(void *ctx)
{
	struct fz_src *s = ctx;

	/* Moves on, so that held records can come out in a later round. */
	return s->now += 1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tdecode dec;
	static struct ttasks tk;
	static struct socktab *st;
	static struct pidcache *pc;
	struct fz_src s = { .now = 0 };
	struct tmerge_src src = { .fill = fz_fill, .now = fz_now, .ctx = &s };
	struct tmerge *m;
	size_t split;

	if (!st) {
		if (fix_decoder(&dec, false) < 0)
			abort();
		char dir[] = "/tmp/fuzz-tracefs-proc.XXXXXX";
		st = socktab_new(64); /* small: eviction is exercised too */
		pc = pidcache_new();
		/* An empty /proc: the task map is the stream's alone. */
		if (!st || !pc || fix_tasks(&tk) < 0 || !mkdtemp(dir) || pidcache_track(pc, dir) < 0)
			abort();
		rmdir(dir);
	}
	if (size < 1)
		return 0;
	split = (size - 1) * data[0] / 256;
	s.part[0] = data + 1;
	s.len[0] = split;
	s.part[1] = data + 1 + split;
	s.len[1] = size - 1 - split;
	m = tmerge_new(2, FIX_PAGE_SIZE, FIX_COMMIT_SIZE, &src);
	if (!m)
		abort();
	/* A few read() calls, as the daemon would make them. */
	for (int round = 0; round < 4; round++) {
		const struct trec *r;
		tmerge_rearm(m);
		while ((r = tmerge_peek(m))) {
			struct tca_event ev;
			struct traw raw;
			int32_t ended;
			if (ttasks_event(&tk, pc, tdecode_type(&dec, r->data, r->size), r->data,
					 r->size, &ended)) {
				if (ended)
					socktab_process_ended(st, ended);
			} else if (tdecode_event(&dec, r->data, r->size, &ev, &raw)) {
				/* Owners from the stream's task map only. */
				raw.ts = r->ts;
				socktab_attribute(st, pc, 0, &raw, &ev);
			}
			tmerge_next(m);
		}
	}
	tmerge_free(m);
	return 0;
}
