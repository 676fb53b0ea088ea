/* SPDX-License-Identifier: MIT */
/*
 * An eventer for tests of name records (ABI 2.2): `events` synthetic
 * events, where event i (from 0) has sock i + 1, time_ns
 * NAMESEV_EPOCH + i * 1000 and cgroup id 1000 + i / every, and the name
 * of each cgroup id is handed in the call of the first event that carries
 * it. The text of id 1000 + k is, by k % 4:
 *   0  /test.slice/c<k>.scope
 *   1  /test.slice/q"uote\back<k>
 *   2  /test.slice/tab<TAB>nl<LF><k>
 *   3  /test.slice/bytes<0x01><0xff><0xc3 0xa9><k>   (a control byte, a
 *      byte that is no UTF-8, and a UTF-8 e-acute)
 * so that a store's escaping can be checked. bad= hands a broken name
 * with the first one: kind (kind 99), null (no text), long (5000 bytes),
 * overflow (more names than name_cap). hold=yes: at the end, wait for
 * the signal instead of saying -ENODATA.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <tcp-audit/plugin.h>

#define NAMESEV_EPOCH 1767225600000000000ull

struct namesev_config {
	int64_t events;
	int64_t every;
	const char *bad;
	bool hold;
};

struct namesev {
	struct namesev_config c;
	int fd;
	uint64_t next;        /* the next event */
	uint64_t named;       /* the newest id whose name was handed; 0: none */
	bool bad_done;
	char text[64][64];    /* the texts of one call */
	char *long_text;
};

static int namesev_open(const struct tca_host *host, const void *config, void **state)
{
	struct namesev *e;

	if (host->abi_minor < 2) {
		tca_log(host, TCA_LOG_ERR, 0, "needs a processor of plugin ABI 2.2 or later");
		return -ENOTSUP;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->c = *(const struct namesev_config *)config;
	if (e->c.bad && strcmp(e->c.bad, "kind") && strcmp(e->c.bad, "null") &&
	    strcmp(e->c.bad, "long") && strcmp(e->c.bad, "overflow")) {
		tca_log(host, TCA_LOG_ERR, 0, "bad= is kind, null, long or overflow");
		free(e);
		return -EINVAL;
	}
	e->fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK); /* always readable */
	e->long_text = malloc(5001);
	if (e->fd < 0 || !e->long_text) {
		if (e->fd >= 0)
			close(e->fd);
		free(e->long_text);
		free(e);
		return -ENOMEM;
	}
	memset(e->long_text, 'x', 5000);
	e->long_text[0] = '/';
	e->long_text[5000] = '\0';
	*state = e;
	return 0;
}

static void namesev_close(void *state)
{
	struct namesev *e = state;

	close(e->fd);
	free(e->long_text);
	free(e);
}

static int namesev_fd(void *state)
{
	return ((struct namesev *)state)->fd;
}

static void namesev_text(char *buf, size_t size, uint64_t k)
{
	switch (k % 4) {
	case 0:
		snprintf(buf, size, "/test.slice/c%" PRIu64 ".scope", k);
		break;
	case 1:
		snprintf(buf, size, "/test.slice/q\"uote\\back%" PRIu64, k);
		break;
	case 2:
		snprintf(buf, size, "/test.slice/tab\tnl\n%" PRIu64, k);
		break;
	default:
		snprintf(buf, size, "/test.slice/bytes\x01\xff\xc3\xa9%" PRIu64, k);
		break;
	}
}

/* The broken name bad= asks for, once, before the first good one. */
static void namesev_bad(struct namesev *e, struct tca_read *r, uint64_t id)
{
	struct tca_name *nm;

	if (!e->c.bad || e->bad_done || r->nname == r->name_cap)
		return;
	e->bad_done = true;
	if (strcmp(e->c.bad, "overflow") == 0) {
		r->nname = r->name_cap + 1;
		return;
	}
	nm = &r->name[r->nname++];
	*nm = (struct tca_name){ .kind = TCA_NAME_CGROUP, .id = id + 100000, .time_ns = 1,
				 .text = "/bad" };
	if (strcmp(e->c.bad, "kind") == 0)
		nm->kind = 99;
	else if (strcmp(e->c.bad, "null") == 0)
		nm->text = NULL;
	else
		nm->text = e->long_text;
}

static ssize_t namesev_read(void *state, struct tca_read *r)
{
	struct namesev *e = state;
	uint64_t every = e->c.every > 0 ? (uint64_t)e->c.every : 1;

	if (e->next >= (uint64_t)e->c.events)
		return e->c.hold ? 0 : -ENODATA;
	while (r->n < r->cap && e->next < (uint64_t)e->c.events && r->nname <= r->name_cap) {
		uint64_t id = 1000 + e->next / every;
		if (id != e->named) {
			/* Stop before the first event whose name has no room. */
			if (r->nname >= r->name_cap || r->nname >= 64)
				break;
			namesev_bad(e, r, id);
			if (r->nname >= r->name_cap)
				break;
			namesev_text(e->text[r->nname], sizeof(e->text[0]), id - 1000);
			r->name[r->nname] = (struct tca_name){ .kind = TCA_NAME_CGROUP, .id = id,
							       .time_ns = NAMESEV_EPOCH + e->next * 1000,
							       .text = e->text[r->nname] };
			r->nname++;
			e->named = id;
		}
		r->ev[r->n++] = (struct tca_event){
			.time_ns = NAMESEV_EPOCH + e->next * 1000,
			.sock = e->next + 1,
			.flags = TCA_EV_CGROUP,
			.family = TCA_FAMILY_IPV4,
			.oldstate = TCA_STATE_CLOSE,
			.newstate = TCA_STATE_SYN_SENT,
			.protocol = TCA_PROTO_TCP,
			.sport = 40000,
			.dport = 80,
			.saddr = { 127, 0, 0, 1 },
			.daddr = { 127, 0, 0, 2 },
			.cgroup = id,
		};
		e->next++;
	}
	return (ssize_t)r->n;
}

static const struct tca_option namesev_options[] = {
	{ .name = "events", .type = TCA_OPT_INT, .def = "100", .min = 1, .max = 100000000,
	  .offset = offsetof(struct namesev_config, events) },
	{ .name = "every", .type = TCA_OPT_INT, .def = "10", .min = 1, .max = 100000000,
	  .offset = offsetof(struct namesev_config, every) },
	{ .name = "bad", .type = TCA_OPT_STRING, .offset = offsetof(struct namesev_config, bad) },
	{ .name = "hold", .type = TCA_OPT_BOOL, .def = "no",
	  .offset = offsetof(struct namesev_config, hold) },
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "namesev",
	.version = "test",
	.description = "Synthetic events in cgroups, with their name records (tests only)",
	.options = namesev_options,
	.config_size = sizeof(struct namesev_config),
	.open = namesev_open,
	.close = namesev_close,
	.ops.eventer = {
		.fd = namesev_fd,
		.read = namesev_read,
	},
	/* Nothing is lost to a full queue: the tests count exact records. */
	.flags = TCA_EVF_BACKPRESSURE,
	.provides = TCA_EV_CGROUP,
};
