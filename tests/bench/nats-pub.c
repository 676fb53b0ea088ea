/* SPDX-License-Identifier: MIT */
/*
 * The reference for bench-nats.sh: a minimal libnats JetStream publisher
 * that does what the nats sinker does on the wire, and nothing else:
 * COUNT messages of SIZE bytes, each with a Nats-Msg-Id, published
 * asynchronously in batches of BATCH, each batch waiting for all its acks.
 *
 *   nats-pub URLS SUBJECT COUNT SIZE BATCH IDLEN
 *
 * IDLEN is the length of the ids (zero-padded numbers), to match the
 * sinker's host:boot:run:seq.
 *
 * Prints the ns it took and the messages acked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

static uint64_t failed;

static void on_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
	(void)js;
	(void)pae;
	(void)closure;
	failed++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	natsOptions *o = NULL;
	jsCtx *js = NULL;
	jsOptions jo;
	jsPubOptions po, wait;
	const char *list[16];
	char id[64], *urls, *save = NULL, *data;
	uint64_t count, size, batch, start, sent = 0;
	int idlen;
	int n = 0;
	natsStatus s;

	if (argc != 7) {
		fprintf(stderr, "usage: nats-pub URLS SUBJECT COUNT SIZE BATCH IDLEN\n");
		return 2;
	}
	urls = strdup(argv[1]);
	for (char *p = strtok_r(urls, ",", &save); p && n < 16; p = strtok_r(NULL, ",", &save))
		list[n++] = p;
	count = strtoull(argv[3], NULL, 10);
	size = strtoull(argv[4], NULL, 10);
	batch = strtoull(argv[5], NULL, 10);
	idlen = atoi(argv[6]);
	if (idlen < 1 || idlen >= (int)sizeof(id))
		idlen = 20;
	data = calloc(1, size ? size : 1);
	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetServers(o, list, n);
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, o);
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = (int64_t)batch + 1;
	jo.PublishAsync.ErrHandler = on_error;
	if (s == NATS_OK)
		s = natsConnection_JetStream(&js, nc, &jo);
	/* As the sinker: no MaxWait per message; the wait for a batch bounds it. */
	jsPubOptions_Init(&po);
	po.MsgId = id;
	jsPubOptions_Init(&wait);
	wait.MaxWait = 10000;
	start = now_ns();
	while (s == NATS_OK && sent < count) {
		uint64_t end = sent + batch < count ? sent + batch : count;

		for (; s == NATS_OK && sent < end; sent++) {
			snprintf(id, sizeof(id), "%0*" PRIu64, idlen, sent);
			memcpy(data, &sent, size < sizeof(sent) ? size : sizeof(sent));
			s = js_PublishAsync(js, argv[2], data, (int)size, &po);
		}
		if (s == NATS_OK)
			s = js_PublishAsyncComplete(js, &wait);
	}
	if (s != NATS_OK) {
		fprintf(stderr, "nats-pub: %s (%s)\n", natsStatus_GetText(s), nats_GetLastError(NULL));
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64 "\n", now_ns() - start, sent - failed);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(o);
	free(data);
	free(urls);
	nats_CloseAndWait(2000);
	return 0;
}
