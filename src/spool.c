/* SPDX-License-Identifier: MIT */
/* The disk spool: segment files appended by the writer when the store
 * cannot keep up, replayed oldest first, and deleted once stored. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "gaps.h"
#include "log.h"
#include "spool.h"

/* A new segment starts past this size: the unit of deletion, so a long
 * outage frees its disk space as it is replayed, and what drop-oldest
 * drops at once; at most an eighth of the bound, so that there is an
 * oldest segment to drop. */
#define SEGMENT_MAX (8u << 20)
#define SEGMENT_MIN (64u << 10)

static int spool_open_head(struct spool *sp);
static void spool_drop_segment(struct spool *sp);
static int spool_drop_oldest(struct spool *sp);

static void spool_path(const struct spool *sp, uint64_t id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%016" PRIx64 ".seg", sp->dir, id);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int mkdir_parents(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static bool segment_name(const char *name, uint64_t *id)
{
	char *end;

	if (strlen(name) != 20 || strcmp(name + 16, ".seg") != 0)
		return false;
	*id = strtoull(name, &end, 16);
	return end == name + 16 && *id > 0;
}

/* Find the segments earlier runs left. */
static int spool_scan(struct spool *sp)
{
	DIR *d = opendir(sp->dir);
	struct dirent *de;
	uint64_t lo = UINT64_MAX, hi = 0, n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct stat st;
		uint64_t id;
		if (!segment_name(de->d_name, &id) || fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		lo = id < lo ? id : lo;
		hi = id > hi ? id : hi;
		sp->bytes += (uint64_t)st.st_size;
		if ((uint64_t)st.st_size > sizeof(struct spool_header))
			sp->unread += (uint64_t)st.st_size - sizeof(struct spool_header);
		n++;
	}
	closedir(d);
	sp->first_id = n ? lo : 1;
	sp->next_id = n ? hi + 1 : 1;
	if (sp->unread)
		log_notice("spool: %" PRIu64 " bytes in %" PRIu64 " segments left in %s by earlier runs; "
			   "they are stored first", sp->unread, n, sp->dir);
	return 0;
}

int spool_open(struct spool *sp, const struct spool_config *cfg)
{
	int r;

	*sp = (struct spool){ .rfd = -1, .wfd = -1 };
	if (!cfg->dir || cfg->max_size == 0)
		return 0;
	snprintf(sp->dir, sizeof(sp->dir), "%s", cfg->dir);
	sp->max_size = cfg->max_size;
	sp->sync = cfg->sync;
	sp->max_fill_pct = cfg->max_fill_pct ? cfg->max_fill_pct : 95;
	sp->full_policy = cfg->full;
	sp->segment_max = cfg->max_size / 8;
	if (sp->segment_max > SEGMENT_MAX)
		sp->segment_max = SEGMENT_MAX;
	if (sp->segment_max < SEGMENT_MIN)
		sp->segment_max = SEGMENT_MIN;
	r = mkdir_parents(sp->dir);
	if (r == 0)
		r = spool_scan(sp);
	if (r < 0)
		return r; /* the caller says how bad that is */
	sp->buf = malloc(SPOOL_RECORD_MAX);
	if (!sp->buf)
		return -ENOMEM;
	sp->enabled = true;
	return 0;
}

void spool_close(struct spool *sp)
{
	if (sp->wfd >= 0)
		close(sp->wfd);
	if (sp->rfd >= 0)
		close(sp->rfd);
	free(sp->buf);
	sp->buf = NULL;
	sp->enabled = false;
}

static void spool_sync_dir(struct spool *sp)
{
	int fd = open(sp->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Whether need more bytes fit under the bound and the filesystem's fill limit. */
static bool spool_room(struct spool *sp, uint64_t need)
{
	struct statvfs vfs;

	if (sp->bytes + need > sp->max_size)
		return false;
	if (statvfs(sp->dir, &vfs) < 0 || vfs.f_blocks == 0)
		return true;
	uint64_t bs = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
	uint64_t total = (uint64_t)vfs.f_blocks * bs;
	uint64_t used = (uint64_t)(vfs.f_blocks - vfs.f_bavail) * bs;
	return (used + need) * 100 <= total * sp->max_fill_pct;
}

/* Start a new segment of this run: after a full one, or the first. */
static int spool_new_segment(struct spool *sp, const struct tca_origin *origin, uint64_t first_seq)
{
	struct spool_header h;
	char path[4200];
	ssize_t w;
	int fd;

	while (!spool_room(sp, sizeof(h)))
		if (spool_drop_oldest(sp) < 0)
			return -ENOSPC;
	if (sp->wfd >= 0) {
		/* The segment being replayed may be this one: from now on its
		 * size is final, and the replay must know all of it. */
		if (sp->rfd >= 0 && sp->rid == sp->wid)
			sp->rsize = sp->wsize;
		if (sp->wdirty && sp->sync != SPOOL_SYNC_NONE)
			fdatasync(sp->wfd);
		close(sp->wfd);
		sp->wfd = -1;
	}
	spool_header_make(&h, origin, first_seq, sp->run_start_ns, sp->run_prev_id);
	spool_path(sp, sp->next_id, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	w = write(fd, &h, sizeof(h));
	if (w != (ssize_t)sizeof(h)) {
		int e = w < 0 ? errno : ENOSPC;
		close(fd);
		unlink(path);
		return -e;
	}
	if (sp->sync != SPOOL_SYNC_NONE)
		spool_sync_dir(sp);
	sp->wfd = fd;
	sp->wid = sp->next_id++;
	sp->wsize = sizeof(h);
	sp->bytes += sizeof(h);
	return 0;
}

static int spool_put(struct spool *sp, const struct tca_origin *origin, uint32_t type,
		     const void *payload, size_t len, uint64_t first_seq)
{
	struct spool_record rec;
	struct iovec iov[2];
	uint64_t need = sizeof(rec) + len;
	ssize_t w;
	int r;

	if (!sp->enabled)
		return -ENOSPC;
	/* Full a moment ago: spare the statvfs until space may be back. */
	if (sp->full && now_ms() - sp->full_at_ms < 1000)
		return -ENOSPC;
	if (sp->wfd < 0 || sp->wsize + need > sp->segment_max) {
		r = spool_new_segment(sp, origin, first_seq);
		if (r < 0)
			goto full;
	}
	while (!spool_room(sp, need)) {
		if (spool_drop_oldest(sp) < 0) {
			r = -ENOSPC;
			goto full;
		}
	}
	spool_record_make(&rec, type, payload, len);
	iov[0] = (struct iovec){ .iov_base = &rec, .iov_len = sizeof(rec) };
	iov[1] = (struct iovec){ .iov_base = (void *)payload, .iov_len = len };
	w = writev(sp->wfd, iov, 2);
	if (w != (ssize_t)need) {
		r = w < 0 ? -errno : -ENOSPC;
		/* Never leave a torn record behind in our own run. */
		if (ftruncate(sp->wfd, (off_t)sp->wsize) < 0)
			log_full(NULL, TCA_LOG_WARNING, errno, "spool: cannot cut a short write");
		goto full;
	}
	sp->wsize += need;
	sp->bytes += need;
	sp->unread += need;
	sp->wdirty = true;
	sp->full = false;
	return 0;
full:
	if (r == -EDQUOT)
		r = -ENOSPC;
	if (r == -ENOSPC && !sp->full) {
		sp->full_count++;
		log_warning("spool: %s is full (%" PRIu64 " bytes of at most %" PRIu64 ", or the filesystem "
			    "is %u%% full); events that do not fit stay in memory, and what the memory "
			    "queue cannot hold is recorded as gaps", sp->dir, sp->bytes, sp->max_size,
			    sp->max_fill_pct);
	} else if (r != -ENOSPC)
		log_error_errno(r, "spool: writing to %s failed", sp->dir);
	sp->full = r == -ENOSPC;
	sp->full_at_ms = now_ms();
	return r;
}

size_t spool_put_events(struct spool *sp, const struct tca_origin *origin, const struct tca_event *ev,
			size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t m = n - done;
		m = m < SPOOL_RECORD_MAX / sizeof(*ev) ? m : SPOOL_RECORD_MAX / sizeof(*ev);
		if (spool_put(sp, origin, SPOOL_EVENTS, ev + done, m * sizeof(*ev), ev[done].seq) < 0)
			break;
		sp->put_events += m;
		sp->put_bytes += sizeof(struct spool_record) + m * sizeof(*ev);
		done += m;
	}
	return done;
}

int spool_put_gaps(struct spool *sp, const struct tca_origin *origin, const struct tca_gap *g,
		   size_t n)
{
	if (n * sizeof(*g) > SPOOL_RECORD_MAX)
		return -EINVAL;
	return spool_put(sp, origin, SPOOL_GAPS, g, n * sizeof(*g), n ? g[0].first_seq : 0);
}

/* How many of nm[0..n) go in one record, and its size. */
static size_t names_fit(const struct tca_name *nm, size_t n, size_t *bytes)
{
	size_t k = 0;

	*bytes = 0;
	while (k < n && k < SPOOL_NAMES_MAX && *bytes + spool_name_size(&nm[k]) <= SPOOL_RECORD_MAX)
		*bytes += spool_name_size(&nm[k++]);
	return k;
}

size_t spool_put_names(struct spool *sp, const struct tca_origin *origin, const struct tca_name *nm,
		       size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t bytes, k = names_fit(nm + done, n - done, &bytes), off = 0;
		/* Names are rare: a buffer per record is cheap, and sp->buf
		 * may hold the item being replayed. */
		unsigned char *buf = malloc(bytes);
		int r;
		if (!buf) {
			log_error("spool: out of memory for name records");
			break;
		}
		for (size_t i = 0; i < k; i++)
			off += spool_name_encode(buf + off, &nm[done + i]);
		r = spool_put(sp, origin, SPOOL_NAMES, buf, bytes, 0);
		free(buf);
		if (r < 0)
			break;
		sp->put_names += k;
		done += k;
	}
	return done;
}

int spool_put_run(struct spool *sp, const struct tca_origin *origin, const struct tca_run *run)
{
	struct spool_run sr;

	spool_run_make(&sr, run);
	return spool_put(sp, origin, SPOOL_RUN, &sr, sizeof(sr), 0);
}

int spool_sync(struct spool *sp, bool at_exit)
{
	if (!sp->enabled || sp->wfd < 0 || !sp->wdirty)
		return 0;
	if (sp->sync == SPOOL_SYNC_NONE || (sp->sync == SPOOL_SYNC_SEGMENT && !at_exit))
		return 0;
	if (fdatasync(sp->wfd) < 0) {
		int r = -errno;
		log_error_errno(r, "spool: fsync of %s failed", sp->dir);
		return r;
	}
	sp->wdirty = false;
	return 0;
}

bool spool_pending(const struct spool *sp)
{
	return sp->enabled && sp->unread > 0;
}

static void spool_forget(struct spool *sp, uint64_t bytes)
{
	sp->unread -= bytes < sp->unread ? bytes : sp->unread;
}

/* The replayed segment is done: delete it. */
static void spool_drop_segment(struct spool *sp)
{
	char path[4200];

	spool_path(sp, sp->rid, path, sizeof(path));
	if (sp->wfd >= 0 && sp->wid == sp->rid) {
		close(sp->wfd);
		sp->wfd = -1;
	}
	close(sp->rfd);
	sp->rfd = -1;
	if (unlink(path) < 0)
		log_full(NULL, TCA_LOG_WARNING, errno, "spool: cannot delete %s", path);
	sp->bytes -= sp->rsize < sp->bytes ? sp->rsize : sp->bytes;
	sp->first_id = sp->rid + 1;
	sp->full = false; /* room again, maybe */
}

/* Open the oldest segment. Returns 1, 0 when there is none, or -errno. */
static int spool_open_head(struct spool *sp)
{
	char path[4200];
	struct stat st;

	while (sp->first_id < sp->next_id) {
		spool_path(sp, sp->first_id, path, sizeof(path));
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT) {
				int r = -errno;
				log_error_errno(r, "spool: cannot open %s", path);
				return r;
			}
			sp->first_id++;
			continue;
		}
		if (fstat(fd, &st) < 0 || pread(fd, &sp->rhdr, sizeof(sp->rhdr), 0) != (ssize_t)sizeof(sp->rhdr) ||
		    spool_header_check(&sp->rhdr) < 0) {
			char bad[4300];
			/* Whose events they were is unknown: no gap can name
			 * the run, so the log must. */
			snprintf(bad, sizeof(bad), "%s.bad", path);
			log_error("spool: %s has no valid segment header; it is moved aside to %s, and its "
				  "events (if any) cannot be replayed", path, bad);
			if (rename(path, bad) < 0)
				unlink(path);
			close(fd);
			sp->bytes -= (uint64_t)st.st_size < sp->bytes ? (uint64_t)st.st_size : sp->bytes;
			if ((uint64_t)st.st_size > sizeof(sp->rhdr))
				spool_forget(sp, (uint64_t)st.st_size - sizeof(sp->rhdr));
			sp->cut_segments++;
			sp->first_id++;
			continue;
		}
		sp->rfd = fd;
		sp->rid = sp->first_id;
		sp->roff = sizeof(sp->rhdr);
		sp->rsize = (uint64_t)st.st_size;
		sp->rlast_seq = 0;
		sp->rorigin = (struct tca_origin){ .host = sp->rhdr.host, .boot_id = sp->rhdr.boot_id,
						   .run_id = sp->rhdr.run_id };
		return 1;
	}
	return 0;
}

static bool record_shape_ok(const struct spool_record *rec)
{
	switch (rec->type) {
	case SPOOL_EVENTS:
		return rec->len && rec->len % sizeof(struct tca_event) == 0;
	case SPOOL_GAPS:
		return rec->len && rec->len % sizeof(struct tca_gap) == 0;
	case SPOOL_RUN:
		return rec->len == sizeof(struct spool_run);
	case SPOOL_NAMES:
		return rec->len >= SPOOL_NAME_HEAD;
	}
	return false;
}

/* A damaged record: the rest of its segment is cut, and the item is the
 * gap over it. Which seqs it held is unknown, so the count is 0. */
static void spool_cut(struct spool *sp, const char *why)
{
	struct timespec ts;
	struct tca_gap *g = sp->buf;
	char path[4200];

	clock_gettime(CLOCK_REALTIME, &ts);
	*g = (struct tca_gap){
		.run_id = sp->rhdr.run_id,
		/* No seq known before the damage: from the first on. */
		.first_seq = sp->rlast_seq ? sp->rlast_seq + 1 : sp->rhdr.first_seq ? sp->rhdr.first_seq : 1,
		.count = 0,
		.time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
		.reason = TCA_GAP_SPOOL,
		.cpu = -1,
	};
	spool_path(sp, sp->rid, path, sizeof(path));
	log_warning("spool: %s: %s at offset %" PRIu64 " (torn by a crash, or changed on disk); its "
		    "last %" PRIu64 " bytes are cut, never replayed, and recorded as a gap (reason "
		    "spool) from event %" PRIu64 " of run %" PRIu64, path, why, sp->roff,
		    sp->rsize - sp->roff, g->first_seq, g->run_id);
	sp->item = (struct spool_item){ .type = SPOOL_GAPS, .origin = &sp->rorigin, .data = g,
					.n = 1, .cut = true };
	sp->item_size = sp->rsize - sp->roff;
	sp->have_item = true;
	sp->cut_run = true;
	sp->cut_segments++;
}

/* After the gap of a cut: the run's end record may have been in what was
 * cut, so the run is recorded as unclean; an end record found later (in
 * its next segment) replaces it. */
static void spool_cut_run(struct spool *sp)
{
	struct spool_run *sr = sp->buf;

	*sr = (struct spool_run){
		.run_id = sp->rhdr.run_id,
		.prev_run_id = sp->rhdr.prev_run_id,
		.start_ns = sp->rhdr.start_ns,
		.state = TCA_RUN_UNCLEAN,
	};
	memcpy(sr->host, sp->rhdr.host, sizeof(sr->host));
	memcpy(sr->boot_id, sp->rhdr.boot_id, sizeof(sr->boot_id));
	sp->item = (struct spool_item){ .type = SPOOL_RUN, .origin = &sp->rorigin, .data = sr,
					.n = 1, .cut = true };
	sp->cut_run = false;
}

static void item_last_seq(struct spool *sp)
{
	const struct spool_item *it = &sp->item;
	uint64_t last = 0;

	if (it->type == SPOOL_EVENTS)
		last = ((const struct tca_event *)it->data)[it->n - 1].seq;
	else if (it->type == SPOOL_GAPS)
		for (size_t i = 0; i < it->n; i++) {
			const struct tca_gap *g = (const struct tca_gap *)it->data + i;
			uint64_t end = g->first_seq + (g->count ? g->count - 1 : 0);
			last = end > last ? end : last;
		}
	if (last > sp->rlast_seq)
		sp->rlast_seq = last;
}

int spool_next(struct spool *sp, struct spool_item **out)
{
	struct spool_record rec;

	if (!sp->enabled)
		return 0;
	while (!sp->have_item) {
		if (sp->rfd < 0) {
			int r = spool_open_head(sp);
			if (r <= 0) {
				if (r == 0)
					sp->unread = 0; /* nothing is left, whatever the count said */
				return r;
			}
		}
		if (sp->wfd >= 0 && sp->wid == sp->rid)
			sp->rsize = sp->wsize;
		if (sp->roff >= sp->rsize) {
			spool_drop_segment(sp);
			continue;
		}
		if (sp->rsize - sp->roff < sizeof(rec) ||
		    pread(sp->rfd, &rec, sizeof(rec), (off_t)sp->roff) != (ssize_t)sizeof(rec)) {
			spool_cut(sp, "a short record header");
			break;
		}
		if (!record_shape_ok(&rec) || rec.len > SPOOL_RECORD_MAX ||
		    rec.len > sp->rsize - sp->roff - sizeof(rec)) {
			spool_cut(sp, "a record with a bad type or length");
			break;
		}
		if (pread(sp->rfd, sp->buf, rec.len, (off_t)(sp->roff + sizeof(rec))) != (ssize_t)rec.len ||
		    !spool_record_ok(&rec, sp->buf)) {
			spool_cut(sp, "a record whose checksum does not match");
			break;
		}
		sp->item = (struct spool_item){
			.type = rec.type,
			.origin = &sp->rorigin,
			.data = sp->buf,
			.n = rec.type == SPOOL_EVENTS ? rec.len / sizeof(struct tca_event) :
			     rec.type == SPOOL_GAPS ? rec.len / sizeof(struct tca_gap) : 1,
		};
		if (rec.type == SPOOL_NAMES) {
			/* Its checksum matched, so a bad encoding is our bug or
			 * a deliberate change: cut it like any damage. */
			int k = spool_names_decode(sp->buf, rec.len, sp->names, SPOOL_NAMES_MAX);
			if (k < 0) {
				spool_cut(sp, "a name record that cannot be read");
				break;
			}
			sp->item.data = sp->names;
			sp->item.n = (size_t)k;
		}
		sp->item_size = sizeof(rec) + rec.len;
		sp->have_item = true;
		item_last_seq(sp);
	}
	*out = &sp->item;
	return 1;
}

void spool_consume(struct spool *sp, size_t n)
{
	struct spool_item *it = &sp->item;

	if (!sp->have_item)
		return;
	if (it->type == SPOOL_EVENTS) {
		n = n < it->n - it->done ? n : it->n - it->done;
		it->done += n;
		sp->got_events += n;
		if (it->done < it->n)
			return;
	}
	if (it->cut && sp->cut_run) {
		spool_cut_run(sp);
		return;
	}
	sp->roff += sp->item_size;
	spool_forget(sp, sp->item_size);
	sp->have_item = false;
	/* Delete a finished segment now, not at the next read: the spool's
	 * disk use follows what is still to replay. */
	if (sp->wfd >= 0 && sp->wid == sp->rid)
		sp->rsize = sp->wsize;
	if (sp->roff >= sp->rsize)
		spool_drop_segment(sp);
}

/* Record what a dropped record held: its events and gaps as gaps, its run
 * records put back at the end of the spool. */
static void spool_drop_record(struct spool *sp, const struct spool_record *rec, size_t skip,
			      uint64_t now_ns)
{
	if (rec->type == SPOOL_EVENTS) {
		size_t n = rec->len / sizeof(struct tca_event);
		if (skip < n)
			sp->dropped_events += gaps_add_events(sp->gaps, sp->rhdr.run_id,
							      (const struct tca_event *)sp->buf + skip,
							      n - skip, TCA_GAP_SPOOL, now_ns);
		if (n)
			sp->rlast_seq = ((const struct tca_event *)sp->buf)[n - 1].seq;
	} else if (rec->type == SPOOL_GAPS) {
		for (size_t i = 0; i < rec->len / sizeof(struct tca_gap); i++)
			gaps_add(sp->gaps, (const struct tca_gap *)sp->buf + i);
	} else if (rec->type == SPOOL_NAMES) {
		int k = spool_names_decode(sp->buf, rec->len, sp->names, SPOOL_NAMES_MAX);
		sp->dropped_names += k > 0 ? (uint64_t)k : 0;
	} else if (sp->n_keep < SPOOL_KEEP_RUNS) {
		memcpy(&sp->keep[sp->n_keep++], sp->buf, sizeof(struct spool_run));
	} else {
		log_error("spool: the record of run %" PRIu64 " was dropped with its segment",
			  ((const struct spool_run *)sp->buf)->run_id);
	}
}

/* Run records of a dropped segment go back at the end of the spool. */
static void spool_put_kept(struct spool *sp)
{
	for (size_t i = 0; i < sp->n_keep; i++) {
		struct tca_run run;
		spool_run_get(&sp->keep[i], &run);
		if (spool_put_run(sp, &run.origin, &run) < 0)
			log_error("spool: the record of run %" PRIu64 " was dropped with its segment",
				  sp->keep[i].run_id);
	}
	sp->n_keep = 0;
}

/*
 * drop-oldest: delete the oldest segment, not the one being written, and
 * turn what it held into gap records (reason spool), so that the store
 * still shows every seq. Returns 0, or -ENOSPC when there is none to drop.
 */
static int spool_drop_oldest(struct spool *sp)
{
	struct spool_record rec;
	struct timespec ts;
	uint64_t before = sp->dropped_events, names_before = sp->dropped_names, off;
	size_t skip;
	char path[4200];

	if (sp->full_policy != SPOOL_FULL_DROP_OLDEST || !sp->gaps || sp->dropping)
		return -ENOSPC;
	if (sp->rfd < 0 && spool_open_head(sp) <= 0)
		return -ENOSPC;
	if (sp->wfd >= 0 && sp->rid == sp->wid)
		return -ENOSPC;
	sp->dropping = true;
	clock_gettime(CLOCK_REALTIME, &ts);
	off = sp->roff;
	skip = sp->have_item && sp->item.type == SPOOL_EVENTS ? sp->item.done : 0;
	while (off + sizeof(rec) <= sp->rsize &&
	       pread(sp->rfd, &rec, sizeof(rec), (off_t)off) == (ssize_t)sizeof(rec) &&
	       record_shape_ok(&rec) && rec.len <= SPOOL_RECORD_MAX &&
	       rec.len <= sp->rsize - off - sizeof(rec) &&
	       pread(sp->rfd, sp->buf, rec.len, (off_t)(off + sizeof(rec))) == (ssize_t)rec.len &&
	       spool_record_ok(&rec, sp->buf)) {
		spool_drop_record(sp, &rec, skip, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
		skip = 0;
		off += sizeof(rec) + rec.len;
	}
	spool_path(sp, sp->rid, path, sizeof(path));
	log_warning("spool: full; its oldest segment %s is dropped (--spool-full=drop-oldest): %" PRIu64
		    " events of run %" PRIu64 ", recorded as gaps (reason spool)%s", path,
		    sp->dropped_events - before, sp->rhdr.run_id,
		    off < sp->rsize ? "; its damaged tail, of unknown size, too" : "");
	if (sp->dropped_names > names_before)
		log_warning("spool: %" PRIu64 " name records were dropped with %s; the store keeps the "
			    "ids of their events without a name", sp->dropped_names - names_before, path);
	if (off < sp->rsize) {
		struct tca_gap g = { .run_id = sp->rhdr.run_id, .first_seq = sp->rlast_seq + 1,
				     .reason = TCA_GAP_SPOOL, .cpu = -1,
				     .time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec };
		gaps_add(sp->gaps, &g);
	}
	spool_forget(sp, sp->rsize - sp->roff);
	sp->have_item = false;
	spool_drop_segment(sp);
	spool_put_kept(sp);
	sp->dropping = false;
	return 0;
}
