/* SPDX-License-Identifier: MIT */
/* cgroup v2 ids and paths, shared by the eventers: an id (the kernfs inode
 * number of the cgroup's directory) is resolved to its path once, and
 * logged, so that the archive's logs map ids to units and containers. */
#ifndef TCA_CGPATH_H
#define TCA_CGPATH_H

#include <stdint.h>

#include <tcp-audit/plugin.h>

struct cgpaths;
/* NULL only when out of memory; without a cgroup2 mount it resolves nothing. */
struct cgpaths *cgpaths_new(const struct tca_host *host);
/* The same with the cgroup2 file system at mount (tests). */
struct cgpaths *cgpaths_new_at(const struct tca_host *host, const char *mount);
void cgpaths_free(struct cgpaths *cg);
/* The cgroup2 mount point, or NULL. */
const char *cgpaths_mount(const struct cgpaths *cg);
/* Note an id seen in an event: the first time, its path is looked up and
 * logged. Cheap for an id already seen. */
void cgpaths_note(struct cgpaths *cg, uint64_t id);
/* The id of the cgroup at path (as /proc/PID/cgroup shows it, relative to
 * the mount), or 0 when there is none. */
uint64_t cgpaths_id_of(const struct cgpaths *cg, const char *path);

#endif
