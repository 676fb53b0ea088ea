/* SPDX-License-Identifier: MIT */
/* Helpers the unit-test suites share: log capture, temporary files, and
 * loading a plugin the way tcp-audit does. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "processor.h"
#include "plugin-config.h"
#include "plugin-host.h"
#include "suites.h"

static int saved_stderr = -1;
static FILE *capture_file;

const char *test_plugin_dir(void)
{
	const char *d = getenv("TEST_PLUGIN_DIR");
	return d && *d ? d : "tests/plugins/.libs";
}

const char *built_plugin_dir(void)
{
	const char *d = getenv("TCP_AUDIT_PLUGIN_DIR");
	return d && *d ? d : "plugins/.libs";
}

void capture_begin(int prio)
{
	capture_file = tmpfile();
	ck_assert_ptr_nonnull(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(fileno(capture_file), STDERR_FILENO), STDERR_FILENO);
	log_set_max_priority(prio);
}

char *capture_end(void)
{
	long len;
	char *buf;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	log_set_max_priority(TCA_LOG_ERR);
	len = ftell(capture_file);
	ck_assert_int_ge(len, 0);
	buf = calloc(1, (size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	rewind(capture_file);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, capture_file), (size_t)len);
	fclose(capture_file);
	capture_file = NULL;
	/* Shown with TEST_VERBOSE, so that a failing assertion can be read
	 * next to what was logged. */
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "--- captured log ---\n%s--- end ---\n", buf);
	return buf;
}

char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	ck_assert_int_ge(asprintf(&t, "%s/tca-unit-XXXXXX", base && *base ? base : "/tmp"), 0);
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = path_join(dir, de->d_name);
		if (de->d_type == DT_DIR)
			rm_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

char *path_join(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

int test_plugin_setup(struct plugin *p, const char *name_or_path, const char *dir,
		      enum tca_plugin_kind kind, const char *const *options, bool open)
{
	int r;

	*p = (struct plugin){ 0 };
	r = plugin_load(p, name_or_path, dir, kind);
	if (r)
		return r;
	plugin_host_init(p, "testhost", "00000000-0000-0000-0000-000000000000", 42);
	for (; options && *options; options++)
		ck_assert_int_eq(kvlist_add_assignment(&p->options, *options, "test"), 0);
	r = plugin_config_build(p);
	if (r || !open)
		return r;
	r = p->desc->open(&p->host, p->config, &p->state);
	if (r < 0)
		return r;
	p->opened = true;
	return 0;
}

static sigset_t saved_mask;

void signals_block_begin(void)
{
	/* As main() does: before any thread, so all of them inherit it. */
	pthread_sigmask(SIG_BLOCK, NULL, &saved_mask);
	ck_assert_int_eq(processor_block_signals(), 0);
}

void signals_block_end(void)
{
	pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
}
