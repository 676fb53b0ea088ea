/* SPDX-License-Identifier: MIT */
/* Where tracefs is, mounting it if allowed: shared by the eventers. */
#ifndef TCA_TRACEFS_MOUNT_H
#define TCA_TRACEFS_MOUNT_H

#include <stdbool.h>

#include <tcp-audit/plugin.h>

#define TRACEFS_DEFAULT "/sys/kernel/tracing"

/* Where tracefs is mounted (malloc'd: TRACEFS_DEFAULT if it is mounted
 * there, else the first mount), or NULL: quiet. */
char *tracefs_mount_dir(void);

/* Set *dir (malloc'd) to tracefs_mount_dir(), or mount tracefs at
 * TRACEFS_DEFAULT when may_mount. Errors are logged with their fix:
 * -ENOENT not mounted (and not allowed to), -EPERM no right to mount,
 * -ENODEV no tracefs in this kernel, -ENOMEM. */
int tracefs_mount_find(const struct tca_host *host, bool may_mount, char **dir);

#endif
