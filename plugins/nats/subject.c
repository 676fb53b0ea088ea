/* SPDX-License-Identifier: MIT */
/* Subjects (<prefix>.<host>.events|gaps|runs|names) and the Nats-Msg-Id of each
 * record, which JetStream deduplicates a retried publish by. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nats-sink.h"
#include "outbuf.h"

/* What a subject token cannot hold: the separator, the wildcards, and
 * what the protocol splits on. */
static bool token_char_ok(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '.' && c != '*' && c != '>';
}

int nats_subject_prefix_check(const char *prefix)
{
	size_t len = prefix ? strlen(prefix) : 0;

	if (!len || len > 128 || prefix[0] == '.' || prefix[len - 1] == '.' || strstr(prefix, ".."))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (prefix[i] != '.' && !token_char_ok((unsigned char)prefix[i]))
			return -EINVAL;
	return 0;
}

/* A host name as one subject token: each byte a token cannot hold (the
 * dots of a fully qualified name, above all) becomes '_'. */
void nats_subject_token(char *out, size_t size, const char *host)
{
	size_t i = 0;

	for (; host[i] && i + 1 < size; i++)
		out[i] = token_char_ok((unsigned char)host[i]) ? host[i] : '_';
	if (i == 0 && size > 1)
		out[i++] = '_';
	out[i] = '\0';
}

int nats_subjects_for(struct nats_sink *ns, const char *host)
{
	char token[WIRE_STR_MAX + 1];
	const char *p = ns->cfg->subject;

	if (ns->subj_events[0] && strcmp(ns->subj_host, host) == 0)
		return 0;
	nats_subject_token(token, sizeof(token), host);
	snprintf(ns->subj_host, sizeof(ns->subj_host), "%s", host);
	snprintf(ns->subj_events, sizeof(ns->subj_events), "%s.%s.events", p, token);
	snprintf(ns->subj_gaps, sizeof(ns->subj_gaps), "%s.%s.gaps", p, token);
	snprintf(ns->subj_runs, sizeof(ns->subj_runs), "%s.%s.runs", p, token);
	snprintf(ns->subj_names, sizeof(ns->subj_names), "%s.%s.names", p, token);
	return 0;
}

/* host:boot:run: the start of every id of one origin. */
static void msgid_origin(struct outbuf *o, const struct tca_origin *org)
{
	outbuf_str(o, org->host);
	outbuf_lit(o, ":");
	outbuf_str(o, org->boot_id ? org->boot_id : "");
	outbuf_lit(o, ":");
	outbuf_u64(o, org->run_id);
}

static size_t msgid_finish(struct outbuf *o, char *out)
{
	int len = outbuf_finish(o, out);

	return len < 0 ? 0 : (size_t)len;
}

/* The hot path: digits written directly, no printf per event. */
size_t nats_msgid_event(char *out, size_t size, const struct tca_origin *org, uint64_t seq)
{
	struct outbuf o = outbuf_init(out, size);

	msgid_origin(&o, org);
	outbuf_lit(&o, ":");
	outbuf_u64(&o, seq);
	return msgid_finish(&o, out);
}

size_t nats_msgid_gap(char *out, size_t size, const struct tca_origin *org, const struct tca_gap *g)
{
	struct outbuf o = outbuf_init(out, size);

	outbuf_str(&o, org->host);
	outbuf_lit(&o, ":");
	outbuf_u64(&o, g->run_id);
	outbuf_lit(&o, ":gap:");
	outbuf_u64(&o, g->first_seq);
	outbuf_lit(&o, ":");
	outbuf_u64(&o, g->reason);
	return msgid_finish(&o, out);
}

size_t nats_msgid_run(char *out, size_t size, const struct tca_run *run)
{
	struct outbuf o = outbuf_init(out, size);

	outbuf_str(&o, run->origin.host);
	outbuf_lit(&o, ":");
	outbuf_u64(&o, run->origin.run_id);
	outbuf_lit(&o, ":run:");
	outbuf_u64(&o, run->state);
	return msgid_finish(&o, out);
}

/* A store keeps one name per host, boot, kind and id, so the id is that:
 * a later run of the same boot handing the name again is a repeat. */
size_t nats_msgid_name(char *out, size_t size, const struct tca_origin *org,
		       const struct tca_name *name)
{
	struct outbuf o = outbuf_init(out, size);

	outbuf_str(&o, org->host);
	outbuf_lit(&o, ":");
	outbuf_str(&o, org->boot_id ? org->boot_id : "");
	outbuf_lit(&o, ":name:");
	outbuf_u64(&o, name->kind);
	outbuf_lit(&o, ":");
	outbuf_u64(&o, name->id);
	return msgid_finish(&o, out);
}
