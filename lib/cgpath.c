/* SPDX-License-Identifier: MIT */
/*
 * cgroup v2 ids to paths: an eventer reports the owner's cgroup id (the
 * bpf eventer's kernel side reads it, the tracefs eventer follows tasks'
 * moves in its stream), and the first time an id shows up its directory
 * is found under the cgroup2 mount (a kernfs inode number is the cgroup
 * id) and logged, "cgroup ID is /system.slice/x.service", and handed
 * to the eventer, which gives it to the store as a name record (ABI 2.2),
 * so that the archive maps ids to units. Once per id: the table
 * remembers the id and keeps its path for as long as it lives.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "cgpath.h"

#define CG_SLOTS 4096 /* a power of two */
/* At a read's start, a table this full starts afresh (cgpaths_read_begin). */
#define CG_RESET (CG_SLOTS / 2)
/* Within one read, past this no new id is resolved: the probes stay short. */
#define CG_FULL (CG_SLOTS * 3 / 4)

struct cgpaths {
	const struct tca_host *host;
	char *mount;              /* the cgroup2 mount point, or NULL */
	size_t used;
	uint64_t ids[CG_SLOTS];   /* 0: empty */
	char *paths[CG_SLOTS];    /* ids[i]'s path; NULL: gone when first met */
};

/* nftw() has no context argument; one eventer's reader thread is the
 * only user in a process. */
static uint64_t cg_want;
static char cg_found[4096];

static int cg_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_D || (uint64_t)st->st_ino != cg_want)
		return 0;
	snprintf(cg_found, sizeof(cg_found), "%s", path);
	return 1;
}

static char *cg_find_mount(void)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char dev[256], dir[4096], type[64];
	char *found = NULL;

	if (!f)
		return NULL;
	while (!found && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3)
		if (strcmp(type, "cgroup2") == 0)
			found = strdup(dir);
	fclose(f);
	return found;
}

struct cgpaths *cgpaths_new_at(const struct tca_host *host, const char *mount)
{
	struct cgpaths *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->host = host;
	cg->mount = mount ? strdup(mount) : cg_find_mount();
	if (!cg->mount)
		tca_log(host, TCA_LOG_NOTICE, 0, "cgroup2 is not mounted: cgroup ids are not "
			"resolved to paths");
	return cg;
}

struct cgpaths *cgpaths_new(const struct tca_host *host)
{
	return cgpaths_new_at(host, NULL);
}

const char *cgpaths_mount(const struct cgpaths *cg)
{
	return cg ? cg->mount : NULL;
}

uint64_t cgpaths_id_of(const struct cgpaths *cg, const char *path)
{
	char full[4096];
	struct stat st;
	int n;

	if (!cg || !cg->mount || path[0] != '/')
		return 0;
	n = snprintf(full, sizeof(full), "%s%s", cg->mount, path);
	if (n < 0 || (size_t)n >= sizeof(full) || stat(full, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return (uint64_t)st.st_ino;
}

void cgpaths_free(struct cgpaths *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < CG_SLOTS; i++)
		free(cg->paths[i]);
	free(cg->mount);
	free(cg);
}

/* The slot of a new id, or -1 if id was already in the table, or if the
 * table is full enough that new ids are no longer resolved. */
static ssize_t cg_add(struct cgpaths *cg, uint64_t id)
{
	size_t i = (size_t)(id * UINT64_C(0x9e3779b97f4a7c15) >> 52) & (CG_SLOTS - 1);

	for (size_t probes = 0; probes < CG_SLOTS; probes++, i = (i + 1) & (CG_SLOTS - 1)) {
		if (cg->ids[i] == id)
			return -1;
		if (cg->ids[i] == 0) {
			if (cg->used >= CG_FULL)
				return -1; /* until the next read's cgpaths_read_begin() */
			cg->ids[i] = id;
			cg->used++;
			return (ssize_t)i;
		}
	}
	return -1;
}

const char *cgpaths_first(struct cgpaths *cg, uint64_t id)
{
	const char *path;
	ssize_t slot;

	if (!cg || !cg->mount || id == 0 || (slot = cg_add(cg, id)) < 0)
		return NULL;
	cg_want = id;
	cg_found[0] = '\0';
	if (nftw(cg->mount, cg_visit, 16, FTW_PHYS | FTW_MOUNT) != 1) {
		tca_log(cg->host, TCA_LOG_INFO, 0, "cgroup %" PRIu64 " is gone (not under %s)",
			id, cg->mount);
		return NULL;
	}
	path = cg_found + strlen(cg->mount);
	if (!*path)
		path = "/";
	tca_log(cg->host, TCA_LOG_INFO, 0, "cgroup %" PRIu64 " is %s", id, path);
	/* Out of memory, the path was logged all the same: no name record. */
	cg->paths[slot] = strdup(path);
	return cg->paths[slot];
}

/* A table of CG_RESET ids or more starts afresh (see cgpaths_read_begin). */
static void cg_reset(struct cgpaths *cg)
{
	if (!cg || cg->used < CG_RESET)
		return;
	for (size_t i = 0; i < CG_SLOTS; i++)
		free(cg->paths[i]);
	memset(cg->ids, 0, sizeof(cg->ids));
	memset(cg->paths, 0, sizeof(cg->paths));
	cg->used = 0;
}

void cgpaths_note(struct cgpaths *cg, uint64_t id)
{
	(void)cgpaths_first(cg, id);
}

bool cgpaths_read_begin(struct cgpaths *cg, const struct tca_host *host, struct tca_read *r)
{
	cg_reset(cg);
	if (host->abi_minor < 2)
		return false; /* an older processor's struct tca_read ends before name[] */
	r->nname = 0;
	return r->name && r->name_cap > 0;
}

static uint64_t cg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool cgpaths_hand(struct cgpaths *cg, bool wanted, struct tca_read *r, uint64_t id)
{
	const char *path = cgpaths_first(cg, id);

	if (!wanted || !path)
		return false;
	/* A path of TCA_NAME_MAX bytes or more cannot be a name: the log has it. */
	if (strlen(path) < TCA_NAME_MAX)
		r->name[r->nname++] = (struct tca_name){
			.kind = TCA_NAME_CGROUP, .id = id, .time_ns = cg_now_ns(), .text = path,
		};
	return r->nname >= r->name_cap;
}
