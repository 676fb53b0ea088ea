/* SPDX-License-Identifier: MIT */
/* Unit tests of src/plugin-loader.c: finding plugins by name and by path,
 * and refusing what is not a safe plugin of the right ABI and kind. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exit-status.h"
#include "suites.h"

static char *tmp;

static void setup(void)
{
	tmp = make_tmpdir();
}

static void teardown(void)
{
	rm_tree(tmp);
	free(tmp);
}

/* plugin_load with the log captured into *log. */
static int load(struct plugin *p, const char *name, const char *dir, enum tca_plugin_kind kind,
		char **log)
{
	int r;

	*p = (struct plugin){ 0 };
	capture_begin(TCA_LOG_DEBUG);
	r = plugin_load(p, name, dir, kind);
	*log = capture_end();
	return r;
}

/* The error line tcp-audit logs for fmt, formatted. */
__attribute__((format(printf, 2, 3)))
static void assert_log(const char *log, const char *fmt, ...)
{
	va_list ap;
	char *msg, *want;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&msg, fmt, ap), 0);
	va_end(ap);
	ck_assert_int_ge(asprintf(&want, "tcp-audit: error: %s\n", msg), 0);
	ck_assert_str_eq(log, want);
	free(want);
	free(msg);
}

/* Copy a file into dir under name, with mode. */
static char *copy_plugin(const char *from, const char *dir, const char *name, mode_t mode)
{
	size_t len;
	char *data = read_file(from, &len);
	char *to = path_join(dir, name);
	int fd;

	ck_assert_ptr_nonnull(data);
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	free(data);
	return to;
}

START_TEST(test_loader_by_name)
{
	struct plugin p;
	char *log, *want = path_join(built_plugin_dir(), "json.so");

	ck_assert_int_eq(load(&p, "json", built_plugin_dir(), TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(log, "");
	ck_assert_str_eq(p.path, want);
	ck_assert_ptr_nonnull(p.handle);
	ck_assert_int_ge(p.fd, 0);
	ck_assert_str_eq(p.desc->name, "json");
	ck_assert_int_eq(p.desc->kind, TCA_KIND_SINKER);
	ck_assert_uint_eq(p.desc->abi_major, TCA_ABI_MAJOR);
	plugin_unload(&p);
	ck_assert_ptr_null(p.desc);
	free(log);

	/* A name may carry the .so already. */
	ck_assert_int_eq(load(&p, "json.so", built_plugin_dir(), TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(p.path, want);
	plugin_unload(&p);
	free(log);

	/* Kind 0 (as --list-plugins does) takes either kind. */
	ck_assert_int_eq(load(&p, "replay", built_plugin_dir(), 0, &log), 0);
	ck_assert_int_eq(p.desc->kind, TCA_KIND_EVENTER);
	plugin_unload(&p);
	free(log);
	free(want);
}
END_TEST

START_TEST(test_loader_by_path)
{
	struct plugin p;
	char *log, *path = path_join(built_plugin_dir(), "null.so");

	/* Anything with a '/' is a path: the directory is not used. */
	ck_assert_int_eq(load(&p, path, "/nonexistent", TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(p.path, path);
	ck_assert_str_eq(p.desc->name, "null");
	plugin_unload(&p);
	free(log);
	free(path);

	path = path_join(test_plugin_dir(), "flaky.so");
	ck_assert_int_eq(load(&p, path, NULL, TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(p.desc->name, "flaky");
	plugin_unload(&p);
	free(log);
	free(path);
}
END_TEST

START_TEST(test_loader_two_in_turn)
{
	struct plugin a, b;
	char *log;

	/* Two plugins at once, and one loaded after another was unloaded:
	 * each gets its own descriptor, never the previous one's. */
	ck_assert_int_eq(load(&a, "json", built_plugin_dir(), TCA_KIND_SINKER, &log), 0);
	free(log);
	ck_assert_int_eq(load(&b, "replay", built_plugin_dir(), TCA_KIND_EVENTER, &log), 0);
	free(log);
	ck_assert_str_eq(a.desc->name, "json");
	ck_assert_str_eq(b.desc->name, "replay");
	plugin_unload(&a);
	ck_assert_int_eq(load(&a, "text", built_plugin_dir(), TCA_KIND_SINKER, &log), 0);
	free(log);
	ck_assert_str_eq(a.desc->name, "text");
	plugin_unload(&a);
	plugin_unload(&b);
}
END_TEST

START_TEST(test_loader_missing)
{
	struct plugin p;
	char *log, *path;

	ck_assert_int_eq(load(&p, "nosuch", built_plugin_dir(), TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	ck_assert_int_eq(EXIT_PLUGIN, 69);
	/* A bare name: the fix is the package that ships it. */
	assert_log(log, "plugin %s/nosuch.so does not exist; install the package tcp-audit-nosuch (or "
		   "give a path; see 'tcp-audit --list-plugins')", built_plugin_dir());
	plugin_unload(&p);
	free(log);
	ck_assert_int_eq(load(&p, "tracefs.so", tmp, TCA_KIND_EVENTER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s/tracefs.so does not exist; install the package tcp-audit-tracefs (or "
		   "give a path; see 'tcp-audit --list-plugins')", tmp);
	plugin_unload(&p);
	free(log);
	/* The bundled sinkers come with tcp-audit itself. */
	ck_assert_int_eq(load(&p, "sqlite", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s/sqlite.so does not exist; install the package tcp-audit (or give a "
		   "path; see 'tcp-audit --list-plugins')", tmp);
	plugin_unload(&p);
	free(log);

	path = path_join(tmp, "absent.so");
	ck_assert_int_eq(load(&p, path, NULL, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s does not exist (give the path of a plugin file)", path);
	plugin_unload(&p);
	free(log);
	free(path);
}
END_TEST

START_TEST(test_loader_symlink)
{
	struct plugin p;
	char *log, *target = path_join(built_plugin_dir(), "json.so");
	char *link = path_join(tmp, "link.so");

	/* An absolute target: the test may run from any directory. */
	char *abs_target = realpath(target, NULL);
	ck_assert_ptr_nonnull(abs_target);
	ck_assert_int_eq(symlink(abs_target, link), 0);
	/* Looked up by name, a link is refused (O_NOFOLLOW)... */
	ck_assert_int_eq(load(&p, "link", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s is a symbolic link; plugins are not looked up through links "
		   "(give the real path)", link);
	plugin_unload(&p);
	free(log);
	/* ...but a path the user gave may be one. */
	ck_assert_int_eq(load(&p, link, NULL, TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(p.desc->name, "json");
	plugin_unload(&p);
	free(log);
	free(abs_target);
	free(target);
	free(link);
}
END_TEST

START_TEST(test_loader_unsafe_as_root)
{
	struct plugin p;
	char *log, *from = path_join(built_plugin_dir(), "null.so");
	char *copy;

	if (geteuid() != 0) {
		/* Only root refuses such files; nothing to test otherwise. */
		free(from);
		return;
	}
	copy = copy_plugin(from, tmp, "mine.so", 0644);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), 0);
	plugin_unload(&p);
	free(log);

	ck_assert_int_eq(chmod(copy, 0664), 0);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), EXIT_NOPERM);
	ck_assert_int_eq(EXIT_NOPERM, 77);
	assert_log(log, "refusing plugin %s: as root, a plugin must be owned by root and not "
		   "writable by group or others (chown root; chmod go-w)", copy);
	plugin_unload(&p);
	free(log);

	ck_assert_int_eq(chmod(copy, 0646), 0);
	ck_assert_int_eq(load(&p, copy, NULL, TCA_KIND_SINKER, &log), EXIT_NOPERM);
	plugin_unload(&p);
	free(log);

	/* Owned by someone else, even read-only: refused too. */
	ck_assert_int_eq(chmod(copy, 0644), 0);
	ck_assert_int_eq(chown(copy, 65534, 65534), 0);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), EXIT_NOPERM);
	assert_log(log, "refusing plugin %s: as root, a plugin must be owned by root and not "
		   "writable by group or others (chown root; chmod go-w)", copy);
	plugin_unload(&p);
	free(log);
	free(copy);
	free(from);
}
END_TEST

START_TEST(test_loader_bad_abi)
{
	struct plugin p;
	char *log, *path = path_join(test_plugin_dir(), "badabi.so");

	ck_assert_int_eq(load(&p, "badabi", test_plugin_dir(), TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	/* Both versions are named, and how to fix it. */
	assert_log(log, "plugin %s was built for plugin ABI %d.0, but this tcp-audit %s loads ABI %d.x "
		   "plugins (%d.%d here); rebuild the plugin against this version's "
		   "<tcp-audit/plugin.h>", path, TCA_ABI_MAJOR + 98, PACKAGE_VERSION, TCA_ABI_MAJOR,
		   TCA_ABI_MAJOR, TCA_ABI_MINOR);
	plugin_unload(&p);
	free(log);
	free(path);
}
END_TEST

START_TEST(test_loader_abi1)
{
	struct plugin p;
	char *log, *path = path_join(test_plugin_dir(), "abi1.so");

	ck_assert_int_eq(load(&p, "abi1", test_plugin_dir(), TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	/* A plugin of the last major version: both versions named, and the fix. */
	assert_log(log, "plugin %s was built for plugin ABI 1.0, but this tcp-audit %s loads ABI %d.x "
		   "plugins (%d.%d here); rebuild the plugin against this version's "
		   "<tcp-audit/plugin.h>", path, PACKAGE_VERSION, TCA_ABI_MAJOR, TCA_ABI_MAJOR,
		   TCA_ABI_MINOR);
	plugin_unload(&p);
	free(log);
	free(path);
}
END_TEST

START_TEST(test_loader_older_minor)
{
	struct plugin p;
	char *log;

	/* Its descriptor ends before the fields of later minor versions:
	 * it loads, and those fields read as zero. */
	ck_assert_int_eq(load(&p, "oldminor", test_plugin_dir(), TCA_KIND_SINKER, &log), 0);
	ck_assert_str_eq(p.desc->name, "oldminor");
	ck_assert_uint_eq(p.desc->struct_size, TCA_PLUGIN_MIN_SIZE);
	ck_assert_uint_lt(TCA_PLUGIN_MIN_SIZE, sizeof(struct tca_plugin));
	ck_assert_uint_eq(p.desc->flags, 0);
	ck_assert_uint_eq(p.desc->provides, 0);
	ck_assert_ptr_nonnull(p.desc->ops.sinker.write);
	plugin_unload(&p);
	free(log);
}
END_TEST

START_TEST(test_loader_not_a_plugin)
{
	struct plugin p;
	char *log, *path = path_join(test_plugin_dir(), "notplugin.so");
	char *junk = path_join(tmp, "junk.so");
	char *sub = path_join(tmp, "sub.so");

	ck_assert_int_eq(load(&p, "notplugin", test_plugin_dir(), TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "%s is not a tcp-audit plugin: it has no 'tcp_audit_plugin' symbol", path);
	plugin_unload(&p);
	free(log);

	/* Not even a shared object: refused before dlopen. */
	write_file(junk, "this is text, but longer than an ELF header is, which is 64 bytes.\n");
	ck_assert_int_eq(load(&p, "junk", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s is not a usable shared object: it is not an ELF file (67 bytes; "
		   "truncated? reinstall it)", junk);
	plugin_unload(&p);
	free(log);

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(load(&p, "sub", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s is not a regular file", sub);
	plugin_unload(&p);
	free(log);
	free(sub);
	free(junk);
	free(path);
}
END_TEST

/* Where the page of the last PT_LOAD segment of an ELF file starts. */
static off_t last_segment_page(const char *path)
{
	size_t len;
	char *data = read_file(path, &len);
	ElfW(Ehdr) eh;
	off_t at = 0;

	ck_assert_ptr_nonnull(data);
	memcpy(&eh, data, sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		memcpy(&ph, data + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD)
			at = (off_t)ph.p_offset;
	}
	free(data);
	ck_assert_int_gt(at, 0);
	return at & ~(off_t)4095;
}

/* A truncated plugin: dlopen would map its segments past the end of the
 * file, and the first touch of such a page is SIGBUS. */
START_TEST(test_loader_truncated)
{
	static const struct { size_t keep; const char *why; } cuts[] = {
		{ 0, "it is shorter than an ELF header" },
		{ 40, "it is shorter than an ELF header" },
		{ 200, "its program headers lie past its end" },
		{ 0, "a segment lies past its end" }, /* up to its last segment */
	};
	char *from = path_join(built_plugin_dir(), "json.so");
	struct stat st;

	ck_assert_int_eq(stat(from, &st), 0);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char *copy = copy_plugin(from, tmp, "cut.so", 0644);
		off_t keep = i == 3 ? last_segment_page(from) : (off_t)cuts[i].keep;
		struct plugin p;
		char *log;

		ck_assert_int_eq(truncate(copy, keep), 0);
		ck_assert_int_eq(load(&p, "cut", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
		assert_log(log, "plugin %s is not a usable shared object: %s (%jd bytes; truncated? "
			   "reinstall it)", copy, cuts[i].why, (intmax_t)keep);
		plugin_unload(&p);
		free(log);
		free(copy);
	}
	free(from);
}
END_TEST

/* Headers that are not this machine's shared object: refused before
 * dlopen, each with its reason (src/elf-check.c). */
START_TEST(test_loader_elf_headers)
{
	static const struct { size_t at; unsigned char byte; const char *why; } edits[] = {
		{ EI_CLASS, ELFCLASS32, "it is an ELF file of another word size or byte order" },
		{ EI_DATA, ELFDATA2MSB, "it is an ELF file of another word size or byte order" },
		{ offsetof(ElfW(Ehdr), e_type), ET_EXEC, "it is not a shared object" },
		{ offsetof(ElfW(Ehdr), e_phentsize), 1, "its program headers lie past its end" },
		{ offsetof(ElfW(Ehdr), e_phoff) + 3, 0x7f, "its program headers lie past its end" },
	};
	char *from = path_join(built_plugin_dir(), "json.so");
	size_t len;
	char *data = read_file(from, &len);
	char *path = path_join(tmp, "edit.so");

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct plugin p;
		char *log, old = data[edits[i].at];
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		ck_assert_int_ge(fd, 0);
		data[edits[i].at] = (char)edits[i].byte;
		ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
		close(fd);
		data[edits[i].at] = old;
		ck_assert_int_eq(load(&p, "edit", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
		assert_log(log, "plugin %s is not a usable shared object: %s (%zu bytes; truncated? "
			   "reinstall it)", path, edits[i].why, len);
		plugin_unload(&p);
		free(log);
	}
	free(path);
	free(data);
	free(from);
}
END_TEST

/* A FIFO, by name or in a listed directory: open() must not wait for a
 * writer (that would hang with SIGTERM blocked). */
START_TEST(test_loader_fifo)
{
	char *fifo = path_join(tmp, "pipe.so");
	char *buf = NULL, *log;
	size_t len = 0;
	struct plugin p;
	FILE *f;

	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	ck_assert_int_eq(load(&p, "pipe", tmp, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s is not a regular file", fifo);
	plugin_unload(&p);
	free(log);
	ck_assert_int_eq(load(&p, fifo, NULL, TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin %s is not a regular file", fifo);
	plugin_unload(&p);
	free(log);

	f = open_memstream(&buf, &len);
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_list(tmp, false, f), 0);
	log = capture_end();
	fclose(f);
	assert_log(log, "plugin %s is not a regular file", fifo);
	free(log);
	free(buf);
	free(fifo);
}
END_TEST

/* Whoever can write to the plugin directory can run code as tcp-audit. */
START_TEST(test_loader_dir_writable)
{
	char *copy = path_join(built_plugin_dir(), "null.so");
	struct plugin p;
	char *log;

	free(copy_plugin(copy, tmp, "mine.so", 0644));
	ck_assert_int_eq(chmod(tmp, 0777), 0);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), EXIT_NOPERM);
	assert_log(log, "refusing plugin directory %s: anyone can write to it (chmod o-w %s)", tmp, tmp);
	plugin_unload(&p);
	free(log);
	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_list(tmp, false, stdout), EXIT_NOPERM);
	log = capture_end();
	assert_log(log, "refusing plugin directory %s: anyone can write to it (chmod o-w %s)", tmp, tmp);
	free(log);
	/* Sticky (like /tmp) does not help: anyone can still add a file. */
	ck_assert_int_eq(chmod(tmp, 01777), 0);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), EXIT_NOPERM);
	plugin_unload(&p);
	free(log);

	if (geteuid() == 0) {
		ck_assert_int_eq(chmod(tmp, 0775), 0);
		ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), EXIT_NOPERM);
		assert_log(log, "refusing plugin directory %s: as root, it must be owned by root and "
			   "not writable by its group (chown root; chmod g-w %s)", tmp, tmp);
		plugin_unload(&p);
		free(log);
	}
	ck_assert_int_eq(chmod(tmp, 0755), 0);
	ck_assert_int_eq(load(&p, "mine", tmp, TCA_KIND_SINKER, &log), 0);
	plugin_unload(&p);
	free(log);
	free(copy);
}
END_TEST

START_TEST(test_loader_wrong_kind)
{
	struct plugin p;
	char *log, *path = path_join(built_plugin_dir(), "replay.so");

	ck_assert_int_eq(load(&p, "replay", built_plugin_dir(), TCA_KIND_SINKER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin 'replay' (%s) is an eventer, not a sinker; give it to --event", path);
	plugin_unload(&p);
	free(log);
	free(path);

	path = path_join(built_plugin_dir(), "json.so");
	ck_assert_int_eq(load(&p, "json", built_plugin_dir(), TCA_KIND_EVENTER, &log), EXIT_PLUGIN);
	assert_log(log, "plugin 'json' (%s) is a sinker, not an eventer; give it to --sink", path);
	plugin_unload(&p);
	free(log);
	free(path);
}
END_TEST

START_TEST(test_loader_list)
{
	char *buf = NULL, *log;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_list(test_plugin_dir(), false, f), 0);
	log = capture_end();
	fclose(f);
	/* Only flaky is a plugin here; the others are skipped, with their reason logged. */
	ck_assert_ptr_nonnull(strstr(buf, "flaky      sinker   test     A sink that misbehaves on demand"));
	ck_assert_ptr_null(strstr(buf, "badabi "));
	ck_assert_ptr_null(strstr(buf, "abi1 "));
	ck_assert_ptr_null(strstr(buf, "notplugin "));
	ck_assert_ptr_nonnull(strstr(log, "was built for plugin ABI 100.0"));
	ck_assert_ptr_nonnull(strstr(log, "is not a tcp-audit plugin"));
	free(log);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(plugin_list(built_plugin_dir(), true, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\njson       sinker   "));
	ck_assert_ptr_nonnull(strstr(buf, "\nreplay     eventer  "));
	/* With verbose, the options with their type and default. */
	ck_assert_ptr_nonnull(strstr(buf, "    hold               bool      default: no "));
	free(buf);

	capture_begin(TCA_LOG_DEBUG);
	ck_assert_int_eq(plugin_list("/nonexistent-dir", false, stdout), EXIT_PLUGIN);
	log = capture_end();
	ck_assert_str_eq(log, "tcp-audit: error: cannot list plugin directory /nonexistent-dir "
			 "(give another with --plugin-dir): No such file or directory\n");
	free(log);
}
END_TEST

START_TEST(test_loader_kind_names)
{
	ck_assert_str_eq(plugin_kind_name(TCA_KIND_EVENTER), "eventer");
	ck_assert_str_eq(plugin_kind_name(TCA_KIND_SINKER), "sinker");
	ck_assert_str_eq(plugin_kind_name(0), "unknown");
}
END_TEST

Suite *suite_plugin_loader(void)
{
	Suite *s = suite_create("plugin-loader");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_loader_by_name);
	tcase_add_test(tc, test_loader_by_path);
	tcase_add_test(tc, test_loader_two_in_turn);
	tcase_add_test(tc, test_loader_missing);
	tcase_add_test(tc, test_loader_symlink);
	tcase_add_test(tc, test_loader_unsafe_as_root);
	tcase_add_test(tc, test_loader_bad_abi);
	tcase_add_test(tc, test_loader_abi1);
	tcase_add_test(tc, test_loader_older_minor);
	tcase_add_test(tc, test_loader_not_a_plugin);
	tcase_add_test(tc, test_loader_wrong_kind);
	tcase_add_test(tc, test_loader_truncated);
	tcase_add_test(tc, test_loader_elf_headers);
	tcase_add_test(tc, test_loader_fifo);
	tcase_add_test(tc, test_loader_dir_writable);
	tcase_add_test(tc, test_loader_list);
	tcase_add_test(tc, test_loader_kind_names);
	suite_add_tcase(s, tc);
	return s;
}
