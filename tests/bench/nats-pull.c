/* SPDX-License-Identifier: MIT */
/*
 * The reference for the collector in bench-nats.sh: a minimal libnats
 * JetStream pull consumer that does what the nats eventer does on the
 * wire, and nothing else: a durable pull consumer with explicit acks on
 * FILTER of STREAM, fetches of BATCH messages, one ack per message, until
 * the consumer's ack floor is the stream's last message.
 *
 *   nats-pull URLS STREAM FILTER DURABLE BATCH MAX_ACK_PENDING
 *
 * Prints the ns it took (from before the connect to the ack floor at the
 * end, as the collector's is measured), the messages received, and the
 * CPU ns it used (all threads).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <nats/nats.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

/* The stream's last sequence, and whether the consumer has acks up to it. */
static natsStatus acked_to_end(jsCtx *js, natsSubscription *sub, const char *stream, bool *done)
{
	jsStreamInfo *si = NULL;
	jsConsumerInfo *ci = NULL;
	natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, NULL);

	if (s == NATS_OK)
		s = natsSubscription_GetConsumerInfo(&ci, sub, NULL, NULL);
	if (s == NATS_OK)
		*done = ci->AckFloor.Stream >= si->State.LastSeq;
	jsStreamInfo_Destroy(si);
	jsConsumerInfo_Destroy(ci);
	return s;
}

int main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	natsOptions *o = NULL;
	natsSubscription *sub = NULL;
	jsCtx *js = NULL;
	jsSubOptions so;
	const char *list[16];
	char *urls, *save = NULL;
	uint64_t start = now_ns(), got = 0;
	int batch, n = 0;
	bool done = false;
	natsStatus s;

	if (argc != 7) {
		fprintf(stderr, "usage: nats-pull URLS STREAM FILTER DURABLE BATCH MAX_ACK_PENDING\n");
		return 2;
	}
	urls = strdup(argv[1]);
	for (char *p = strtok_r(urls, ",", &save); p && n < 16; p = strtok_r(NULL, ",", &save))
		list[n++] = p;
	batch = atoi(argv[5]);
	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, list, n);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, o);
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, NULL);
	jsSubOptions_Init(&so);
	so.Stream = argv[2];
	so.ManualAck = true;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.MaxAckPending = atoll(argv[6]);
	if (s == NATS_OK)
		s = js_PullSubscribe(&sub, js, argv[3], argv[4], NULL, &so, NULL);
	while (s == NATS_OK && !done) {
		natsMsgList ml = { 0 };
		int count;

		s = natsSubscription_Fetch(&ml, sub, batch, 1000, NULL);
		if (s == NATS_TIMEOUT) {
			/* Nothing more came: are all acks in? */
			s = natsConnection_Flush(nc);
			if (s == NATS_OK)
				s = acked_to_end(js, sub, argv[2], &done);
			continue;
		}
		count = ml.Count;
		for (int i = 0; s == NATS_OK && i < count; i++)
			s = natsMsg_Ack(ml.Msgs[i], NULL);
		got += (uint64_t)count;
		natsMsgList_Destroy(&ml);
		/* The end is known without a wait for the fetch to time out. */
		if (s == NATS_OK && count < batch) {
			s = natsConnection_Flush(nc);
			if (s == NATS_OK)
				s = acked_to_end(js, sub, argv[2], &done);
		}
	}
	if (s != NATS_OK) {
		fprintf(stderr, "nats-pull: %s (%s)\n", natsStatus_GetText(s), nats_GetLastError(NULL));
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", now_ns() - start, got, cpu_ns());
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(o);
	free(urls);
	nats_CloseAndWait(2000);
	return 0;
}
