/* SPDX-License-Identifier: MIT */
/*
 * A small JetStream client for the nats tests (the nats CLI is not
 * packaged): independent of the plugin except for the wire decoder.
 *
 *   nats-check URLS ready [REPLICAS]   wait (60 s) until a stream of that
 *                                      many replicas can be created
 *   nats-check URLS info STREAM        "msgs N", "bytes B", "replicas R", "subjects S",
 *                                      "leader NAME" (n1, n2, ... in nats.sh), and
 *                                      "replica NAME current|behind|offline LAG"
 *                                      for each other peer
 *   nats-check URLS dump STREAM [MAX]  one line per message, in stream order
 *                                      (the first MAX only):
 *       SUBJECT TAB MSGID TAB TYPE TAB HOST TAB BOOT TAB RUN TAB SEQ-OR-KEY
 *     TYPE is event, gap, run, name or BAD (a message that does not decode);
 *     an event adds OLD>NEW (state numbers) TAB SPORT TAB DPORT TAB COMM
 *     TAB the payload's size in bytes;
 *     for a gap the last field is first_seq:count:reason, for a run the
 *     state:last_seq, for a name kind:id, then TAB run_id TAB the text
 *     in hexadecimal (it may hold tabs and newlines).
 *   nats-check URLS create STREAM SUBJECT REPLICAS    make a stream
 *   nats-check URLS acked STREAM DURABLE [SECONDS]  wait (600 s) until the durable
 *                                      consumer exists and has acks up to
 *                                      the stream's last message
 *   nats-check URLS connects N         connect N times, each time anew:
 *                                      "connected K of N (A tried again at
 *                                      once)", exit 0 if K is N
 *
 * URLS is a comma-separated list. With NATS_CHECK_TLS=DIR in the
 * environment it speaks TLS, trusting DIR/ca.pem and showing the client
 * certificate DIR/client.pem (key DIR/client.key), as tests/lib/nats.sh's
 * nats_tls_certs makes them. With NATS_CHECK_CREDS=FILE it authenticates
 * with that creds file (tests/lib/nats-jwt.py). Exit 0, or 1 with a line
 * on stderr.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "creds.h"
#include "wire.h"

static natsConnection *nc;
static struct nats_creds creds;
static jsCtx *js;

static int die(const char *what, natsStatus s)
{
	fprintf(stderr, "nats-check: %s: %s (%s)\n", what, natsStatus_GetText(s),
		nats_GetLastError(NULL));
	return 1;
}

/* TLS with the files of NATS_CHECK_TLS, if it is set. */
static natsStatus tls_from_env(natsOptions *o)
{
	const char *dir = getenv("NATS_CHECK_TLS");
	char ca[4096], cert[4096], key[4096];
	natsStatus s;

	if (!dir || !*dir)
		return NATS_OK;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/client.pem", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	s = natsOptions_SetSecure(o, true);
	if (s == NATS_OK)
		s = natsOptions_LoadCATrustedCertificates(o, ca);
	if (s == NATS_OK)
		s = natsOptions_LoadCertificatesChain(o, cert, key);
	return s;
}

/* The options for URLS, with TLS and credentials from the environment. */
static natsStatus options_for(const char *urls, natsOptions **out)
{
	natsOptions *o = NULL;
	char *copy = strdup(urls), *save = NULL;
	const char *list[16];
	int n = 0;
	natsStatus s = copy ? natsOptions_Create(&o) : NATS_NO_MEMORY;

	for (char *p = copy ? strtok_r(copy, ",", &save) : NULL; p && n < 16;
	     p = strtok_r(NULL, ",", &save))
		list[n++] = p;
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, list, n);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 10000);
	if (s == NATS_OK)
		s = tls_from_env(o);
	if (s == NATS_OK && getenv("NATS_CHECK_CREDS") && *getenv("NATS_CHECK_CREDS"))
		s = nats_creds_use(o, &creds, getenv("NATS_CHECK_CREDS"));
	free(copy);
	if (s != NATS_OK) {
		natsOptions_Destroy(o);
		return s;
	}
	*out = o;
	return NATS_OK;
}

/* One connect, tried again at once only when it failed on a signature
 * that libnats cannot send (plugins/nats/creds.c); *again counts those. */
static natsStatus connect_once(natsOptions *o, natsConnection **c, int *again)
{
	natsStatus s;

	for (int tries = 1;; tries++) {
		s = natsConnection_Connect(c, o);
		if (s == NATS_OK || tries == NATS_CREDS_TRIES || !nats_creds_retry(&creds))
			return s;
		(*again)++;
	}
}

static natsStatus connect_to(const char *urls)
{
	natsOptions *o = NULL;
	int again = 0;
	natsStatus s = options_for(urls, &o);

	/* A loaded machine can make a connect (TLS, a JWT's nonce) outlast
	 * the servers' auth timeout, and a server that reloads its accounts
	 * can refuse one: the tests' reader tries again, for about a minute,
	 * so that its count is never a failed connect's 0. */
	for (int i = 0; s == NATS_OK && i < 6; i++) {
		s = connect_once(o, &nc, &again);
		if (s == NATS_OK || i == 5)
			break;
		fprintf(stderr, "nats-check: %s: %s; trying again\n", urls, natsStatus_GetText(s));
		s = NATS_OK;
		sleep(2);
	}
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	natsOptions_Destroy(o);
	return s;
}

/* N connects, each on a new connection and so with a new nonce to sign:
 * "connected K of N (A tried again at once)"; exit 0 if all were. */
static int cmd_connects(const char *urls, int n)
{
	natsOptions *o = NULL;
	natsConnection *c = NULL;
	int ok = 0, again = 0;
	natsStatus s = options_for(urls, &o);

	if (s != NATS_OK)
		return die(urls, s);
	for (int i = 0; i < n; i++) {
		s = connect_once(o, &c, &again);
		if (s == NATS_OK)
			ok++;
		else
			fprintf(stderr, "nats-check: connect %d: %s\n", i + 1, nats_GetLastError(NULL));
		natsConnection_Destroy(c);
		c = NULL;
	}
	natsOptions_Destroy(o);
	printf("connected %d of %d (%d tried again at once)\n", ok, n, again);
	return ok == n ? 0 : 1;
}

static natsStatus create(const char *name, const char *subject, int replicas)
{
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = name;
	sc.Subjects = &subject;
	sc.SubjectsLen = 1;
	sc.Replicas = replicas;
	s = js_AddStream(&si, js, &sc, NULL, &jerr);
	jsStreamInfo_Destroy(si);
	return s;
}

/* A meta leader is elected and enough servers take part when a stream of
 * that many replicas can be made (and removed again). */
static int cmd_ready(int replicas)
{
	char name[64], subj[80];
	time_t end = time(NULL) + 60;
	natsStatus s;

	snprintf(name, sizeof(name), "READY_%ld", (long)getpid());
	snprintf(subj, sizeof(subj), "ready.%ld", (long)getpid());
	do {
		s = create(name, subj, replicas);
		if (s == NATS_OK) {
			js_DeleteStream(js, name, NULL, NULL);
			return 0;
		}
		nats_Sleep(250);
	} while (time(NULL) < end);
	return die("no stream could be created in 60 s", s);
}

/* Polled every 10 ms: the benchmark takes its clock when this returns. */
static int cmd_acked(const char *stream, const char *durable, int seconds)
{
	time_t end = time(NULL) + seconds;
	natsStatus s;

	do {
		jsStreamInfo *si = NULL;
		jsConsumerInfo *ci = NULL;
		bool done = false;

		s = js_GetStreamInfo(&si, js, stream, NULL, NULL);
		if (s == NATS_OK)
			s = js_GetConsumerInfo(&ci, js, stream, durable, NULL, NULL);
		if (s == NATS_OK)
			done = ci->AckFloor.Stream >= si->State.LastSeq;
		jsStreamInfo_Destroy(si);
		jsConsumerInfo_Destroy(ci);
		if (done)
			return 0;
		nats_Sleep(10);
	} while (time(NULL) < end);
	fprintf(stderr, "nats-check: durable %s has not acknowledged all of stream %s in %d s\n",
		durable, stream, seconds);
	return s == NATS_OK ? 1 : die(durable, s);
}

static int cmd_info(const char *stream)
{
	jsStreamInfo *si = NULL;
	natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, NULL);

	if (s != NATS_OK)
		return die(stream, s);
	printf("msgs %" PRIu64 "\nbytes %" PRIu64 "\nreplicas %" PRId64 "\n", si->State.Msgs,
	       si->State.Bytes, si->Config->Replicas);
	for (int i = 0; i < si->Config->SubjectsLen; i++)
		printf("subjects %s\n", si->Config->Subjects[i]);
	if (si->Cluster && si->Cluster->Leader)
		printf("leader %s\n", si->Cluster->Leader);
	for (int i = 0; si->Cluster && i < si->Cluster->ReplicasLen; i++) {
		const jsPeerInfo *p = si->Cluster->Replicas[i];
		printf("replica %s %s %" PRIu64 "\n", p->Name,
		       p->Offline ? "offline" : p->Current ? "current" : "behind", p->Lag);
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

static void print_msg(natsMsg *m)
{
	const char *id = NULL;
	struct wire_record rec;
	const char *types[] = { "BAD", "event", "gap", "run", "name" };

	natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
	if (wire_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), &rec) < 0) {
		printf("%s\t%s\tBAD\n", natsMsg_GetSubject(m), id ? id : "");
		return;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%" PRIu64 "\t", natsMsg_GetSubject(m), id ? id : "",
	       types[rec.type], rec.host, rec.boot_id, rec.origin.run_id);
	if (rec.type == WIRE_EVENT)
		printf("%" PRIu64 "\t%u>%u\t%u\t%u\t%s\t%d\n", rec.u.ev.seq, rec.u.ev.oldstate,
		       rec.u.ev.newstate, rec.u.ev.sport, rec.u.ev.dport,
		       rec.u.ev.flags & TCA_EV_PID ? rec.u.ev.comm : "-",
		       natsMsg_GetDataLength(m));
	else if (rec.type == WIRE_GAP)
		printf("%" PRIu64 ":%" PRIu64 ":%" PRIu32 "\n", rec.u.gap.first_seq, rec.u.gap.count,
		       rec.u.gap.reason);
	else if (rec.type == WIRE_NAME) {
		printf("%" PRIu32 ":%" PRIu64 "\t%" PRIu64 "\t", rec.u.name.kind, rec.u.name.id,
		       rec.u.name.run_id);
		for (const char *c = rec.u.name.text; *c; c++)
			printf("%02x", (unsigned char)*c);
		printf("\n");
	}
	else
		printf("%" PRIu32 ":%" PRIu64 "\n", rec.u.run.state, rec.u.run.last_seq);
}

/* An ordered consumer reads the stream from its start, as many messages
 * as the stream says it holds. A cluster that has just regained a node
 * may keep it waiting a while, so only 30 s without a message ends it. */
static int cmd_dump(const char *stream, uint64_t max)
{
	jsStreamInfo *si = NULL;
	jsSubOptions so;
	natsSubscription *sub = NULL;
	natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, NULL);
	uint64_t want, got = 0;

	if (s != NATS_OK)
		return die(stream, s);
	want = si->State.Msgs;
	if (max && max < want)
		want = max;
	jsSubOptions_Init(&so);
	so.Stream = stream;
	so.Ordered = true;
	so.Config.DeliverPolicy = js_DeliverAll;
	if (want)
		s = js_SubscribeSync(&sub, js, si->Config->Subjects[0], NULL, &so, NULL);
	for (; s == NATS_OK && got < want; got++) {
		natsMsg *m = NULL;

		s = natsSubscription_NextMsg(&m, sub, 30000);
		if (s == NATS_OK)
			print_msg(m);
		natsMsg_Destroy(m);
	}
	natsSubscription_Destroy(sub);
	jsStreamInfo_Destroy(si);
	return s == NATS_OK ? 0 : die("reading the stream", s);
}

int main(int argc, char **argv)
{
	natsStatus s;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: nats-check URLS ready|info|dump|create|acked|connects ...\n");
		return 2;
	}
	if (!strcmp(argv[2], "connects") && argc > 3) {
		rc = cmd_connects(argv[1], atoi(argv[3]));
		nats_CloseAndWait(2000);
		return rc;
	}
	s = connect_to(argv[1]);
	if (s != NATS_OK)
		return die(argv[1], s);
	if (!strcmp(argv[2], "ready"))
		rc = cmd_ready(argc > 3 ? atoi(argv[3]) : 3);
	else if (!strcmp(argv[2], "info") && argc > 3)
		rc = cmd_info(argv[3]);
	else if (!strcmp(argv[2], "dump") && argc > 3)
		rc = cmd_dump(argv[3], argc > 4 ? strtoull(argv[4], NULL, 10) : 0);
	else if (!strcmp(argv[2], "acked") && argc > 4)
		rc = cmd_acked(argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 600);
	else if (!strcmp(argv[2], "create") && argc > 5)
		rc = (s = create(argv[3], argv[4], atoi(argv[5]))) == NATS_OK ? 0 : die(argv[3], s);
	else
		fprintf(stderr, "nats-check: unknown command %s\n", argv[2]);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	return rc;
}
