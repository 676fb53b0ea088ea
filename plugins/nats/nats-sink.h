/* SPDX-License-Identifier: MIT */
/* The nats sinker's state and the interfaces between its files. */
#ifndef TCA_NATS_SINK_H
#define TCA_NATS_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>
#include <tcp-audit/plugin.h>

#include "creds.h"
#include "wire.h"

struct nats_config {
	const char *servers;
	const char *stream;
	const char *subject;
	const char *creds;
	const char *token;
	const char *user;
	const char *password;
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	bool create_stream;
	int64_t replicas;
	const char *retention;
	uint64_t max_age_ms;
	uint64_t duplicate_window_ms;
	uint64_t ack_timeout_ms;
	uint64_t connect_timeout_ms;
	int64_t batch_size;
	uint64_t max_delay_ms;
};

/* The longest subject and message id: prefix, host token, kind; host,
 * boot id, run id and seq in decimal. */
#define NATS_SUBJECT_MAX 512
#define NATS_MSGID_MAX (2 * WIRE_STR_MAX + 64)

/* What the stream said of the batch in flight: the first event not
 * stored. The library reports failures on its own thread, hence the lock. */
struct nats_acks {
	pthread_mutex_t lock;
	bool ready;             /* lock initialised */
	bool open;              /* a batch is in flight; reports after it are ignored */
	const struct tca_event *ev; /* its events, to find a message's place by seq */
	size_t n;
	size_t first_bad;       /* the first place failed or pending; n: none */
	uint8_t head[WIRE_HEAD_MAX]; /* the header bytes of the batch's messages */
	size_t head_len;
	char why[160];          /* the first failure's text */
};

struct nats_sink {
	const struct tca_host *host;
	const struct nats_config *cfg;
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	char *where;            /* the server list for logs: no credentials */
	bool closed_logged;     /* libnats closed the connection for good; logged */
	struct nats_creds creds; /* with creds=, read at each connect (creds.c) */
	struct nats_acks acks;
	/* The subjects of the current origin host, made once per host. */
	char subj_host[WIRE_STR_MAX + 1];
	char subj_events[NATS_SUBJECT_MAX];
	char subj_gaps[NATS_SUBJECT_MAX];
	char subj_runs[NATS_SUBJECT_MAX];
	char subj_names[NATS_SUBJECT_MAX];
	uint8_t buf[WIRE_RECORD_MAX];
};

/* subject.c: subjects and message ids (pure). */
int nats_subject_prefix_check(const char *prefix);
void nats_subject_token(char *out, size_t size, const char *host);
int nats_subjects_for(struct nats_sink *ns, const char *host);
size_t nats_msgid_event(char *out, size_t size, const struct tca_origin *o, uint64_t seq);
size_t nats_msgid_gap(char *out, size_t size, const struct tca_origin *o, const struct tca_gap *g);
size_t nats_msgid_run(char *out, size_t size, const struct tca_run *run);
size_t nats_msgid_name(char *out, size_t size, const struct tca_origin *o,
		       const struct tca_name *name);

/* conn.c: options, connecting, closing, and what a libnats status means. */
int nats_conn_options(struct nats_sink *ns);
int nats_conn_open(struct nats_sink *ns, char *err, size_t errsize);
void nats_conn_close(struct nats_sink *ns);
/* A new connection with the files read again, or the old one kept
 * (replace: quiet; reload: SIGHUP, logged). */
int nats_conn_replace(struct nats_sink *ns, char *err, size_t errsize);
int nats_conn_reload(struct nats_sink *ns);
/* Connected; a connection libnats closed for good is made again. */
bool nats_conn_up(struct nats_sink *ns);
void nats_conn_log_ended(struct nats_sink *ns);
int nats_status_errno(natsStatus s);
const char *nats_last_error(natsStatus s);

/* stream.c: find the stream, or create it. */
int nats_stream_ensure(struct nats_sink *ns);

/* publish.c: a batch of messages, and their acks. */
int nats_acks_init(struct nats_acks *a);
void nats_acks_free(struct nats_acks *a);
void nats_ack_error(jsCtx *js, jsPubAckErr *pae, void *closure);
int nats_publish_events(struct nats_sink *ns, const struct tca_batch *b);
int nats_publish_one(struct nats_sink *ns, const char *subject, const char *msgid,
		     const void *data, size_t len);

#endif
