/* SPDX-License-Identifier: MIT */
/* The replay eventer: synthetic events or events from a TSV file, at full
 * speed or at a fixed rate, so that the processor and the sinkers can be
 * tested and measured with no kernel involved. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"

/* With a rate, the timer ticks this often and each tick releases what is due. */
#define REPLAY_TICK_MS 10

struct replay_config {
	int64_t count;
	const char *path;
	int64_t rate;
	bool hold;
	int64_t lose_every;
};

struct replay {
	const struct tca_host *host;
	uint64_t count;     /* synthetic events to make, if no file */
	FILE *file;
	const char *path;
	char line[REPLAY_LINE_MAX];
	uint64_t lineno;
	uint64_t rate;
	bool hold;
	int fd;
	uint64_t start_ms;
	uint64_t emitted;   /* events made, lost ones included */
	uint64_t lose_every;
	uint64_t lost;
	bool done;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int replay_make_fd(struct replay *r)
{
	struct itimerspec its = { 0 };
	uint64_t one = 1;

	if (!r->rate) {
		/* Always readable until the end: the reader reads at full speed. */
		r->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->fd < 0 || write(r->fd, &one, sizeof(one)) != sizeof(one))
			return -errno;
		return 0;
	}
	r->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (r->fd < 0)
		return -errno;
	its.it_interval.tv_nsec = REPLAY_TICK_MS * 1000000L;
	its.it_value.tv_nsec = REPLAY_TICK_MS * 1000000L;
	return timerfd_settime(r->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static int replay_check(const struct tca_host *host, const struct replay_config *c)
{
	if ((c->count > 0) == (c->path && *c->path)) {
		tca_log(host, TCA_LOG_ERR, 0, "give exactly one of count=N (synthetic events) or "
			"path=FILE (a TSV file of events)");
		return -EINVAL;
	}
	if (c->count < 0 || c->rate < 0) {
		tca_log(host, TCA_LOG_ERR, 0, "count and rate must not be negative");
		return -EINVAL;
	}
	return 0;
}

static void replay_close(void *state)
{
	struct replay *r = state;

	if (r->fd >= 0)
		close(r->fd);
	if (r->file)
		fclose(r->file);
	free(r);
}

static int replay_open(const struct tca_host *host, const void *config, void **state)
{
	const struct replay_config *c = config;
	struct replay *r;
	int ret = replay_check(host, c);

	if (ret < 0)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct replay){ .host = host, .count = (uint64_t)c->count, .path = c->path,
			      .rate = (uint64_t)c->rate, .hold = c->hold, .fd = -1,
			      .lose_every = (uint64_t)c->lose_every };
	if (c->path && *c->path) {
		r->file = fopen(c->path, "re");
		if (!r->file) {
			ret = -errno;
			tca_log(host, TCA_LOG_ERR, -ret, "cannot open the replay file %s", c->path);
			goto fail;
		}
	}
	ret = replay_make_fd(r);
	if (ret < 0) {
		tca_log(host, TCA_LOG_ERR, -ret, "cannot create the replay timer");
		goto fail;
	}
	r->start_ms = now_ms();
	*state = r;
	return 0;
fail:
	replay_close(r);
	return ret;
}

static int replay_fd(void *state)
{
	return ((struct replay *)state)->fd;
}

/* How many events the rate allows now. */
static size_t replay_budget(struct replay *r, size_t cap)
{
	uint64_t ticks, due;

	if (!r->rate)
		return cap;
	if (read(r->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return 0;
	due = r->rate * (now_ms() - r->start_ms) / 1000u;
	if (due <= r->emitted)
		return 0;
	return due - r->emitted < cap ? (size_t)(due - r->emitted) : cap;
}

/* The next event from the file: 1, 0 at its end, or -EINVAL. */
static int replay_next_line(struct replay *r, struct tca_event *ev)
{
	const char *why = NULL;
	size_t len;
	int ret;

	while ((ret = replay_read_line(r->file, r->line, sizeof(r->line), &len)) > 0) {
		r->lineno++;
		ret = replay_parse_line(r->line, ev, &why);
		if (ret < 0) {
			tca_log(r->host, TCA_LOG_ERR, 0, "%s:%" PRIu64 ": %s", r->path, r->lineno, why);
			return ret;
		}
		if (ret > 0)
			return 1;
	}
	if (ret == -E2BIG)
		tca_log(r->host, TCA_LOG_ERR, 0, "%s:%" PRIu64 ": the line is longer than %d bytes "
			"(is this the right file?)", r->path, r->lineno + 1, REPLAY_LINE_MAX - 1);
	else if (ret == -EINVAL)
		tca_log(r->host, TCA_LOG_ERR, 0, "%s:%" PRIu64 ": a NUL byte (is this a text file?)",
			r->path, r->lineno + 1);
	else if (ret < 0)
		tca_log(r->host, TCA_LOG_ERR, -ret, "cannot read the replay file %s", r->path);
	/* A line too long is bad data, like any other bad line. */
	return ret == -E2BIG ? -EINVAL : ret;
}

static void replay_finish(struct replay *r)
{
	uint64_t v;
	struct itimerspec off = { 0 };

	r->done = true;
	tca_log(r->host, TCA_LOG_INFO, 0, "replayed %" PRIu64 " events%s", r->emitted,
		r->hold ? "; holding until stopped" : "");
	if (!r->hold)
		return;
	/* Quiet the descriptor, so that holding costs no wake-ups. */
	if (r->rate)
		timerfd_settime(r->fd, 0, &off, NULL);
	if (read(r->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
}

/* With lose_every=N, every N-th synthetic event is "lost" by the source
 * and reported in place, as a kernel overrun would be: a test then knows
 * exactly which seqs the gap records must hold. */
static bool replay_loses(struct replay *r, uint64_t i)
{
	return r->lose_every && !r->file && (i + 1) % r->lose_every == 0;
}

static void replay_report_loss(struct replay *r, struct tca_read *rd)
{
	struct tca_loss *l;

	r->lost++;
	if (rd->nloss && rd->loss[rd->nloss - 1].at == rd->n) {
		rd->loss[rd->nloss - 1].count++;
		return;
	}
	l = &rd->loss[rd->nloss++];
	*l = (struct tca_loss){ .at = (uint32_t)rd->n, .cpu = -1, .reason = TCA_GAP_SOURCE, .count = 1 };
}

static ssize_t replay_read(void *state, struct tca_read *rd)
{
	struct replay *r = state;
	size_t budget, made = 0;

	if (r->done)
		return r->hold ? 0 : -ENODATA;
	budget = replay_budget(r, rd->cap);
	while (made < budget && rd->nloss < rd->loss_cap) {
		struct tca_event *ev = &rd->ev[rd->n];
		if (r->file) {
			int ret = replay_next_line(r, ev);
			if (ret < 0)
				return ret;
			if (ret == 0)
				break;
		} else {
			if (r->emitted + made >= r->count)
				break;
			if (replay_loses(r, r->emitted + made)) {
				made++;
				replay_report_loss(r, rd);
				continue;
			}
			replay_synth(r->emitted + made, ev);
		}
		made++;
		rd->n++;
	}
	r->emitted += made;
	if (made < budget && rd->nloss < rd->loss_cap)
		replay_finish(r);
	return (ssize_t)rd->n;
}

static void replay_stats(void *state, struct tca_plugin_stats *st)
{
	st->lost = ((struct replay *)state)->lost;
}

static const struct tca_option replay_options[] = {
	{ .name = "count", .type = TCA_OPT_INT, .def = "0", .min = 0, .max = INT64_MAX,
	  .help = "make this many synthetic events", .offset = offsetof(struct replay_config, count) },
	{ .name = "path", .type = TCA_OPT_STRING,
	  .help = "replay the events of this TSV file", .offset = offsetof(struct replay_config, path) },
	{ .name = "rate", .type = TCA_OPT_INT, .def = "0", .min = 0, .max = 100000000,
	  .help = "events per second; 0 is as fast as possible",
	  .offset = offsetof(struct replay_config, rate) },
	{ .name = "lose_every", .type = TCA_OPT_INT, .def = "0", .min = 0, .max = INT64_MAX,
	  .help = "report every N-th synthetic event as lost by the source (for tests of gap "
		  "records); 0: none",
	  .offset = offsetof(struct replay_config, lose_every) },
	{ .name = "hold", .type = TCA_OPT_BOOL, .def = "no",
	  .help = "keep running after the last event until stopped",
	  .offset = offsetof(struct replay_config, hold) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "replay",
	.version = PACKAGE_VERSION,
	.description = "Replays synthetic events or a TSV file (for tests and benchmarks)",
	.options = replay_options,
	.config_size = sizeof(struct replay_config),
	.open = replay_open,
	.close = replay_close,
	.stats = replay_stats,
	.ops.eventer = {
		.fd = replay_fd,
		.read = replay_read,
	},
	.provides = TCA_EV_PID,
};
