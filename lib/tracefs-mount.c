/* SPDX-License-Identifier: MIT */
/* Find tracefs wherever it is mounted, or mount it at its usual place:
 * the tracefs eventer reads it, and libbpf finds tracepoints there. */
#include "config.h"

#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "tracefs-mount.h"

/* The first tracefs in the mount table. A debugfs is not looked at:
 * kernels before 4.1 had tracing only there, and they lack the
 * tracepoint's fields that the decoder needs anyway. */
/* Its usual place where it is mounted there, else the first mount: a
 * unit that lets only TRACEFS_DEFAULT "/instances" be written (the shipped
 * one) finds the place it can write, although debugfs's automount of it
 * (/sys/kernel/debug/tracing, which libbpf's probing can trigger) may be
 * listed first. */
char *tracefs_mount_dir(void)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	char *first = NULL;

	if (!f)
		return NULL;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "tracefs") != 0)
			continue;
		if (strcmp(m->mnt_dir, TRACEFS_DEFAULT) == 0) {
			free(first);
			first = strdup(m->mnt_dir);
			break;
		}
		if (!first)
			first = strdup(m->mnt_dir);
	}
	endmntent(f);
	return first;
}

int tracefs_mount_find(const struct tca_host *host, bool may_mount, char **dir)
{
	struct stat st;

	*dir = tracefs_mount_dir();
	if (*dir)
		return 0;
	if (!may_mount) {
		tca_log(host, TCA_LOG_ERR, 0, "tracefs is not mounted (mount it with 'mount -t "
			"tracefs nodev " TRACEFS_DEFAULT "', or set mount=yes)");
		return -ENOENT;
	}
	if (stat(TRACEFS_DEFAULT, &st) < 0) {
		tca_log(host, TCA_LOG_ERR, errno, "tracefs is not mounted and " TRACEFS_DEFAULT
			" is missing: this kernel lacks tracefs (CONFIG_TRACING)");
		return -ENODEV;
	}
	if (mount("nodev", TRACEFS_DEFAULT, "tracefs", 0, NULL) < 0) {
		int e = errno;
		tca_log(host, TCA_LOG_ERR, e, "tracefs is not mounted and mounting it on "
			TRACEFS_DEFAULT " failed (run as root with CAP_SYS_ADMIN, or mount it first)");
		return e == EPERM || e == EACCES ? -EPERM : -ENODEV;
	}
	tca_log(host, TCA_LOG_NOTICE, 0, "mounted tracefs on " TRACEFS_DEFAULT);
	*dir = strdup(TRACEFS_DEFAULT);
	return *dir ? 0 : -ENOMEM;
}
