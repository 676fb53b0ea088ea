/* SPDX-License-Identifier: MIT */
/* cgroup v2 ids and paths, shared by the eventers: an id (the kernfs inode
 * number of the cgroup's directory) is resolved to its path once, logged,
 * and handed to the store as a name record, so that the archive maps ids
 * to units and containers. */
#ifndef TCA_CGPATH_H
#define TCA_CGPATH_H

#include <stdbool.h>
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
/* An id seen in an event: the first time this run meets it, its path is
 * looked up, logged ("cgroup ID is PATH") and returned, valid until
 * cgpaths_free() or a cgpaths_read_begin() that starts afresh; the eventer
 * hands it over as a TCA_NAME_CGROUP name.
 * NULL for an id met before, for id 0, for a cgroup already gone (logged
 * once as such), without a cgroup2 mount, or, within one read, past 3072
 * ids. Cheap for an id already met. */
const char *cgpaths_first(struct cgpaths *cg, uint64_t id);
/* At the start of every read. Returns whether the processor takes name
 * records in r (ABI 2.2: host->abi_minor >= 2 and room given; without,
 * an eventer only logs paths), with r->nname set to 0. A table of 2048
 * ids or more starts afresh here (its texts freed: the processor copied
 * the last read's names before this read, as ABI 2.2 says, so never at
 * another moment), so that a long run on a host whose cgroups come and
 * go keeps naming new ones; an id met again is resolved, logged and named
 * again (a store keeps the first). */
bool cgpaths_read_begin(struct cgpaths *cg, const struct tca_host *host, struct tca_read *r);
/* The same, for an eventer that only logs. */
void cgpaths_note(struct cgpaths *cg, uint64_t id);
/* For an event of this read that carries cgroup id: the first time this
 * run meets it, its path goes into the next of r->name[] (when wanted),
 * so that the processor stores it before the event. Returns true when
 * r->name[] is full after it: the eventer stops the read after this
 * event, so that no later one needs a name that finds no room. */
bool cgpaths_hand(struct cgpaths *cg, bool wanted, struct tca_read *r, uint64_t id);
/* The id of the cgroup at path (as /proc/PID/cgroup shows it, relative to
 * the mount), or 0 when there is none. */
uint64_t cgpaths_id_of(const struct cgpaths *cg, const char *path);

#endif
