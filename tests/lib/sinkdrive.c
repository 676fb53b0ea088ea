/* SPDX-License-Identifier: MIT */
/*
 * sinkdrive: load one sinker plugin against a minimal host and drive it
 * with commands from stdin, so that a store test can write exactly the
 * events, gaps and run records it wants (a replayed RUNNING record, a
 * rewritten gap) and check the rows. Not a processor: no queue, no retry.
 *
 *   sinkdrive PLUGIN.so [KEY=VALUE...] <commands
 *
 *   origin HOST BOOT_ID RUN_ID     the origin of what follows
 *   events FIRST N                 one batch of N synthetic events, seq FIRST on
 *   gap RUN_ID FIRST COUNT REASON  one gap record (time: now, cpu: -1)
 *   run PREV STATE START END LAST  the origin run's record (times in ns)
 *   cgroup ID                      the events that follow carry cgroup ID (0: none)
 *   name cgroup ID TEXT            one name record (ABI 2.2) of the origin's run
 *
 * Each command prints "COMMAND: RESULT" (a count, 0, or -errno) on stdout.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tcp-audit/plugin.h>

static void drive_log(const struct tca_host *host, int prio, int errnum, const char *fmt, ...)
{
	va_list ap;

	(void)host;
	fprintf(stderr, "log<%d>: ", prio);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, errnum ? ": %s\n" : "\n", errnum ? strerror(errnum) : "");
}

static void drive_retry(const struct tca_host *host, int errnum, const char *fmt, ...)
{
	va_list ap;

	(void)host;
	fprintf(stderr, "retry: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, errnum ? ": %s\n" : "\n", errnum ? strerror(errnum) : "");
}

/* A number with an optional unit: K/M/G for sizes, ms/s/m/h/d for times. */
static int drive_number(const char *v, enum tca_opt_type type, uint64_t *out)
{
	char *end;
	uint64_t n = strtoull(v, &end, 10), mul = 1;

	if (end == v)
		return -EINVAL;
	if (type == TCA_OPT_SIZE)
		mul = !*end ? 1 : *end == 'K' ? 1024 : *end == 'M' ? 1 << 20 : *end == 'G' ? 1 << 30 : 0;
	else if (type == TCA_OPT_DURATION)
		mul = !*end || !strcmp(end, "ms") ? 1 : !strcmp(end, "s") ? 1000 :
		      !strcmp(end, "m") ? 60000 : !strcmp(end, "h") ? 3600000 :
		      !strcmp(end, "d") ? 86400000 : 0;
	else if (*end)
		mul = 0;
	if (!mul)
		return -EINVAL;
	*out = n * mul;
	return 0;
}

static int drive_set(const struct tca_option *o, char *cfg, const char *v)
{
	uint64_t n;

	switch (o->type) {
	case TCA_OPT_STRING:
		*(const char **)(cfg + o->offset) = v;
		return 0;
	case TCA_OPT_BOOL:
		*(bool *)(cfg + o->offset) = !strcmp(v, "yes") || !strcmp(v, "true") ||
					     !strcmp(v, "on") || !strcmp(v, "1");
		return 0;
	default:
		if (drive_number(v, o->type, &n) < 0)
			return -EINVAL;
		if (o->type == TCA_OPT_INT)
			*(int64_t *)(cfg + o->offset) = (int64_t)n;
		else
			*(uint64_t *)(cfg + o->offset) = n;
		return 0;
	}
}

static int drive_config(const struct tca_plugin *p, char *cfg, int argc, char **argv)
{
	for (const struct tca_option *o = p->options; o->name; o++)
		if (o->def && drive_set(o, cfg, o->def) < 0)
			return -EINVAL;
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const struct tca_option *o = p->options;

		if (!eq)
			return -EINVAL;
		*eq = '\0';
		while (o->name && strcmp(o->name, argv[i]))
			o++;
		if (!o->name || drive_set(o, cfg, eq + 1) < 0) {
			fprintf(stderr, "sinkdrive: bad option %s\n", argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static uint64_t drive_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The cgroup of the events to come (the cgroup command); 0: none. */
static uint64_t drive_cgroup;

/* Event seq of a connection from 127.0.0.1 to 127.0.0.2:80, 1 µs apart. */
static void drive_event(struct tca_event *ev, uint64_t seq, uint64_t base)
{
	static const uint8_t from[4] = { 127, 0, 0, 1 }, to[4] = { 127, 0, 0, 2 };

	memset(ev, 0, sizeof(*ev));
	ev->time_ns = base + seq * 1000u;
	ev->sock = seq / 4 + 1;
	ev->seq = seq;
	ev->flags = TCA_EV_PID;
	ev->pid = 4242;
	snprintf(ev->comm, sizeof(ev->comm), "drive");
	ev->family = TCA_FAMILY_IPV4;
	ev->oldstate = TCA_STATE_CLOSE;
	ev->newstate = TCA_STATE_SYN_SENT;
	ev->owner = TCA_OWNER_HOLDER;
	ev->protocol = TCA_PROTO_TCP;
	ev->sport = (uint16_t)(40000 + seq % 20000);
	ev->dport = 80;
	memcpy(ev->saddr, from, 4);
	memcpy(ev->daddr, to, 4);
	if (drive_cgroup) {
		ev->flags |= TCA_EV_CGROUP;
		ev->cgroup = drive_cgroup;
	}
}

static int drive_events(const struct tca_plugin *p, void *st, const struct tca_origin *o,
			uint64_t first, size_t n)
{
	/* One base for the whole script: a rewritten event is the same event. */
	static uint64_t base;
	struct tca_event *ev = calloc(n ? n : 1, sizeof(*ev));
	int r;

	if (!base)
		base = drive_now_ns();

	if (!ev)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		drive_event(&ev[i], first + i, base);
	r = p->ops.sinker.write(st, &(struct tca_batch){ .origin = o, .ev = ev, .n = n });
	free(ev);
	return r;
}

static int drive(const struct tca_plugin *p, void *st)
{
	char line[512], host[128] = "drive-host", boot[64] = "00000000-0000-0000-0000-000000000000";
	struct tca_origin o = { .host = host, .boot_id = boot, .run_id = 1 };
	int failed = 0;

	while (fgets(line, sizeof(line), stdin)) {
		uint64_t a, b, c, d, e;
		int r, at = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (sscanf(line, "origin %127s %63s %" SCNu64, host, boot, &a) == 3) {
			o.run_id = a;
			r = 0;
		} else if (sscanf(line, "events %" SCNu64 " %" SCNu64, &a, &b) == 2) {
			r = drive_events(p, st, &o, a, (size_t)b);
		} else if (sscanf(line, "gap %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
				  &a, &b, &c, &d) == 4) {
			struct tca_gap g = { .run_id = a, .first_seq = b, .count = c,
					     .time_ns = drive_now_ns(), .reason = (uint32_t)d, .cpu = -1 };
			r = p->ops.sinker.write_gaps(st, &o, &g, 1);
		} else if (sscanf(line, "run %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
				  &a, &b, &c, &d, &e) == 5) {
			struct tca_run run = { .origin = o, .prev_run_id = a, .state = (uint32_t)b,
					       .start_ns = c, .end_ns = d, .last_seq = e };
			r = p->ops.sinker.write_run(st, &run);
		} else if (sscanf(line, "cgroup %" SCNu64, &a) == 1) {
			drive_cgroup = a;
			r = 0;
		} else if (sscanf(line, "name cgroup %" SCNu64 " %n", &a, &at) == 1 && at > 0 &&
			   line[at]) {
			struct tca_name nm = { .kind = TCA_NAME_CGROUP, .id = a,
					       .time_ns = drive_now_ns(), .run_id = o.run_id,
					       .text = line + at };
			r = p->write_names ? p->write_names(st, &o, &nm, 1) : -ENOSYS;
		} else {
			fprintf(stderr, "sinkdrive: cannot parse: %s\n", line);
			return 2;
		}
		printf("%s: %d\n", line, r);
		fflush(stdout);
		failed |= r < 0;
	}
	return failed;
}

int main(int argc, char **argv)
{
	struct tca_host host = {
		.abi_major = TCA_ABI_MAJOR, .abi_minor = TCA_ABI_MINOR, .struct_size = sizeof(host),
		.log = drive_log, .retry_reason = drive_retry,
		.hostname = "drive-host", .boot_id = "00000000-0000-0000-0000-000000000000",
		.run_id = 1,
	};
	const struct tca_plugin *p;
	void *dl, *st = NULL, *cfg;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: sinkdrive PLUGIN.so [KEY=VALUE...] <commands\n");
		return 2;
	}
	dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	p = dl ? dlsym(dl, TCA_PLUGIN_SYMBOL) : NULL;
	if (!p || p->abi_major != TCA_ABI_MAJOR || p->kind != TCA_KIND_SINKER ||
	    !p->ops.sinker.write_gaps || !p->ops.sinker.write_run) {
		fprintf(stderr, "sinkdrive: %s is not a sinker of ABI %d with gap and run records%s%s\n",
			argv[1], TCA_ABI_MAJOR, dl ? "" : ": ", dl ? "" : dlerror());
		return 2;
	}
	cfg = calloc(1, p->config_size);
	if (!cfg || drive_config(p, cfg, argc - 2, argv + 2) < 0)
		return 2;
	r = p->open(&host, cfg, &st);
	if (r < 0) {
		fprintf(stderr, "sinkdrive: open: %s\n", strerror(-r));
		free(cfg);
		dlclose(dl);
		return 1;
	}
	r = drive(p, st);
	p->close(st);
	free(cfg);
	/* Not unloaded: the process ends here anyway, and LeakSanitizer (GCC
	 * 12) crashes at exit reading this thread's thread-local storage of
	 * a library unloaded after this thread used it ("Tracer caught
	 * signal 11", a DTLS range at 0xb7), as libpq's can be. */
	return r;
}
