/* SPDX-License-Identifier: MIT */
/* tcp-audit: parse the settings, load and open the plugins, run the pipe. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-file.h"
#include "exit-status.h"
#include "identity.h"
#include "log.h"
#include "options.h"
#include "plugin-config.h"
#include "plugin-host.h"
#include "plugin-loader.h"
#include "processor.h"
#include "settings.h"

static struct identity identity;

static const char *plugin_dir(const struct settings *s)
{
	const char *env = getenv("TCP_AUDIT_PLUGIN_DIR");

	if (s->set & SET_PLUGIN_DIR)
		return s->plugin_dir;
	if (env && *env)
		return env;
	return s->plugin_dir ? s->plugin_dir : PLUGINDIR;
}

/* With no sink chosen anywhere, a person at a terminal wants to read the
 * events; anything else (a pipe, the journal) wants JSON Lines. */
static const char *default_sink(void)
{
	return isatty(STDOUT_FILENO) ? "text" : "json";
}

static const char *state_dir(const struct settings *s);

/* Load one plugin and build its config from the file and the command line. */
static int setup_plugin(struct plugin *p, const struct settings *s, const char *name,
			const struct kvlist *cli, enum tca_plugin_kind kind)
{
	int r = plugin_load(p, name, plugin_dir(s), kind);

	if (r)
		return r;
	options_scrub_secrets(s, p->desc);
	plugin_host_init(p, identity.hostname, identity.boot_id, identity.run_id);
	plugin_host_set_state(p, state_dir(s), (s->check ? TCA_HOST_CHECK : 0) |
						 (s->release ? TCA_HOST_RELEASE : 0));
	if (settings_plugin_options(s, p->desc->name, cli, &p->options) < 0)
		return EXIT_OSERR;
	return plugin_config_build(p);
}

static int open_plugin(struct plugin *p)
{
	int r = p->desc->open(&p->host, p->config, &p->state);

	if (r < 0) {
		log_full(p->desc->name, TCA_LOG_DEBUG, 0, "opening the %s failed (%s)",
			 plugin_kind_name(p->desc->kind), strerror(-r));
		return exit_status_from_errno(r);
	}
	p->opened = true;
	return 0;
}

/* The state directory: --state-dir, then TCP_AUDIT_STATE_DIR, then the
 * file's state_dir, then the build's default. */
static const char *state_dir(const struct settings *s)
{
	const char *env = getenv("TCP_AUDIT_STATE_DIR");

	if (s->set & SET_STATE_DIR)
		return s->state_dir;
	if (env && *env)
		return env;
	return s->state_dir ? s->state_dir : DEFAULT_STATE_DIR;
}

/* The spool: --spool-dir, or the file's spool_dir, or STATE_DIR/spool. */
static int open_spool(struct spool *sp, const struct settings *s)
{
	char dir[4096];
	struct spool_config cfg = {
		.dir = s->spool_dir,
		.max_size = s->spool_max_size,
		.sync = (enum spool_sync)s->spool_sync,
		.full = (enum spool_full)s->spool_full,
	};
	int r;

	if (!cfg.dir) {
		snprintf(dir, sizeof(dir), "%s/spool", state_dir(s));
		cfg.dir = dir;
	}
	r = spool_open(sp, &cfg);
	if (r == -ENOMEM)
		return EXIT_OSERR;
	/* A spool asked for by name must work; the default one may be
	 * out of reach (not root, no state directory): run as before,
	 * with the memory queue only, and say so. */
	if (r < 0 && !s->spool_dir) {
		log_full(NULL, TCA_LOG_WARNING, -r, "spool: cannot use %s; running without a spool, "
			 "so a store outage longer than the queue lasts loses events (set --spool-dir "
			 "to a writable directory, or --spool-max-size=0 to run without one quietly)",
			 cfg.dir);
		return 0;
	}
	if (r < 0) {
		log_error_errno(r, "spool: cannot use %s; fix its permissions, or choose another "
				"--spool-dir (or --spool-max-size=0 for none)", cfg.dir);
		return EXIT_CONFIG;
	}
	return 0;
}

/* "pid, netns": the optional fields an eventer says it fills. */
static void print_provides(uint32_t provides)
{
	static const struct { uint32_t flag; const char *name; } fields[] = {
		{ TCA_EV_PID, "pid" },     { TCA_EV_NETNS, "netns" }, { TCA_EV_CGROUP, "cgroup" },
		{ TCA_EV_UID, "uid" },     { TCA_EV_BYTES, "bytes" }, { TCA_EV_LIFETIME, "lifetime" },
	};
	const char *sep = "";

	printf("    fills:");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (provides & fields[i].flag) {
			printf("%s %s", sep, fields[i].name);
			sep = ",";
		}
	printf("%s\n", *sep ? "" : " (no optional fields)");
}

static void print_check(const struct settings *s, const struct plugin *ev, const struct plugin *sk)
{
	const struct plugin *both[2] = { ev, sk };
	const struct tca_sinker_ops *so = &sk->desc->ops.sinker;

	printf("tcp-audit %s: configuration OK\n", PACKAGE_VERSION);
	printf("  config file: %s\n", s->config_path ? s->config_path : DEFAULT_CONFIG_PATH);
	for (int i = 0; i < 2; i++) {
		const struct plugin *p = both[i];
		printf("  %s: %s %s (%s)\n", plugin_kind_name(p->desc->kind), p->desc->name,
		       p->desc->version ? p->desc->version : "?", p->path);
		plugin_config_print(p, stdout);
		if (p == ev)
			print_provides(p->desc->provides);
	}
	/* A store that keeps no gap or run records cannot show from its
	 * own data that its record of a run is complete. */
	printf("    keeps gap and run records: %s\n",
	       so->write_gaps && so->write_run ? "yes (it can prove its completeness)" :
						 "no (its completeness cannot be proved from it)");
	/* Names (ABI 2.2): what the eventer resolved an id to, such as a
	 * cgroup id's path; without them only the ids are kept. */
	printf("    keeps name records: %s\n",
	       sk->desc->write_names ? "yes (cgroup ids with their paths)" :
				       "no (the store keeps cgroup ids only)");
	printf("  queue memory: %" PRIu64 " bytes; shutdown timeout: %" PRIu64 " ms; stats every: %s\n",
	       s->queue_memory, s->shutdown_timeout_ms, s->stats_interval_ms ? "interval" : "exit only");
	printf("  state directory: %s\n", state_dir(s));
}

/* --release: the eventer frees what stopped runs kept for the next one
 * (the tracefs eventer's kernel buffer). One that keeps nothing does not
 * say TCA_EVF_RELEASE, and would start capturing if opened. */
static int release(struct settings *s)
{
	struct plugin eventer = { 0 };
	int r = identity_init(&identity);

	if (r < 0) {
		log_error_errno(r, "cannot determine the host name or a random run id");
		return EXIT_OSERR;
	}
	r = setup_plugin(&eventer, s, s->event ? s->event : DEFAULT_EVENTER, &s->event_cli,
			 TCA_KIND_EVENTER);
	if (!r && (eventer.desc->flags & TCA_EVF_RELEASE))
		r = open_plugin(&eventer);
	else if (!r)
		log_notice("the eventer %s keeps nothing between runs: nothing to release",
			   eventer.desc->name);
	plugin_unload(&eventer);
	return r;
}

static int run(struct settings *s)
{
	struct plugin eventer = { 0 }, sinker = { 0 };
	struct processor proc;
	struct spool spool;
	int r;

	r = identity_init(&identity);
	if (r < 0) {
		log_error_errno(r, "cannot determine the host name or a random run id");
		return EXIT_OSERR;
	}
	/* A host known by another name than its own (a container, a test
	 * of several edges on one machine): every record names it so. */
	if (s->hostname)
		snprintf(identity.hostname, sizeof(identity.hostname), "%s", s->hostname);
	r = processor_block_signals();
	if (r < 0) {
		log_error_errno(r, "cannot block signals");
		return EXIT_OSERR;
	}
	r = setup_plugin(&sinker, s, s->sink ? s->sink : default_sink(), &s->sink_cli, TCA_KIND_SINKER);
	if (!r)
		r = setup_plugin(&eventer, s, s->event ? s->event : DEFAULT_EVENTER, &s->event_cli,
				 TCA_KIND_EVENTER);
	/* A sinker may leave out what the eventer never fills. */
	if (!r)
		sinker.host.eventer_provides = eventer.desc->provides;
	/* The sinker opens first, so that a bad store is reported before any
	 * capture starts. */
	if (!r)
		r = open_plugin(&sinker);
	if (!r)
		r = open_plugin(&eventer);
	if (r)
		goto out;
	if (s->check) {
		print_check(s, &eventer, &sinker);
		goto out;
	}

	/* Before the run-state file records this run as started: a spool
	 * that cannot be used ends it before it began. */
	r = open_spool(&spool, s);
	if (r)
		goto out;
	r = processor_init(&proc, &eventer, &sinker, s->queue_memory, state_dir(s));
	if (r < 0) {
		log_error_errno(r, "cannot set up the queue (--queue-memory %" PRIu64 ")", s->queue_memory);
		r = r == -EINVAL ? EXIT_CONFIG : EXIT_OSERR;
		processor_destroy(&proc);
		spool_close(&spool);
		goto out;
	}
	proc.spool = spool;
	proc.spool_high_water = s->spool_high_water;
	proc.stats_interval_ms = s->stats_interval_ms;
	proc.shutdown_timeout_ms = s->shutdown_timeout_ms;
	r = processor_run(&proc);
	processor_destroy(&proc);
out:
	/* The eventer closes first: it removes its kernel state while the
	 * sinker still has everything it was given. */
	plugin_unload(&eventer);
	plugin_unload(&sinker);
	return r;
}

int main(int argc, char **argv)
{
	struct settings s;
	int r;

	settings_init(&s);
	r = options_parse(argc, argv, &s);
	if (r)
		goto out;
	if (s.help) {
		options_usage(stdout);
		goto out;
	}
	if (s.version) {
		printf("tcp-audit %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, TCA_ABI_MAJOR, TCA_ABI_MINOR);
		goto out;
	}
	log_open(s.log_target);
	log_set_max_priority(s.log_level);
	r = config_load(&s);
	if (r)
		goto out;
	/* The file may have chosen another log target or level. */
	log_open(s.log_target);
	log_set_max_priority(s.log_level);

	if (s.list_plugins)
		r = plugin_list(plugin_dir(&s), s.log_level >= TCA_LOG_DEBUG, stdout);
	else if (s.release)
		r = release(&s);
	else
		r = run(&s);
out:
	settings_free(&s);
	return r;
}
