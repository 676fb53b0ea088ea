/* SPDX-License-Identifier: MIT */
/* Read the INI config file into the settings. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config-file.h"
#include "exit-status.h"
#include "value.h"

#define PROCESSOR_SECTION "tcp-audit"

/* A config file is a few kilobytes; a bound keeps a mistaken path (a log,
 * an image) from being read at length. */
#define CONFIG_MAX_SIZE (1024 * 1024)

struct config_ctx {
	struct settings *s;
	const char *path;
	const char *text;  /* the whole file, NUL-terminated */
	size_t len, pos;   /* its length, and where the next line starts */
	int lineno;        /* lines inih has read so far */
	int error_line;    /* the line error[] is about; 0: none yet */
	char error[256];
	int status;
};

/*
 * inih's line reader, over the file read whole, counting lines, so that
 * the handler's error message is used only for the line inih reports (the
 * first bad one). inih's buffer is fixed: a longer line would be cut and
 * its tail read as a line of its own, so such a line ends the parse here
 * as an error of its own, with its number.
 */
static char *config_read_line(char *buf, int size, void *stream)
{
	struct config_ctx *c = stream;
	const char *start, *nl;
	size_t n;

	if (c->pos >= c->len || c->error_line)
		return NULL;
	start = c->text + c->pos;
	nl = memchr(start, '\n', c->len - c->pos);
	n = nl ? (size_t)(nl - start) + 1 : c->len - c->pos;
	c->lineno++;
	if (memchr(start, '\0', n)) {
		snprintf(c->error, sizeof(c->error), "the line holds a NUL byte (is this a text file?)");
		c->error_line = c->lineno;
		return NULL;
	}
	if (n >= (size_t)size) {
		snprintf(c->error, sizeof(c->error), "the line is longer than %d bytes; shorten it",
			 size - 2);
		c->error_line = c->lineno;
		return NULL;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
	c->pos += n;
	return buf;
}

static int set_string(char **dst, const char *value)
{
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

/* One key of [tcp-audit]; the command line wins over the file. */
static int config_processor_key(struct config_ctx *c, const char *name, const char *value)
{
	struct settings *s = c->s;
	int r = 0;

	if (strcmp(name, "event") == 0) {
		if (!(s->set & SET_EVENT))
			r = set_string(&s->event, value);
	} else if (strcmp(name, "sink") == 0) {
		if (!(s->set & SET_SINK))
			r = set_string(&s->sink, value);
	} else if (strcmp(name, "plugin_dir") == 0) {
		if (!(s->set & SET_PLUGIN_DIR))
			r = set_string(&s->plugin_dir, value);
	} else if (strcmp(name, "state_dir") == 0) {
		if (!(s->set & SET_STATE_DIR))
			r = set_string(&s->state_dir, value);
	} else if (strcmp(name, "hostname") == 0) {
		if (!*value || strlen(value) > 255)
			r = -EINVAL;
		else if (!(s->set & SET_HOSTNAME))
			r = set_string(&s->hostname, value);
	} else if (strcmp(name, "queue_memory") == 0) {
		uint64_t v;
		if ((r = value_parse_size(value, &v)) == 0 && !(s->set & SET_QUEUE_MEMORY))
			s->queue_memory = v;
	} else if (strcmp(name, "stats_interval") == 0) {
		uint64_t v;
		if ((r = value_parse_duration(value, &v)) == 0 && !(s->set & SET_STATS_INTERVAL))
			s->stats_interval_ms = v;
	} else if (strcmp(name, "shutdown_timeout") == 0) {
		uint64_t v;
		if ((r = value_parse_duration(value, &v)) == 0 && !(s->set & SET_SHUTDOWN_TIMEOUT))
			s->shutdown_timeout_ms = v;
	} else if (strcmp(name, "spool_dir") == 0) {
		if (!(s->set & SET_SPOOL_DIR))
			r = set_string(&s->spool_dir, value);
	} else if (strcmp(name, "spool_max_size") == 0) {
		uint64_t v;
		if ((r = value_parse_size(value, &v)) == 0 && !(s->set & SET_SPOOL_MAX_SIZE))
			s->spool_max_size = v;
	} else if (strcmp(name, "spool_sync") == 0) {
		int v;
		if ((r = settings_parse_spool_sync(value, &v)) == 0 && !(s->set & SET_SPOOL_SYNC))
			s->spool_sync = v;
	} else if (strcmp(name, "spool_high_water") == 0) {
		unsigned v;
		if ((r = settings_parse_percent(value, &v)) == 0 && !(s->set & SET_SPOOL_HIGH_WATER))
			s->spool_high_water = v;
	} else if (strcmp(name, "spool_full") == 0) {
		int v;
		if ((r = settings_parse_spool_full(value, &v)) == 0 && !(s->set & SET_SPOOL_FULL))
			s->spool_full = v;
	} else if (strcmp(name, "log_target") == 0) {
		enum log_target t;
		if ((r = log_target_parse(value, &t)) == 0 && !(s->set & SET_LOG_TARGET))
			s->log_target = t;
	} else if (strcmp(name, "log_level") == 0) {
		int p;
		if ((r = settings_parse_log_level(value, &p)) == 0 && !(s->set & SET_LOG_LEVEL))
			s->log_level = p;
	} else {
		snprintf(c->error, sizeof(c->error),
			 "unknown setting '%s' in [" PROCESSOR_SECTION "] (known: event, sink, "
			 "plugin_dir, state_dir, queue_memory, stats_interval, shutdown_timeout, spool_dir, "
			 "spool_max_size, spool_sync, spool_high_water, spool_full, log_target, log_level, hostname)", name);
		return -ENOENT;
	}
	if (r == -EINVAL || r == -ERANGE)
		snprintf(c->error, sizeof(c->error), "bad value '%s' for '%s' in [" PROCESSOR_SECTION "]",
			 value, name);
	return r;
}

static struct config_section *config_section_get(struct settings *s, const char *name)
{
	struct config_section *sec;

	for (size_t i = 0; i < s->n_sections; i++)
		if (strcmp(s->sections[i].name, name) == 0)
			return &s->sections[i];
	sec = realloc(s->sections, (s->n_sections + 1) * sizeof(*sec));
	if (!sec)
		return NULL;
	s->sections = sec;
	sec = &s->sections[s->n_sections];
	*sec = (struct config_section){ .name = strdup(name) };
	if (!sec->name)
		return NULL;
	s->n_sections++;
	return sec;
}

/* One key; returns 0 with c->error set when it is wrong. */
static int config_key(struct config_ctx *c, const char *section, const char *name, const char *value)
{
	struct config_section *sec;
	char origin[512];

	if (section[0] == '\0') {
		snprintf(c->error, sizeof(c->error),
			 "'%s' is outside any section; put it under [" PROCESSOR_SECTION "] or a plugin's [name]",
			 name);
		return 0;
	}
	if (strcmp(section, PROCESSOR_SECTION) == 0)
		return config_processor_key(c, name, value) == 0;

	sec = config_section_get(c->s, section);
	snprintf(origin, sizeof(origin), "%s [%s]", c->path, section);
	if (!sec || kvlist_add(&sec->options, name, value, origin) < 0) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		return 0;
	}
	return 1;
}

/* inih calls this for each key; returning 0 marks this line as bad. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;

	/* The run fails at the first error anyway: keep its message. */
	if (c->error_line)
		return 1;
	if (config_key(c, section, name, value))
		return 1;
	c->error_line = c->lineno;
	return 0;
}

/*
 * The whole file, into *text (NULL for /dev/null). Only a regular file of
 * a bounded size: a directory used to read as empty, and /dev/zero or a
 * FIFO never ends. O_NONBLOCK keeps open() itself from waiting for a
 * FIFO's writer.
 */
static int config_read_file(const char *path, bool explicit, char **text, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT && !explicit)
			return -ENOENT;
		log_error_errno(e, "cannot read config file %s%s", path,
				e == ENOENT ? " (give an existing file to --config)" : "");
		return e == EACCES ? EXIT_NOPERM : EXIT_NOINPUT;
	}
	if (fstat(fd, &st) < 0) {
		log_error_errno(errno, "cannot read config file %s", path);
		close(fd);
		return EXIT_NOINPUT;
	}
	/* "--config /dev/null" is the usual way to say "no file". */
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
		close(fd);
		*text = NULL;
		*len = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("config file %s is %s; give a regular file to --config", path,
			  S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		close(fd);
		return EXIT_NOINPUT;
	}
	if (st.st_size > CONFIG_MAX_SIZE)
		goto too_big;
	buf = malloc((size_t)st.st_size + 2);
	if (!buf) {
		close(fd);
		return EXIT_OSERR;
	}
	/* One byte more than stat said: a file that grew is caught too. */
	do
		n = read(fd, buf, (size_t)st.st_size + 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_error_errno(errno, "cannot read config file %s", path);
		free(buf);
		close(fd);
		return EXIT_NOINPUT;
	}
	if (n > st.st_size)
		goto too_big;
	close(fd);
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return 0;
too_big:
	log_error("config file %s is larger than %d bytes; is it the right file?", path,
		  CONFIG_MAX_SIZE);
	free(buf);
	close(fd);
	return EXIT_NOINPUT;
}

int config_load(struct settings *s)
{
	struct config_ctx c = { .s = s };
	char *text = NULL;
	int line;

	c.path = s->config_path ? s->config_path : DEFAULT_CONFIG_PATH;
	line = config_read_file(c.path, s->config_explicit, &text, &c.len);
	if (line)
		return line == -ENOENT ? 0 : line;
	c.text = text;
	line = ini_parse_stream(config_read_line, &c, config_handler, &c);
	free(text);
	/* The reader stopped at a line it could not hand to inih. */
	if (line == 0 && c.error_line)
		line = c.error_line;
	if (line == 0)
		return 0;
	if (line < 0) {
		log_error("cannot read config file %s: out of memory", c.path);
		return EXIT_OSERR;
	}
	log_error("%s:%d: %s", c.path, line, c.error_line == line ? c.error :
		  "syntax error (expected [section] or key = value)");
	return EXIT_CONFIG;
}
