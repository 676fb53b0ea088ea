/* SPDX-License-Identifier: MIT */
/*
 * An example of a tcp-audit plugin built out of tree: a sinker that counts
 * events by their new state and, when tcp-audit stops, writes one
 * "STATE COUNT" line per state seen, to a file or to standard output.
 *
 * Build: cc -shared -fPIC $(pkg-config --cflags tcp-audit) -o example.so example.c
 * Use:   tcp-audit --sink ./example.so --sink-option path=/tmp/counts
 *
 * It needs nothing but <tcp-audit/plugin.h>: what a plugin must do is all
 * there, and everything else (options, logging, retries) is the host's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcp-audit/plugin.h>

/* What the host parses from "path=..." before it calls open(). */
struct example_config {
	const char *path;
};

struct example {
	const struct tca_host *host;
	const char *path;                  /* NULL: standard output */
	uint64_t count[TCA_STATE_MAX + 1]; /* by enum tca_state; 0 is "unknown" */
};

/* The kernel's names, without the TCP_ prefix, by enum tca_state. */
static const char *const state_names[TCA_STATE_MAX + 1] = {
	"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
};

static int example_open(const struct tca_host *host, const void *config, void **state)
{
	const struct example_config *c = config;
	struct example *e;

	/* A host of another ABI would pass a struct we do not know. */
	if (host->abi_major != TCA_ABI_MAJOR)
		return -EPROTO;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->host = host;
	e->path = c->path && strcmp(c->path, "-") != 0 ? c->path : NULL;
	*state = e;
	return 0;
}

/* Counting cannot fail, so the batch is always taken whole: write()
 * returns how many events it stored, all of them. */
static int example_write(void *state, const struct tca_batch *b)
{
	struct example *e = state;

	for (size_t i = 0; i < b->n; i++)
		e->count[b->ev[i].newstate <= TCA_STATE_MAX ? b->ev[i].newstate : 0]++;
	return (int)b->n;
}

static int example_report(struct example *e)
{
	FILE *f = e->path ? fopen(e->path, "we") : stdout;

	if (!f) {
		int err = errno;
		tca_log(e->host, TCA_LOG_ERR, err, "cannot write the counts to %s", e->path);
		return -err;
	}
	for (int s = 0; s <= TCA_STATE_MAX; s++)
		if (e->count[s])
			fprintf(f, "%s %" PRIu64 "\n", state_names[s], e->count[s]);
	if (f != stdout)
		return fclose(f) == 0 ? 0 : -errno;
	return fflush(f) == 0 ? 0 : -errno;
}

static void example_close(void *state)
{
	struct example *e = state;
	uint64_t total = 0;

	for (int s = 0; s <= TCA_STATE_MAX; s++)
		total += e->count[s];
	if (example_report(e) == 0)
		tca_log(e->host, TCA_LOG_INFO, 0, "counted %" PRIu64 " events", total);
	free(e);
}

static const struct tca_option example_options[] = {
	{ .name = "path", .type = TCA_OPT_STRING, .def = "-",
	  .help = "file for the counts at exit; - is standard output",
	  .offset = offsetof(struct example_config, path) },
	{ .name = NULL },
};

/* The one symbol tcp-audit looks for. */
TCA_PLUGIN_EXPORT const struct tca_plugin tcp_audit_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "example",
	.version = "1.0",
	.description = "Counts events by new state (an out-of-tree example)",
	.options = example_options,
	.config_size = sizeof(struct example_config),
	.open = example_open,
	.close = example_close,
	.ops.sinker = { .write = example_write },
};
