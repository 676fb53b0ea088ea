/* SPDX-License-Identifier: MIT */
/* The nats sinker's stream: found at open, or created with the
 * subjects, replicas, retention, age and duplicate window asked for. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nats-sink.h"

#define NS_PER_MS 1000000ll

static int retention_parse(const char *s, jsRetentionPolicy *out)
{
	if (!strcmp(s, "limits"))
		*out = js_LimitsPolicy;
	else if (!strcmp(s, "interest"))
		*out = js_InterestPolicy;
	else if (!strcmp(s, "workqueue"))
		*out = js_WorkQueuePolicy;
	else
		return -EINVAL;
	return 0;
}

/* Whether the stream takes our subjects; a stream made by hand may list
 * them otherwise, so this only warns. */
static void stream_check_subjects(struct nats_sink *ns, const jsStreamInfo *si, const char *all)
{
	const jsStreamConfig *sc = si->Config;

	for (int i = 0; sc && i < sc->SubjectsLen; i++)
		if (!strcmp(sc->Subjects[i], all) || !strcmp(sc->Subjects[i], ">"))
			return;
	tca_log(ns->host, TCA_LOG_WARNING, 0, "stream %s does not list the subject %s: make sure it "
		"takes %s.<host>.events, .gaps, .runs and .names, or publishing will wait for ever",
		ns->cfg->stream, all, ns->cfg->subject);
}

static int stream_create(struct nats_sink *ns, const char *all)
{
	const struct nats_config *c = ns->cfg;
	const char *subjects[] = { all };
	jsStreamConfig sc;
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	jsStreamConfig_Init(&sc);
	sc.Name = c->stream;
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Storage = js_FileStorage;
	sc.Replicas = c->replicas;
	sc.MaxAge = (int64_t)c->max_age_ms * NS_PER_MS;
	sc.Duplicates = (int64_t)c->duplicate_window_ms * NS_PER_MS;
	retention_parse(c->retention, &sc.Retention);
	s = js_AddStream(&si, ns->js, &sc, NULL, &jerr);
	if (s == NATS_OK) {
		tca_log(ns->host, TCA_LOG_NOTICE, 0, "created stream %s (subjects %s, %d replicas)",
			c->stream, all, (int)c->replicas);
		jsStreamInfo_Destroy(si);
		return 0;
	}
	switch (jerr) {
	case JSStreamNameExistErr:
		/* Another host made it at the same moment, with other settings: use it. */
		return 0;
	case JSStreamReplicasNotSupportedErr:
	case JSInsufficientResourcesErr:
	case JSClusterNoPeersErr:
		tca_log(ns->host, TCA_LOG_ERR, 0, "cannot create stream %s with %d replicas: %s (lower "
			"replicas= to the JetStream servers there are, or create the stream by hand)",
			c->stream, (int)c->replicas, nats_last_error(s));
		return -EINVAL;
	default:
		tca_log(ns->host, TCA_LOG_ERR, 0, "cannot create stream %s on %s: %s (error %d)",
			c->stream, ns->where, nats_last_error(s), (int)jerr);
		return s == NATS_NOT_PERMITTED || jerr == JSNotEnabledForAccountErr ? -EACCES
										     : -ECONNREFUSED;
	}
}

int nats_stream_ensure(struct nats_sink *ns)
{
	const struct nats_config *c = ns->cfg;
	char all[NATS_SUBJECT_MAX];
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s;

	snprintf(all, sizeof(all), "%s.>", c->subject);
	s = js_GetStreamInfo(&si, ns->js, c->stream, NULL, &jerr);
	if (s == NATS_OK) {
		stream_check_subjects(ns, si, all);
		jsStreamInfo_Destroy(si);
		return 0;
	}
	if (jerr == JSStreamNotFoundErr || s == NATS_NOT_FOUND) {
		if (c->create_stream)
			return stream_create(ns, all);
		tca_log(ns->host, TCA_LOG_ERR, 0, "stream %s does not exist on %s: create it (subjects "
			"%s), or set create_stream=yes", c->stream, ns->where, all);
		return -ENOENT;
	}
	if (s == NATS_NOT_PERMITTED) {
		tca_log(ns->host, TCA_LOG_ERR, 0, "not allowed to look up stream %s on %s: %s (grant "
			"the user $JS.API.STREAM.INFO.%s and publish on %s)", c->stream, ns->where,
			nats_last_error(s), c->stream, all);
		return -EACCES;
	}
	tca_log(ns->host, TCA_LOG_ERR, 0, "JetStream on %s does not answer: %s (is jetstream "
		"enabled in the servers' config, and a cluster leader elected?)", ns->where,
		nats_last_error(s));
	return -ECONNREFUSED;
}
