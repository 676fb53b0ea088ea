/* SPDX-License-Identifier: MIT */
/* The nats sinker's connection: libnats options from ours (servers,
 * credentials, TLS), the first connect, the last close, and what a
 * libnats status means as an errno (and so as an exit status at open: a
 * TLS failure is -EPROTO here, told apart in the error's hint, and 77 at
 * exit). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nats-sink.h"

#define NATS_SERVERS_MAX 32
/* The longest the close waits for the server to see the last publishes
 * and for the acks already sent to be handled. */
#define NATS_DRAIN_MS 1000

int nats_status_errno(natsStatus s)
{
	switch (s) {
	case NATS_OK:
		return 0;
	case NATS_NO_MEMORY:
		return -ENOMEM;
	case NATS_CONNECTION_AUTH_FAILED:
	case NATS_NOT_PERMITTED:
		return -EACCES;
	case NATS_TIMEOUT:
		return -ETIMEDOUT;
	case NATS_INVALID_ARG:
	case NATS_ADDRESS_MISSING:
		return -EINVAL;
	case NATS_SSL_ERROR:
		return -EPROTO;
	case NATS_NOT_FOUND:
		return -ENOENT;
	default:
		return -ECONNREFUSED;
	}
}

/* The thread's last error, without the "(file.c:123): " libnats puts
 * in front: the user has no use for where in libnats it was. */
const char *nats_last_error(natsStatus s)
{
	const char *text = nats_GetLastError(NULL);
	const char *end;

	if (!text || !*text)
		return natsStatus_GetText(s);
	if (text[0] == '(' && (end = strstr(text, "): ")) != NULL)
		text = end + 3;
	return text;
}

static void trim(char **start, char **end)
{
	while (*start < *end && (**start == ' ' || **start == '\t'))
		(*start)++;
	while (*end > *start && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
}

/* A server URL must say where, and only where: credentials in it would
 * show in ps(1) and in every log line that names the server. */
static int server_check(const struct tca_host *host, const char *url)
{
	const char *rest = strstr(url, "://");

	if (!rest || (strncmp(url, "nats://", 7) && strncmp(url, "tls://", 6))) {
		tca_log(host, TCA_LOG_ERR, 0, "servers: \"%s\" is not a nats:// or tls:// URL "
			"(e.g. nats://nats1.example:4222)", url);
		return -EINVAL;
	}
	if (strchr(rest + 3, '@')) {
		tca_log(host, TCA_LOG_ERR, 0, "servers: a URL holds credentials; give them with "
			"user= and password=, token= or creds= instead");
		return -EINVAL;
	}
	if (!rest[3]) {
		tca_log(host, TCA_LOG_ERR, 0, "servers: \"%s\" names no host", url);
		return -EINVAL;
	}
	return 0;
}

/* Split the comma-separated list into the options, and keep it for logs. */
static int conn_servers(struct nats_sink *ns)
{
	const char *urls[NATS_SERVERS_MAX];
	char *copy = strdup(ns->cfg->servers ? ns->cfg->servers : "");
	char *p = copy, *next;
	int n = 0, r = 0;

	if (!copy)
		return -ENOMEM;
	for (; p; p = next) {
		char *end;

		next = strchr(p, ',');
		end = next ? next : p + strlen(p);
		if (next)
			*next++ = '\0';
		trim(&p, &end);
		*end = '\0';
		if (!*p)
			continue;
		if (n == NATS_SERVERS_MAX) {
			tca_log(ns->host, TCA_LOG_ERR, 0, "servers: more than %d URLs", NATS_SERVERS_MAX);
			r = -EINVAL;
			goto out;
		}
		r = server_check(ns->host, p);
		if (r < 0)
			goto out;
		urls[n++] = p;
	}
	if (!n) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "servers is empty: give one or more nats:// URLs, "
			"separated by commas");
		r = -EINVAL;
		goto out;
	}
	r = nats_status_errno(natsOptions_SetServers(ns->opts, urls, n));
	if (r == 0) {
		/* The list as the user gave it, minus blanks: nothing secret in it. */
		ns->where = strdup(ns->cfg->servers);
		if (!ns->where)
			r = -ENOMEM;
	}
out:
	free(copy);
	return r;
}

static int readable(const struct tca_host *host, const char *option, const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	tca_log(host, TCA_LOG_ERR, errno, "%s=%s cannot be read; fix the path or its permissions",
		option, path);
	return -EINVAL;
}

static int conn_auth(struct nats_sink *ns)
{
	const struct nats_config *c = ns->cfg;
	int ways = !!c->creds + !!c->token + !!(c->user || c->password);
	natsStatus s = NATS_OK;

	if (ways > 1) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "give one way to authenticate: creds=, token=, or "
			"user= with password=");
		return -EINVAL;
	}
	if (!c->user != !c->password) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "user= and password= go together");
		return -EINVAL;
	}
	if (c->creds) {
		if (readable(ns->host, "creds", c->creds) < 0)
			return -EINVAL;
		s = nats_creds_use(ns->opts, &ns->creds, c->creds);
	} else if (c->token) {
		s = natsOptions_SetToken(ns->opts, c->token);
	} else if (c->user) {
		s = natsOptions_SetUserInfo(ns->opts, c->user, c->password);
	}
	return nats_status_errno(s);
}

static int conn_tls(struct nats_sink *ns)
{
	const struct nats_config *c = ns->cfg;
	natsStatus s;

	if (!c->tls_ca && !c->tls_cert && !c->tls_key)
		return 0;
	if (!c->tls_cert != !c->tls_key) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "tls_cert= and tls_key= go together");
		return -EINVAL;
	}
	s = natsOptions_SetSecure(ns->opts, true);
	if (s == NATS_OK && c->tls_ca) {
		if (readable(ns->host, "tls_ca", c->tls_ca) < 0)
			return -EINVAL;
		s = natsOptions_LoadCATrustedCertificates(ns->opts, c->tls_ca);
	}
	if (s == NATS_OK && c->tls_cert) {
		if (readable(ns->host, "tls_cert", c->tls_cert) < 0 ||
		    readable(ns->host, "tls_key", c->tls_key) < 0)
			return -EINVAL;
		s = natsOptions_LoadCertificatesChain(ns->opts, c->tls_cert, c->tls_key);
	}
	if (s != NATS_OK) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "TLS: %s (check tls_ca, tls_cert and tls_key)",
			nats_last_error(s));
		return -EINVAL;
	}
	return 0;
}

int nats_conn_options(struct nats_sink *ns)
{
	char name[WIRE_STR_MAX + 16];
	natsStatus s;
	int r;

	s = natsOptions_Create(&ns->opts);
	if (s != NATS_OK)
		return nats_status_errno(s);
	r = conn_servers(ns);
	if (r == 0)
		r = conn_auth(ns);
	if (r == 0)
		r = conn_tls(ns);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "tcp-audit %s", ns->host->hostname);
	s = natsOptions_SetName(ns->opts, name);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(ns->opts, (int64_t)ns->cfg->connect_timeout_ms);
	/* Reconnect for ever, in the background: the processor keeps the
	 * events meanwhile, and a write while away is "retry later". */
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(ns->opts, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(ns->opts, 500);
	if (s == NATS_OK)
		s = natsOptions_SetRetryOnFailedConnect(ns->opts, false, NULL, NULL);
	return nats_status_errno(s);
}

/* TLS is on with a tls_ option or a tls:// URL. */
static bool conn_uses_tls(const struct nats_sink *ns)
{
	const struct nats_config *c = ns->cfg;

	return c->tls_ca || c->tls_cert || (c->servers && strstr(c->servers, "tls://"));
}

int nats_conn_open(struct nats_sink *ns, char *err, size_t errsize)
{
	jsOptions jo;
	natsStatus s;

	/* A try that failed only on a signature libnats cannot send is
	 * made again at once, with a new nonce (creds.c). */
	for (int tries = 1;; tries++) {
		s = natsConnection_Connect(&ns->nc, ns->opts);
		if (s == NATS_OK || tries == NATS_CREDS_TRIES || !ns->cfg->creds ||
		    !nats_creds_retry(&ns->creds))
			break;
		tca_log(ns->host, TCA_LOG_DEBUG, 0, "connecting to %s again: %s", ns->where,
			nats_last_error(s));
	}
	if (s != NATS_OK) {
		ns->nc = NULL;
		/* A server that verifies clients ends the session right after
		 * the handshake when our certificate is missing or not of its
		 * CA; libnats then only sees no PONG. */
		if (s == NATS_PROTOCOL_ERROR && conn_uses_tls(ns)) {
			snprintf(err, errsize, "TLS: the server closed the connection after the "
				 "handshake: it refused the client certificate, or wants one");
			return -EPROTO;
		}
		/* The creds file is read at each connect (creds.c): one that
		 * cannot be read or whose seed does not decode is a plain
		 * NATS_ERR, before any server had a say. Its text names no
		 * secret. */
		if (s == NATS_ERR && ns->cfg->creds) {
			snprintf(err, errsize, "creds=%s: %s", ns->cfg->creds, nats_last_error(s));
			return -EACCES;
		}
		snprintf(err, errsize, "%s%s", s == NATS_SSL_ERROR ? "TLS: " : "",
			 nats_last_error(s));
		return nats_status_errno(s);
	}
	jsOptions_Init(&jo);
	jo.Wait = (int64_t)ns->cfg->ack_timeout_ms;
	/* A whole batch may be in flight: the batch waits for its acks, so
	 * the library's own stall limit would only slow it down. */
	jo.PublishAsync.MaxPending = ns->cfg->batch_size + 1;
	jo.PublishAsync.ErrHandler = nats_ack_error;
	jo.PublishAsync.ErrHandlerClosure = &ns->acks;
	s = natsConnection_JetStream(&ns->js, ns->nc, &jo);
	if (s != NATS_OK) {
		snprintf(err, errsize, "%s", nats_last_error(s));
		return nats_status_errno(s);
	}
	return 0;
}

/* Drain rather than only flush: the reply subscription's thread handles
 * every ack queued for it before the connection closes. Closed with
 * messages still queued, that thread frees them in its own time, which
 * can be after nats_CloseAndWait() has stopped the library's garbage
 * collector (libnats 3.4.1 hands every message to it): those leak. */
static void conn_drain(natsConnection *nc)
{
	int64_t end;

	/* Not connected (reconnecting): no ack can come in; Destroy closes. */
	if (natsConnection_DrainTimeout(nc, NATS_DRAIN_MS) != NATS_OK)
		return;
	/* The drain ends with a close, on the library's drain thread. */
	end = nats_Now() + NATS_DRAIN_MS + 1000;
	while (!natsConnection_IsClosed(nc) && nats_Now() < end)
		nats_Sleep(10);
}

static void conn_release(natsOptions *opts, natsConnection *nc, jsCtx *js)
{
	if (nc && js)
		conn_drain(nc);
	else if (nc)
		natsConnection_FlushTimeout(nc, NATS_DRAIN_MS);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(opts);
}

void nats_conn_close(struct nats_sink *ns)
{
	conn_release(ns->opts, ns->nc, ns->js);
	ns->js = NULL;
	ns->nc = NULL;
	ns->opts = NULL;
}

/*
 * Connect again with options made afresh, so that the creds file and the
 * TLS files are read again (libnats reads the creds file at each connect
 * anyway, but the TLS files only into the options), and leave the old
 * connection only once the new one is up: a new one that fails leaves
 * the old one as it was. Called between writes, which wait for all their
 * acks, or by the collector's fetch thread: nothing is in flight on the
 * old connection.
 */
int nats_conn_replace(struct nats_sink *ns, char *err, size_t errsize)
{
	natsOptions *opts = ns->opts;
	natsConnection *nc = ns->nc;
	jsCtx *js = ns->js;
	char *where = ns->where;
	int r;

	ns->opts = NULL;
	ns->nc = NULL;
	ns->js = NULL;
	ns->where = NULL;
	snprintf(err, errsize, "a bad option (logged)");
	r = nats_conn_options(ns);
	if (r == 0)
		r = nats_conn_open(ns, err, errsize);
	if (r < 0) {
		nats_conn_close(ns);
		free(ns->where);
		ns->opts = opts;
		ns->nc = nc;
		ns->js = js;
		ns->where = where;
		return r;
	}
	conn_release(opts, nc, js);
	free(where);
	ns->closed_logged = false;
	return 0;
}

/* SIGHUP (tcp-audit-nats(7), SIGNALS): rotated credentials and
 * certificates are taken now, before the server revokes the old ones. */
int nats_conn_reload(struct nats_sink *ns)
{
	char err[256];
	int r = nats_conn_replace(ns, err, sizeof(err));

	if (r < 0) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "cannot connect to %s with the credentials and TLS "
			"files read again: %s; the current connection stays", ns->where, err);
		return r;
	}
	tca_log(ns->host, TCA_LOG_NOTICE, 0, "reconnected to %s with the credentials and TLS files "
		"read again", ns->where);
	return 0;
}

/* Once a connection, until one is made again: why libnats closed it. */
void nats_conn_log_ended(struct nats_sink *ns)
{
	const char *why = NULL;

	if (ns->closed_logged)
		return;
	natsConnection_GetLastError(ns->nc, &why);
	tca_log(ns->host, TCA_LOG_WARNING, 0, "the servers %s ended the connection (%s); connecting "
		"again, with the credentials and TLS files read again at each try", ns->where,
		why && *why ? why : "closed");
	ns->closed_logged = true;
}

/*
 * Connected, or made so. libnats 3.4.1 gives up on a connection for good
 * when a server ends it with an error it does not take for an
 * authentication one ("User Authentication Revoked"), or refuses the
 * credentials twice in a row: the connection is made again here, with
 * the files read again, each time a write is retried (the processor's
 * backoff paces it), so that rotated credentials end the outage.
 */
bool nats_conn_up(struct nats_sink *ns)
{
	char err[256];

	switch (natsConnection_Status(ns->nc)) {
	case NATS_CONN_STATUS_CONNECTED:
		return true;
	case NATS_CONN_STATUS_CLOSED:
		break;
	default:
		tca_retry_reason(ns->host, 0, "not connected to any of %s", ns->where);
		return false;
	}
	nats_conn_log_ended(ns);
	if (nats_conn_replace(ns, err, sizeof(err)) < 0) {
		tca_retry_reason(ns->host, 0, "cannot connect to %s: %s", ns->where, err);
		return false;
	}
	tca_log(ns->host, TCA_LOG_NOTICE, 0, "reconnected to %s", ns->where);
	return true;
}
