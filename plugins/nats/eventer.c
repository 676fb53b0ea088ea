/* SPDX-License-Identifier: MIT */
/*
 * The nats eventer, the collector of a fleet: it reads what the edges'
 * nats sinkers published with a durable pull consumer, hands each record
 * (event, gap, run or name) on with the origin it carries (a relay,
 * TCA_EVF_RELAY), and acknowledges
 * a message only once the processor says its item is settled: stored, or
 * recorded as a gap. A crash acknowledges nothing more, so JetStream
 * delivers the rest again and the store's keys drop the repeats.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "nats-eventer.h"

static void drain_fd(int fd)
{
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof(v));

	(void)r;
}

/* The index of rec's origin among this call's, adding it if new; -1
 * when the call has no room for another. */
static int origin_index(struct nats_relay *nr, struct tca_read *r, const struct wire_record *rec)
{
	for (size_t i = r->norigin; i-- > 0;)
		if (r->origin[i].run_id == rec->origin.run_id &&
		    strcmp(r->origin[i].host, rec->host) == 0 &&
		    strcmp(r->origin[i].boot_id, rec->boot_id) == 0)
			return (int)i;
	if (r->norigin == r->origin_cap || r->norigin == sizeof(nr->names) / sizeof(nr->names[0]))
		return -1;
	memcpy(nr->names[r->norigin].host, rec->host, sizeof(rec->host));
	memcpy(nr->names[r->norigin].boot_id, rec->boot_id, sizeof(rec->boot_id));
	r->origin[r->norigin] = (struct tca_origin){ .host = nr->names[r->norigin].host,
						     .boot_id = nr->names[r->norigin].boot_id,
						     .run_id = rec->origin.run_id };
	return (int)r->norigin++;
}

/* A copy of a name's text that stays valid until read() returns (the
 * record's own is overwritten by the next message); NULL when the call's
 * room for texts is used up. */
static const char *keep_text(struct nats_relay *nr, const char *text)
{
	size_t len = strlen(text) + 1;
	char *at;

	if (sizeof(nr->name_text) - nr->name_text_used < len)
		return NULL;
	at = nr->name_text + nr->name_text_used;
	memcpy(at, text, len);
	nr->name_text_used += len;
	return at;
}

/* Hand over one decoded record. Returns false when the call is full. */
static bool hand_record(struct nats_relay *nr, struct tca_read *r, const struct wire_record *rec)
{
	const char *text = NULL;
	int o;

	if (rec->type == WIRE_EVENT ? r->n == r->cap : r->nrec == r->rec_cap)
		return false;
	if (rec->type == WIRE_NAME && !(text = keep_text(nr, rec->text)))
		return false;
	o = origin_index(nr, r, rec);
	if (o < 0)
		return false;
	if (rec->type == WIRE_EVENT) {
		r->ev[r->n] = rec->u.ev;
		r->ev_origin[r->n++] = (uint32_t)o;
		return true;
	}
	struct tca_relay_rec *out = &r->rec[r->nrec++];
	*out = (struct tca_relay_rec){ .at = (uint32_t)r->n, .origin = (uint32_t)o };
	if (rec->type == WIRE_GAP) {
		out->type = TCA_RELAY_GAP;
		out->u.gap = rec->u.gap;
	} else if (rec->type == WIRE_NAME) {
		out->type = TCA_RELAY_NAME;
		out->u.name = rec->u.name;
		out->u.name.origin = 0;
		out->u.name.text = text;
	} else {
		out->type = TCA_RELAY_RUN;
		out->u.run = rec->u.run;
	}
	return true;
}

/* A processor of ABI 2.1 knows no name records and has no sink that
 * stores them: the message is acknowledged with the items before it, as
 * the name of a store that keeps ids only. */
static void drop_name(struct nats_relay *nr)
{
	if (nr->names_dropped)
		return;
	nr->names_dropped = true;
	tca_log(nr->host, TCA_LOG_NOTICE, 0, "stream %s holds name records (cgroup paths), which "
		"this tcp-audit (plugin ABI 2.%u) cannot store: they are acknowledged and left out; "
		"upgrade tcp-audit to keep them", nr->cfg->conn.stream, nr->host->abi_minor);
}

/* A message that does not decode is no record of anyone's: a loss of
 * the collector's own, terminated once the items before it settle. */
static bool hand_bad(struct nats_relay *nr, struct tca_read *r)
{
	if (r->nloss == r->loss_cap)
		return false;
	if (nr->undecodable++ == 0)
		tca_log(nr->host, TCA_LOG_WARNING, 0, "a message in stream %s is not a tcp-audit record "
			"(another publisher on its subjects?); it is recorded as a gap of this run and "
			"terminated", nr->cfg->conn.stream);
	r->loss[r->nloss++] = (struct tca_loss){ .at = (uint32_t)r->n, .cpu = -1,
						 .reason = TCA_GAP_SOURCE, .count = 1 };
	return true;
}

static ssize_t nats_relay_read(void *state, struct tca_read *r)
{
	struct nats_relay *nr = state;
	struct nats_ring *q = &nr->ring;
	struct wire_record rec;
	size_t start, todo, i;

	drain_fd(nr->efd);
	nr->name_text_used = 0; /* the texts of the last call were read */
	nats_consumer_settled(nr, r->settled);
	/* The slots past the handed ones are the reader's: the fetch thread
	 * appends after them and takes only handed ones, which moves head
	 * and handed together, so head + handed stays where it is. */
	pthread_mutex_lock(&q->lock);
	start = q->head + q->handed;
	todo = q->count - q->handed;
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < todo; i++) {
		struct nats_pending *p = &q->slot[(start + i) % q->cap];
		const void *data = natsMsg_GetData(p->msg);
		int len = natsMsg_GetDataLength(p->msg);
		bool ok = len > 0 && wire_decode(data, (size_t)len, &rec) == 0;

		if (ok && rec.type == WIRE_NAME && nr->host->abi_minor < 2) {
			drop_name(nr);
			p->bad = false;
			p->item = nr->items; /* no item: settled with those before it */
			continue;
		}
		if (ok ? !hand_record(nr, r, &rec) : !hand_bad(nr, r))
			break;
		p->bad = !ok;
		p->item = ok ? ++nr->items : nr->items;
	}
	pthread_mutex_lock(&q->lock);
	q->handed += i;
	pthread_mutex_unlock(&q->lock);
	/* The call filled up: come back for the rest without a new fetch. */
	if (i < todo)
		eventfd_write(nr->efd, 1);
	return (ssize_t)(r->n + r->nrec);
}

static int nats_relay_fd(void *state)
{
	return ((struct nats_relay *)state)->efd;
}

static int nats_relay_stop(void *state)
{
	nats_consumer_stop(state);
	return 0;
}

static void nats_relay_settle(void *state, uint64_t settled)
{
	struct nats_relay *nr = state;

	/* Stopped already at the final drain, unless reading failed. */
	nats_consumer_stop(nr);
	nats_consumer_ack(nr, settled);
	tca_log(nr->host, TCA_LOG_INFO, 0, "%" PRIu64 " messages acknowledged, %" PRIu64
		" terminated (not tcp-audit records), %zu left for redelivery", nr->acked,
		nr->terminated, nr->ring.count);
}

static void nats_relay_close(void *state)
{
	struct nats_relay *nr = state;

	nats_consumer_close(nr);
	if (nr->efd >= 0)
		close(nr->efd);
	free(nr);
	/* The library's threads must be gone before libnats is unloaded. */
	nats_CloseAndWait(2000);
}

static int nats_relay_check(const struct tca_host *host, const struct nats_eventer_config *c)
{
	if (host->abi_minor < 1) {
		tca_log(host, TCA_LOG_ERR, 0, "this tcp-audit is too old for the nats eventer (plugin "
			"ABI 2.%u; a relay needs 2.1): upgrade tcp-audit", host->abi_minor);
		return -ENOTSUP;
	}
	if (nats_subject_prefix_check(c->conn.subject) < 0) {
		tca_log(host, TCA_LOG_ERR, 0, "subject=%s is not a subject prefix: use tokens of "
			"letters, digits, '-' and '_' joined by dots, with no wildcards", c->conn.subject);
		return -EINVAL;
	}
	if (!c->conn.stream || !*c->conn.stream || strpbrk(c->conn.stream, ". *>\t/\\") ||
	    !c->durable || !*c->durable || strpbrk(c->durable, ". *>\t/\\")) {
		tca_log(host, TCA_LOG_ERR, 0, "stream= and durable= are names: use letters, digits, "
			"'-' and '_'");
		return -EINVAL;
	}
	if (c->ack_wait_ms < 1000 || !c->fetch_wait_ms || !c->conn.connect_timeout_ms) {
		tca_log(host, TCA_LOG_ERR, 0, "ack_wait must be at least 1s, fetch_wait and "
			"connect_timeout above zero");
		return -EINVAL;
	}
	return 0;
}

static int nats_relay_open(const struct tca_host *host, const void *config, void **state)
{
	const struct nats_eventer_config *c = config;
	struct nats_relay *nr;
	int r = nats_relay_check(host, c);

	if (r < 0)
		return r;
	nr = calloc(1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	nr->host = host;
	nr->cfg = c;
	nr->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r = nr->efd < 0 ? -errno : nats_consumer_open(nr);
	if (r == 0)
		r = nats_consumer_start(nr);
	if (r < 0) {
		nats_relay_close(nr);
		return r;
	}
	tca_log(host, TCA_LOG_INFO, 0, "consuming stream %s (subjects %s.>) as durable %s on %s",
		c->conn.stream, c->conn.subject, c->durable, nr->conn.where);
	*state = nr;
	return 0;
}

#define OPT(n, t, d, h, f) \
	{ .name = n, .type = t, .def = d, .help = h, .offset = offsetof(struct nats_eventer_config, f) }

/* The connection options are the sinker's, with the same defaults. */
static const struct tca_option nats_relay_options[] = {
	OPT("servers", TCA_OPT_STRING, "nats://127.0.0.1:4222",
	    "comma-separated nats:// or tls:// URLs; the client fails over between them", conn.servers),
	OPT("stream", TCA_OPT_STRING, "TCP_AUDIT", "the JetStream stream the edges publish to",
	    conn.stream),
	OPT("subject", TCA_OPT_STRING, "tcp-audit",
	    "the edges' subject prefix: PREFIX.> is consumed", conn.subject),
	OPT("durable", TCA_OPT_STRING, "tcp-audit-collector",
	    "the durable consumer; collectors that share it share the work", durable),
	OPT("creds", TCA_OPT_STRING, NULL, "a credentials file (JWT and NKey seed)", conn.creds),
	{ .name = "token", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET,
	  .help = "an authentication token", .offset = offsetof(struct nats_eventer_config, conn.token) },
	OPT("user", TCA_OPT_STRING, NULL, "user name, with password", conn.user),
	{ .name = "password", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET,
	  .help = "the user's password", .offset = offsetof(struct nats_eventer_config, conn.password) },
	OPT("tls_ca", TCA_OPT_STRING, NULL, "CA certificates (PEM) to verify the servers; turns TLS on",
	    conn.tls_ca),
	OPT("tls_cert", TCA_OPT_STRING, NULL, "client certificate (PEM), with tls_key", conn.tls_cert),
	OPT("tls_key", TCA_OPT_STRING, NULL, "client private key (PEM)", conn.tls_key),
	OPT("connect_timeout", TCA_OPT_DURATION, "2s", "longest wait for one server to answer",
	    conn.connect_timeout_ms),
	OPT("api_timeout", TCA_OPT_DURATION, "5s", "longest wait for a JetStream API answer",
	    conn.ack_timeout_ms),
	OPT("ack_wait", TCA_OPT_DURATION, "60s",
	    "how long JetStream waits for an ack before it delivers a message again", ack_wait_ms),
	{ .name = "max_ack_pending", .type = TCA_OPT_INT, .def = "65536", .min = 1, .max = 10000000,
	  .help = "the consumer's limit of unacknowledged messages (all collectors together)",
	  .offset = offsetof(struct nats_eventer_config, max_ack_pending) },
	{ .name = "pending", .type = TCA_OPT_INT, .def = "16384", .min = 16, .max = 1000000,
	  .help = "most messages this collector holds before they are stored",
	  .offset = offsetof(struct nats_eventer_config, pending) },
	{ .name = "fetch_batch", .type = TCA_OPT_INT, .def = "1024", .min = 1, .max = 100000,
	  .help = "most messages one fetch asks for",
	  .offset = offsetof(struct nats_eventer_config, fetch_batch) },
	OPT("fetch_wait", TCA_OPT_DURATION, "1s", "how long one fetch waits for messages",
	    fetch_wait_ms),
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_EVENTER,
	.name = "nats",
	.version = PACKAGE_VERSION,
	.description = "Records of other hosts from a NATS JetStream stream, acked once stored",
	.options = nats_relay_options,
	.config_size = sizeof(struct nats_eventer_config),
	.open = nats_relay_open,
	.close = nats_relay_close,
	.ops.eventer = {
		.fd = nats_relay_fd,
		.read = nats_relay_read,
		.stop = nats_relay_stop,
	},
	.flags = TCA_EVF_RELAY | TCA_EVF_BACKPRESSURE,
	/* Whatever the edges' eventers filled travels with each event. */
	.provides = WIRE_EV_KNOWN,
	.settle = nats_relay_settle,
};
