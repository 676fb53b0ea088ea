/* SPDX-License-Identifier: MIT */
/*
 * The filter options, compiled into the expression the kernel applies in
 * the event's filter file (protocol, ports, states, IPv6 family and the raw
 * expression) plus the few checks the kernel cannot make (IPv4 family and
 * addresses, because of dual-stack sockets whose IPv4 addresses sit in an
 * IPv6 socket; see the man page).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "tracefs.h"

#define FILTER_MAX 4096

struct fbuf {
	char s[FILTER_MAX];
	size_t len;
	bool overflow;
};

static void fbuf_add(struct fbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fbuf_add(struct fbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b->s) - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

/* " && " between the parts of the expression. */
static void fbuf_and(struct fbuf *b)
{
	if (b->len)
		fbuf_add(b, " && ");
}

/* Call fn for each comma-separated item of list; stops at the first error. */
static int filter_each(const char *list, int (*fn)(const char *item, void *ctx), void *ctx)
{
	char item[64];

	while (list && *list) {
		size_t n = strcspn(list, ",");
		if (n == 0 || n >= sizeof(item))
			return -EINVAL;
		memcpy(item, list, n);
		item[n] = '\0';
		if (fn(item, ctx) < 0)
			return -EINVAL;
		list += n + (list[n] == ',');
	}
	return 0;
}

struct list_ctx {
	struct fbuf *b;
	int n;
	const char *field; /* compared with each value, joined with ||; NULL: both ports */
};

static void list_emit(struct list_ctx *c, long v)
{
	c->n++;
	fbuf_add(c->b, c->n == 1 ? "(" : " || ");
	if (c->field)
		fbuf_add(c->b, "%s == %ld", c->field, v);
	else
		fbuf_add(c->b, "sport == %ld || dport == %ld", v, v);
}

static int filter_proto_cb(const char *item, void *ctx)
{
	int p = names_protocol_parse(item);

	if (p < 0)
		return -EINVAL;
	list_emit(ctx, p);
	return 0;
}

static int filter_port_cb(const char *item, void *ctx)
{
	char *end;
	long v = strtol(item, &end, 10);

	if (*end || v < 1 || v > 65535)
		return -EINVAL;
	list_emit(ctx, v);
	return 0;
}

struct state_ctx {
	struct list_ctx l;
	uint32_t *mask;
};

static int filter_state_cb(const char *item, void *ctx)
{
	struct state_ctx *c = ctx;
	int s = names_state_parse(item);

	if (s < 0)
		return -EINVAL;
	*c->mask |= 1u << s;
	list_emit(&c->l, s);
	return 0;
}

static int filter_addr_cb(const char *item, void *ctx)
{
	struct tfilter *f = ctx;
	uint8_t a[16] = { 0 };
	int fam = strchr(item, ':') ? AF_INET6 : AF_INET;

	if (f->naddrs >= FILTER_MAX_ADDRS || inet_pton(fam, item, a) != 1)
		return -EINVAL;
	f->addrs[f->naddrs].family = fam == AF_INET6 ? TCA_FAMILY_IPV6 : TCA_FAMILY_IPV4;
	memcpy(f->addrs[f->naddrs++].addr, a, 16);
	return 0;
}

static int filter_bad(const struct tca_host *host, const char *opt, const char *val, const char *want)
{
	tca_log(host, TCA_LOG_ERR, 0, "bad %s '%s': give %s", opt, val, want);
	return -EINVAL;
}

int tfilter_build(const struct tca_host *host, const struct tracefs_config *c, struct tfilter *f)
{
	struct fbuf *b = calloc(1, sizeof(*b));
	struct list_ctx l = { .b = b };
	struct state_ctx sc = { .mask = &f->states };
	int ret = -EINVAL;

	if (!b)
		return -ENOMEM;
	if (c->protocol && strcmp(c->protocol, "any") != 0) {
		l.field = "protocol";
		if (filter_each(c->protocol, filter_proto_cb, &l) < 0 || !l.n) {
			filter_bad(host, "protocol", c->protocol, "tcp, mptcp, sctp, a list of them, or any");
			goto out;
		}
		fbuf_add(b, ")");
	}
	if (c->family && strcmp(c->family, "any") != 0) {
		int fam = names_family_parse(c->family);
		if (fam < 0) {
			filter_bad(host, "family", c->family, "ipv4, ipv6 or any");
			goto out;
		}
		f->family = (unsigned)fam;
		/* Only IPv6 sockets can carry IPv6; IPv4 can be in either. */
		if (fam == TCA_FAMILY_IPV6) {
			fbuf_and(b);
			fbuf_add(b, "family == 10");
		}
	}
	if (c->ports && *c->ports) {
		fbuf_and(b);
		l = (struct list_ctx){ .b = b, .field = NULL };
		if (filter_each(c->ports, filter_port_cb, &l) < 0) {
			filter_bad(host, "ports", c->ports, "a comma-separated list of ports 1-65535");
			goto out;
		}
		fbuf_add(b, ")");
	}
	if (c->states && *c->states) {
		fbuf_and(b);
		sc.l = (struct list_ctx){ .b = b, .field = "newstate" };
		if (filter_each(c->states, filter_state_cb, &sc) < 0) {
			filter_bad(host, "states", c->states, "a comma-separated list of state names "
				   "such as ESTABLISHED,CLOSE");
			goto out;
		}
		/* Births and deaths always pass, so that socket ids and the
		 * table stay right; the user-space check hides them. */
		fbuf_add(b, " || oldstate == 7 || newstate == 7 || newstate == 10)");
	}
	if (c->addresses && *c->addresses && filter_each(c->addresses, filter_addr_cb, f) < 0) {
		filter_bad(host, "addresses", c->addresses, "a comma-separated list of at most 16 "
			   "IPv4 or IPv6 addresses");
		goto out;
	}
	if (c->filter && *c->filter) {
		fbuf_and(b);
		fbuf_add(b, "(%s)", c->filter);
	}
	if (b->overflow) {
		tca_log(host, TCA_LOG_ERR, 0, "the event filter is longer than %d bytes; use fewer "
			"ports or states, or a shorter filter", FILTER_MAX);
		goto out;
	}
	ret = 0;
	if (b->len && !(f->kernel = strdup(b->s)))
		ret = -ENOMEM;
out:
	free(b);
	return ret;
}

bool tfilter_match(const struct tfilter *f, const struct tca_event *ev)
{
	if (f->family && ev->family != f->family)
		return false;
	if (f->states && !(f->states & (1u << (ev->newstate & 31))))
		return false;
	if (!f->naddrs)
		return true;
	for (size_t i = 0; i < f->naddrs; i++) {
		size_t len = f->addrs[i].family == TCA_FAMILY_IPV4 ? 4 : 16;
		if (f->addrs[i].family == ev->family && (memcmp(f->addrs[i].addr, ev->saddr, len) == 0 ||
							 memcmp(f->addrs[i].addr, ev->daddr, len) == 0))
			return true;
	}
	return false;
}

void tfilter_free(struct tfilter *f)
{
	free(f->kernel);
	f->kernel = NULL;
}
