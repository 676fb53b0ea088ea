/* SPDX-License-Identifier: MIT */
/*
 * Merge the CPUs' record streams into one stream in time order. Each CPU's
 * stream is in order by itself; across CPUs, the record to hand out next is
 * the oldest one loaded. A CPU whose buffer was empty when we looked may
 * still produce records newer than that moment only, so that moment (the
 * watermark) bounds what may come out of the other CPUs: newer records are
 * held back until the next read() looks at the dry CPU again. Without this
 * an event of the dry CPU could come out after newer events of another one,
 * and one socket's life could split (connect on one CPU, SYN-ACK on another).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracefs.h"

/* A record reserved just before we looked can be committed just after;
 * the ring buffer writes with preemption off, but a virtual CPU can be
 * descheduled in between: a few ms cover most of that (socktab.c keeps a
 * socket's ids right when even this is not enough). */
#define MERGE_MARGIN_NS 5000000
/* Empty or corrupt pages read in a row before a CPU counts as dry for
 * this read(): bounds the work when a source never ends. */
#define MERGE_MAX_PAGES 64

struct merge_cpu {
	uint8_t *page;
	struct tpage pg;
	struct trec rec;      /* the current record, if has_rec */
	bool has_rec;
	bool dry;             /* found empty during this read() call */
	uint64_t wm;          /* if dry: it can only add records newer than this */
	bool done;            /* finishing: nothing more is loaded from this CPU */
};

struct tmerge {
	struct tmerge_src src;
	size_t page_size;
	size_t commit_size;
	int ncpus;
	int cur;              /* the CPU tmerge_peek chose */
	bool holding;
	bool final;           /* recording has stopped: nothing older can come */
	bool finishing;       /* see tmerge_finish */
	uint64_t finish_ts;
	uint64_t missed;
	uint64_t corrupt;
	struct merge_cpu cpu[];
};

struct tmerge *tmerge_new(int ncpus, size_t page_size, size_t commit_size,
			  const struct tmerge_src *src)
{
	struct tmerge *m;

	if (ncpus < 1 || page_size < 64)
		return NULL;
	m = calloc(1, sizeof(*m) + (size_t)ncpus * sizeof(m->cpu[0]));
	if (!m)
		return NULL;
	m->src = *src;
	m->page_size = page_size;
	m->commit_size = commit_size;
	m->ncpus = ncpus;
	m->cur = -1;
	for (int i = 0; i < ncpus; i++) {
		m->cpu[i].page = malloc(page_size);
		if (!m->cpu[i].page) {
			tmerge_free(m);
			return NULL;
		}
	}
	return m;
}

void tmerge_free(struct tmerge *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->ncpus; i++)
		free(m->cpu[i].page);
	free(m);
}

void tmerge_rearm(struct tmerge *m)
{
	for (int i = 0; i < m->ncpus; i++)
		m->cpu[i].dry = false;
	m->holding = false;
}

/* Load the CPU's next record from its next pages; false when it has none
 * now, which makes it dry with the time we looked as its watermark. */
static bool tmerge_fill(struct tmerge *m, int i)
{
	struct merge_cpu *c = &m->cpu[i];

	for (int n = 0; n < MERGE_MAX_PAGES && !c->done; n++) {
		uint64_t now = m->src.now(m->src.ctx);
		ssize_t len = m->src.fill(m->src.ctx, i, c->page, m->page_size);

		if (len <= 0 || (size_t)len > m->page_size) {
			c->wm = m->final ? UINT64_MAX : now > MERGE_MARGIN_NS ? now - MERGE_MARGIN_NS : 0;
			c->done = m->finishing;
			break;
		}
		if (tpage_load(&c->pg, c->page, (size_t)len, m->commit_size) < 0) {
			m->corrupt++;
			continue;
		}
		if (c->pg.missed > 0)
			m->missed += (uint64_t)c->pg.missed;
		else if (c->pg.missed < 0)
			m->missed++;
		if (tpage_next(&c->pg, &c->rec)) {
			c->has_rec = true;
			/* A page that starts after the stop is the last one. */
			c->done = m->finishing && c->rec.ts > m->finish_ts;
			return true;
		}
		if (c->pg.corrupt)
			m->corrupt++;
	}
	c->dry = true;
	/* What the kernel holds of a finished CPU stays there, for the next
	 * run: nothing of it comes out before what is loaded. */
	if (c->done)
		c->wm = UINT64_MAX;
	return false;
}

const struct trec *tmerge_peek(struct tmerge *m)
{
	uint64_t wm = UINT64_MAX;
	int best = -1;

	for (int i = 0; i < m->ncpus; i++) {
		struct merge_cpu *c = &m->cpu[i];
		if (!c->has_rec && (c->dry || !tmerge_fill(m, i))) {
			if (c->wm < wm)
				wm = c->wm;
			continue;
		}
		if (best < 0 || c->rec.ts < m->cpu[best].rec.ts)
			best = i;
	}
	m->cur = -1;
	if (best < 0)
		return NULL;
	if (m->cpu[best].rec.ts > wm) {
		m->holding = true;
		return NULL;
	}
	m->cur = best;
	return &m->cpu[best].rec;
}

void tmerge_next(struct tmerge *m)
{
	struct merge_cpu *c;

	if (m->cur < 0)
		return;
	c = &m->cpu[m->cur];
	c->has_rec = tpage_next(&c->pg, &c->rec) == 1;
	if (!c->has_rec && c->pg.corrupt)
		m->corrupt++;
	m->cur = -1;
}

void tmerge_final(struct tmerge *m)
{
	m->final = true;
}

uint64_t tmerge_margin_ns(void)
{
	return MERGE_MARGIN_NS;
}

void tmerge_finish(struct tmerge *m)
{
	m->finishing = true;
	m->finish_ts = m->src.now(m->src.ctx);
}

bool tmerge_holding(const struct tmerge *m)
{
	return m->holding;
}

uint64_t tmerge_missed(const struct tmerge *m)
{
	return m->missed;
}

uint64_t tmerge_corrupt(const struct tmerge *m)
{
	return m->corrupt;
}
