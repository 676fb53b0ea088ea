/* SPDX-License-Identifier: MIT */
/*
 * The nats sinker: its options, its descriptor, and its life: open
 * (connect, find or create the stream), write (events, gap, run and
 * name records as JetStream messages, deduplicated by Nats-Msg-Id; "retry
 * later" while no server or no ack answers), close.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nats-sink.h"

/* How long the close waits for libnats's own threads to end. */
#define NATS_CLOSE_WAIT_MS 2000

static int nats_check(const struct tca_host *host, const struct nats_config *c)
{
	if (nats_subject_prefix_check(c->subject) < 0) {
		tca_log(host, TCA_LOG_ERR, 0, "subject=%s is not a subject prefix: use tokens of "
			"letters, digits, '-' and '_' joined by dots, with no wildcards", c->subject);
		return -EINVAL;
	}
	if (!c->stream || !*c->stream || strpbrk(c->stream, ". *>\t/\\")) {
		tca_log(host, TCA_LOG_ERR, 0, "stream=%s is not a stream name: use letters, digits, "
			"'-' and '_'", c->stream ? c->stream : "");
		return -EINVAL;
	}
	if (strcmp(c->retention, "limits") && strcmp(c->retention, "interest") &&
	    strcmp(c->retention, "workqueue")) {
		tca_log(host, TCA_LOG_ERR, 0, "retention=%s is not known: use limits, interest or "
			"workqueue", c->retention);
		return -EINVAL;
	}
	if (!c->ack_timeout_ms || !c->connect_timeout_ms) {
		tca_log(host, TCA_LOG_ERR, 0, "ack_timeout and connect_timeout must be above zero: "
			"they bound how long a silent cluster can hold up shutdown");
		return -EINVAL;
	}
	return 0;
}

static const char *nats_connect_hint(int err)
{
	switch (-err) {
	case EACCES:
		return "check user and password, token or creds against the server's authorization";
	case EPROTO:
		return "check the TLS settings: tls_ca, tls_cert, tls_key and the server's tls block";
	default:
		return "is nats-server running there? check servers=";
	}
}

static void nats_close(void *state)
{
	struct nats_sink *ns = state;
	const struct tca_host *host = ns->host;
	bool opened = ns->opts != NULL; /* libnats was started (it starts with the options) */
	natsStatus s;

	nats_conn_close(ns);
	nats_acks_free(&ns->acks);
	free(ns->where);
	free(ns);
	/* The library's threads must be gone before the processor unloads
	 * the plugin, and libnats with it; closing what never started would
	 * start it. */
	if (!opened)
		return;
	s = nats_CloseAndWait(NATS_CLOSE_WAIT_MS);
	if (s != NATS_OK)
		tca_log(host, TCA_LOG_WARNING, 0, "the NATS client library did not stop within %d ms "
			"(%s); its threads may outlive the plugin", NATS_CLOSE_WAIT_MS,
			natsStatus_GetText(s));
}

static int nats_open(const struct tca_host *host, const void *config, void **state)
{
	const struct nats_config *c = config;
	struct nats_sink *ns;
	char err[256];
	int r;

	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->host = host;
	ns->cfg = c;
	r = nats_check(host, c);
	if (r == 0)
		r = nats_acks_init(&ns->acks);
	if (r == 0)
		r = nats_conn_options(ns);
	if (r < 0)
		goto fail;
	r = nats_conn_open(ns, err, sizeof(err));
	if (r < 0) {
		if (r == -ETIMEDOUT || r == -EAGAIN)
			r = -ECONNREFUSED;
		tca_log(host, TCA_LOG_ERR, 0, "cannot connect to %s: %s (%s)", ns->where, err,
			nats_connect_hint(r));
		/* Certificates refused either way are credentials refused (77),
		 * not a server that may come back (75). */
		if (r == -EPROTO)
			r = -EACCES;
		goto fail;
	}
	r = nats_stream_ensure(ns);
	if (r < 0)
		goto fail;
	tca_log(host, TCA_LOG_INFO, 0, "publishing to stream %s, subjects %s.%s.*, on %s", c->stream,
		c->subject, "<host>", ns->where);
	*state = ns;
	return 0;
fail:
	nats_close(ns);
	return r;
}

static int nats_write(void *state, const struct tca_batch *b)
{
	return nats_publish_events(state, b);
}

/* Gap and run records are few: each is one publish that waits for its
 * ack, all of a call or none (the ids make a repeat harmless). */
static int nats_write_gaps(void *state, const struct tca_origin *origin, const struct tca_gap *g,
			   size_t n)
{
	struct nats_sink *ns = state;
	char id[NATS_MSGID_MAX];

	nats_subjects_for(ns, origin->host);
	for (size_t i = 0; i < n; i++) {
		ssize_t len = wire_encode_gap(ns->buf, sizeof(ns->buf), origin, &g[i]);
		int r;

		if (len < 0) {
			tca_log(ns->host, TCA_LOG_ERR, 0, "a gap record of host %s cannot be encoded",
				origin->host);
			return -EIO;
		}
		nats_msgid_gap(id, sizeof(id), origin, &g[i]);
		r = nats_publish_one(ns, ns->subj_gaps, id, ns->buf, (size_t)len);
		if (r < 0)
			return r;
	}
	return 0;
}

static int nats_write_run(void *state, const struct tca_run *run)
{
	struct nats_sink *ns = state;
	char id[NATS_MSGID_MAX];
	ssize_t len = wire_encode_run(ns->buf, sizeof(ns->buf), run);

	if (len < 0) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "the run record of host %s cannot be encoded",
			run->origin.host ? run->origin.host : "");
		return -EIO;
	}
	nats_subjects_for(ns, run->origin.host);
	nats_msgid_run(id, sizeof(id), run);
	return nats_publish_one(ns, ns->subj_runs, id, ns->buf, (size_t)len);
}

/* SIGHUP: credential and certificate rotation (tcp-audit-nats(7), SIGNALS). */
static int nats_reopen(void *state)
{
	return nats_conn_reload(state);
}

/* Names are rarer still (one per new cgroup): published as gaps are. */
static int nats_write_names(void *state, const struct tca_origin *origin,
			    const struct tca_name *name, size_t n)
{
	struct nats_sink *ns = state;
	char id[NATS_MSGID_MAX];

	nats_subjects_for(ns, origin->host);
	for (size_t i = 0; i < n; i++) {
		ssize_t len = wire_encode_name(ns->buf, sizeof(ns->buf), origin, &name[i]);
		int r;

		if (len < 0) {
			tca_log(ns->host, TCA_LOG_ERR, 0, "a name record (kind %" PRIu32 ", id %" PRIu64
				") of host %s cannot be encoded", name[i].kind, name[i].id,
				origin->host);
			return -EIO;
		}
		nats_msgid_name(id, sizeof(id), origin, &name[i]);
		r = nats_publish_one(ns, ns->subj_names, id, ns->buf, (size_t)len);
		if (r < 0)
			return r;
	}
	return 0;
}

static void nats_limits(void *state, struct tca_sink_limits *limits)
{
	const struct nats_sink *ns = state;

	limits->batch_max = (size_t)ns->cfg->batch_size;
	limits->max_delay_ms = ns->cfg->max_delay_ms;
}

#define OPT(n, t, d, h, f) \
	{ .name = n, .type = t, .def = d, .help = h, .offset = offsetof(struct nats_config, f) }

static const struct tca_option nats_options[] = {
	OPT("servers", TCA_OPT_STRING, "nats://127.0.0.1:4222",
	    "comma-separated nats:// or tls:// URLs; the client fails over between them", servers),
	OPT("stream", TCA_OPT_STRING, "TCP_AUDIT", "the JetStream stream", stream),
	OPT("subject", TCA_OPT_STRING, "tcp-audit",
	    "subject prefix: records go to PREFIX.HOST.events, .gaps, .runs and .names", subject),
	OPT("creds", TCA_OPT_STRING, NULL, "a credentials file (JWT and NKey seed)", creds),
	{ .name = "token", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET,
	  .help = "an authentication token", .offset = offsetof(struct nats_config, token) },
	OPT("user", TCA_OPT_STRING, NULL, "user name, with password", user),
	{ .name = "password", .type = TCA_OPT_STRING, .flags = TCA_OPTF_SECRET,
	  .help = "the user's password", .offset = offsetof(struct nats_config, password) },
	OPT("tls_ca", TCA_OPT_STRING, NULL, "CA certificates (PEM) to verify the servers; turns TLS on",
	    tls_ca),
	OPT("tls_cert", TCA_OPT_STRING, NULL, "client certificate (PEM), with tls_key", tls_cert),
	OPT("tls_key", TCA_OPT_STRING, NULL, "client private key (PEM)", tls_key),
	OPT("create_stream", TCA_OPT_BOOL, "yes",
	    "create the stream if it is missing; no: it must exist", create_stream),
	{ .name = "replicas", .type = TCA_OPT_INT, .def = "1", .min = 1, .max = 5,
	  .help = "replicas of a created stream (3 or 5 in a cluster)",
	  .offset = offsetof(struct nats_config, replicas) },
	OPT("retention", TCA_OPT_STRING, "limits",
	    "retention of a created stream: limits, interest or workqueue", retention),
	OPT("max_age", TCA_OPT_DURATION, "0", "how long a created stream keeps messages; 0: no limit",
	    max_age_ms),
	OPT("duplicate_window", TCA_OPT_DURATION, "2m",
	    "how long a created stream remembers message ids to drop repeats", duplicate_window_ms),
	OPT("ack_timeout", TCA_OPT_DURATION, "5s",
	    "longest wait for the acks of a batch before it is retried", ack_timeout_ms),
	OPT("connect_timeout", TCA_OPT_DURATION, "2s", "longest wait for one server to answer",
	    connect_timeout_ms),
	{ .name = "batch_size", .type = TCA_OPT_INT, .def = "10000", .min = 1, .max = 1000000,
	  .help = "most events published before waiting for their acks",
	  .offset = offsetof(struct nats_config, batch_size) },
	OPT("max_delay", TCA_OPT_DURATION, "200ms", "longest an event waits for its batch to fill",
	    max_delay_ms),
	{ .name = NULL },
};

TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "nats",
	.version = PACKAGE_VERSION,
	.description = "Events, gap, run and name records into a NATS JetStream stream, deduplicated",
	.options = nats_options,
	.config_size = sizeof(struct nats_config),
	.open = nats_open,
	.close = nats_close,
	.ops.sinker = {
		.write = nats_write,
		.write_gaps = nats_write_gaps,
		.write_run = nats_write_run,
		.reopen = nats_reopen,
		.limits = nats_limits,
	},
	.write_names = nats_write_names,
};
