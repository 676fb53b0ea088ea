/* SPDX-License-Identifier: MIT */
/* Find a plugin file, check it, dlopen it and check its descriptor. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-check.h"
#include "exit-status.h"
#include "log.h"
#include "plugin-loader.h"

const char *plugin_kind_name(enum tca_plugin_kind kind)
{
	switch (kind) {
	case TCA_KIND_EVENTER:
		return "eventer";
	case TCA_KIND_SINKER:
		return "sinker";
	default:
		return "unknown";
	}
}

/*
 * The file a name or a path stands for. One file holds one descriptor, so
 * a transport that is both an eventer and a sinker (nats) ships the one
 * it is less often used as under NAME-eventer.so or NAME-sinker.so: a bare
 * name given to --event is looked up there first, then as NAME.so.
 */
static char *plugin_resolve(const char *name_or_path, const char *dir, enum tca_plugin_kind want)
{
	char *path;
	size_t len = strlen(name_or_path);
	bool has_ext = len > 3 && strcmp(name_or_path + len - 3, ".so") == 0;
	struct stat st;

	if (strchr(name_or_path, '/'))
		return strdup(name_or_path);
	if (!has_ext && want) {
		if (asprintf(&path, "%s/%s-%s.so", dir, name_or_path, plugin_kind_name(want)) < 0)
			return NULL;
		if (lstat(path, &st) == 0)
			return path;
		free(path);
	}
	if (asprintf(&path, "%s/%s%s", dir, name_or_path, has_ext ? "" : ".so") < 0)
		return NULL;
	return path;
}

/* The package that ships the plugin a bare name stands for: the bundled
 * ones come with tcp-audit itself (debian/tcp-audit.install). */
static void plugin_package(const char *name, char *buf, size_t size)
{
	static const char *const bundled[] = { "json", "text", "null", "sqlite", "journal" };
	size_t len = strlen(name);

	if (len > 3 && strcmp(name + len - 3, ".so") == 0)
		len -= 3;
	for (size_t i = 0; i < sizeof(bundled) / sizeof(bundled[0]); i++)
		if (strlen(bundled[i]) == len && strncmp(name, bundled[i], len) == 0) {
			snprintf(buf, size, "tcp-audit");
			return;
		}
	snprintf(buf, size, "tcp-audit-%.*s", (int)len, name);
}

static void plugin_log_missing(const char *path, const char *name)
{
	char pkg[128];

	if (strchr(name, '/')) {
		log_error("plugin %s does not exist (give the path of a plugin file)", path);
		return;
	}
	plugin_package(name, pkg, sizeof(pkg));
	log_error("plugin %s does not exist; install the package %s (or give a path; see "
		  "'tcp-audit --list-plugins')", path, pkg);
}

/*
 * A plugin directory that others can write lets them plant code that runs
 * with our privileges. World-writable is refused for everyone; as root,
 * so is a directory root does not own or that its group can write.
 */
int plugin_dir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return 0; /* the lookup itself reports what is missing */
	if (st.st_mode & S_IWOTH) {
		log_error("refusing plugin directory %s: anyone can write to it (chmod o-w %s)", dir,
			  dir);
		return EXIT_NOPERM;
	}
	if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & S_IWGRP))) {
		log_error("refusing plugin directory %s: as root, it must be owned by root and not "
			  "writable by its group (chown root; chmod g-w %s)", dir, dir);
		return EXIT_NOPERM;
	}
	return 0;
}

/* Refuse a file that dlopen() would map past its end (SIGBUS). */
static int plugin_check_elf(const char *path, int fd, const struct stat *st)
{
	const char *why;
	int r = elf_check_fd(fd, (uint64_t)st->st_size, &why);

	if (r == 0)
		return 0;
	log_error("plugin %s is not a usable shared object: %s (%jd bytes; truncated? reinstall "
		  "it)", path, why, (intmax_t)st->st_size);
	return EXIT_PLUGIN;
}

/*
 * Open the file once and check that very file: a plugin runs with our
 * privileges, so as root it must be root's and writable by nobody else.
 * Names are looked up without following links; an explicit path may be a
 * link, since the user chose it. O_NONBLOCK: opening a FIFO would wait
 * for a writer for ever (with SIGTERM already blocked).
 */
static int plugin_open_checked(const char *path, const char *name, int *fd_out)
{
	bool by_name = !strchr(name, '/');
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
		      (by_name ? O_NOFOLLOW : 0));
	int r;

	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			plugin_log_missing(path, name);
		else if (e == ELOOP)
			log_error("plugin %s is a symbolic link; plugins are not looked up through "
				  "links (give the real path)", path);
		else
			log_error_errno(e, "cannot open plugin %s", path);
		return e == EACCES ? EXIT_NOPERM : EXIT_PLUGIN;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_error("plugin %s is not a regular file", path);
		close(fd);
		return EXIT_PLUGIN;
	}
	if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		log_error("refusing plugin %s: as root, a plugin must be owned by root and not "
			  "writable by group or others (chown root; chmod go-w)", path);
		close(fd);
		return EXIT_NOPERM;
	}
	r = plugin_check_elf(path, fd, &st);
	if (r) {
		close(fd);
		return r;
	}
	*fd_out = fd;
	return 0;
}

/*
 * Check the exported descriptor and take a copy of it: a plugin built
 * against an older minor version ends before the fields added since, and
 * the copy has those zero (absent), as the header's rule promises.
 */
static int plugin_check_descriptor(struct plugin *p, const struct tca_plugin *exported,
				   enum tca_plugin_kind want)
{
	const struct tca_plugin *d = &p->desc_copy;

	if (exported->abi_major != TCA_ABI_MAJOR) {
		log_error("plugin %s was built for plugin ABI %u.%u, but this tcp-audit " PACKAGE_VERSION
			  " loads ABI %u.x plugins (%u.%u here); rebuild the plugin against this "
			  "version's <tcp-audit/plugin.h>", p->path, exported->abi_major,
			  exported->abi_minor, TCA_ABI_MAJOR, TCA_ABI_MAJOR, TCA_ABI_MINOR);
		return EXIT_PLUGIN;
	}
	if (exported->struct_size < TCA_PLUGIN_MIN_SIZE || exported->struct_size > (1u << 16)) {
		log_error("plugin %s has a malformed descriptor (struct size %zu, ABI %u.%u needs at "
			  "least %zu); rebuild it against this version's <tcp-audit/plugin.h>", p->path,
			  exported->struct_size, exported->abi_major, exported->abi_minor,
			  (size_t)TCA_PLUGIN_MIN_SIZE);
		return EXIT_PLUGIN;
	}
	memset(&p->desc_copy, 0, sizeof(p->desc_copy));
	memcpy(&p->desc_copy, exported,
	       exported->struct_size < sizeof(p->desc_copy) ? exported->struct_size : sizeof(p->desc_copy));
	p->desc = &p->desc_copy;
	if (!d->name || !d->open || !d->close) {
		log_error("plugin %s has a malformed descriptor (no name, open() or close()); "
			  "rebuild it against this version's <tcp-audit/plugin.h>", p->path);
		return EXIT_PLUGIN;
	}
	if (want && d->kind != want) {
		log_error("plugin '%s' (%s) is %s, not %s; give it to %s", d->name, p->path,
			  d->kind == TCA_KIND_EVENTER ? "an eventer" : "a sinker",
			  want == TCA_KIND_EVENTER ? "an eventer" : "a sinker",
			  d->kind == TCA_KIND_EVENTER ? "--event" : "--sink");
		return EXIT_PLUGIN;
	}
	if (d->kind == TCA_KIND_EVENTER && (!d->ops.eventer.fd || !d->ops.eventer.read)) {
		log_error("eventer plugin %s lacks fd() or read()", p->path);
		return EXIT_PLUGIN;
	}
	if (d->kind == TCA_KIND_SINKER && !d->ops.sinker.write) {
		log_error("sinker plugin %s lacks write()", p->path);
		return EXIT_PLUGIN;
	}
	return 0;
}

/*
 * A name under /proc/self/fd/ for *fd that the dynamic loader does not
 * know yet. It knows objects by name, so a plugin that could not be
 * unloaded (one linked with -z nodelete, say) keeps its name, and a reused
 * descriptor number would make dlopen hand back that plugin instead.
 */
static int plugin_fd_name(int *fd, char *buf, size_t size)
{
	for (int tries = 0; tries < 64; tries++) {
		void *old;
		int next;

		snprintf(buf, size, "/proc/self/fd/%d", *fd);
		old = dlopen(buf, RTLD_LAZY | RTLD_NOLOAD);
		if (!old)
			return 0;
		dlclose(old);
		next = fcntl(*fd, F_DUPFD_CLOEXEC, *fd + 1);
		if (next < 0) {
			log_error("cannot load plugin: %s", strerror(errno));
			return EXIT_OSERR;
		}
		close(*fd);
		*fd = next;
	}
	log_error("cannot load plugin: too many plugins that could not be unloaded");
	return EXIT_OSERR;
}

int plugin_load(struct plugin *p, const char *name_or_path, const char *dir,
		enum tca_plugin_kind want)
{
	char fdpath[64];
	const struct tca_plugin *exported;
	int fd = -1, r;

	/* The descriptor stays open while the plugin is loaded: the dynamic
	 * loader knows objects by name, and a reused /proc/self/fd/N would
	 * make it hand back the previous plugin. */
	p->fd = -1;
	p->path = plugin_resolve(name_or_path, dir, want);
	if (!p->path)
		return EXIT_OSERR;
	if (!strchr(name_or_path, '/')) {
		r = plugin_dir_check(dir);
		if (r)
			goto fail;
	}
	r = plugin_open_checked(p->path, name_or_path, &fd);
	if (r)
		goto fail;

	/* Load through the descriptor we checked, so that the file cannot be
	 * swapped between the check and the load. */
	r = plugin_fd_name(&fd, fdpath, sizeof(fdpath));
	if (r)
		goto fail;
	p->handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!p->handle) {
		log_error("cannot load plugin %s: %s", p->path, dlerror());
		r = EXIT_PLUGIN;
		goto fail;
	}
	exported = dlsym(p->handle, TCA_PLUGIN_SYMBOL);
	if (!exported) {
		log_error("%s is not a tcp-audit plugin: it has no '" TCA_PLUGIN_SYMBOL "' symbol",
			  p->path);
		r = EXIT_PLUGIN;
		goto fail;
	}
	r = plugin_check_descriptor(p, exported, want);
	if (r)
		goto fail;
	p->fd = fd;
	return 0;
fail:
	if (p->handle)
		dlclose(p->handle);
	p->handle = NULL;
	p->desc = NULL;
	if (fd >= 0)
		close(fd);
	return r;
}

void plugin_unload(struct plugin *p)
{
	if (p->opened && p->desc && p->desc->close)
		p->desc->close(p->state);
	if (p->handle)
		dlclose(p->handle);
	if (p->fd > 0)
		close(p->fd);
	free(p->config);
	kvlist_free(&p->options);
	free(p->path);
	*p = (struct plugin){ 0 };
}

static const char *option_type_name(enum tca_opt_type t)
{
	switch (t) {
	case TCA_OPT_STRING: return "string";
	case TCA_OPT_BOOL: return "bool";
	case TCA_OPT_INT: return "integer";
	case TCA_OPT_SIZE: return "size";
	case TCA_OPT_DURATION: return "duration";
	default: return "?";
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.so names in dir, sorted. */
static int plugin_scan(const char *dir, char ***names_out, size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char **grown;
		if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	*names_out = names;
	*n_out = n;
	return 0;
}

static void plugin_print(const struct plugin *p, bool verbose, FILE *out)
{
	const struct tca_plugin *d = p->desc;

	fprintf(out, "%-10s %-8s %-8s %s\n", d->name, plugin_kind_name(d->kind),
		d->version ? d->version : "?", d->description ? d->description : "");
	if (!verbose)
		return;
	for (const struct tca_option *o = d->options; o && o->name; o++)
		fprintf(out, "    %-18s %-9s default: %-12s %s\n", o->name, option_type_name(o->type),
			o->def ? o->def : "(none)", o->help ? o->help : "");
}

int plugin_list(const char *dir, bool verbose, FILE *out)
{
	char **names = NULL;
	size_t n = 0;
	int r = plugin_scan(dir, &names, &n);

	if (r < 0) {
		log_error_errno(r, "cannot list plugin directory %s (give another with --plugin-dir)", dir);
		return EXIT_PLUGIN;
	}
	r = plugin_dir_check(dir);
	if (r) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	fprintf(out, "Plugins in %s:\n", dir);
	fprintf(out, "%-10s %-8s %-8s %s\n", "NAME", "KIND", "VERSION", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		struct plugin p = { 0 };
		if (plugin_load(&p, names[i], dir, 0) == 0)
			plugin_print(&p, verbose, out);
		plugin_unload(&p);
		free(names[i]);
	}
	free(names);
	return 0;
}
