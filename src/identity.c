/* SPDX-License-Identifier: MIT */
/* The identity of this run, from which sinks make event keys. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "identity.h"

int identity_init(struct identity *id)
{
	FILE *f;

	if (gethostname(id->hostname, sizeof(id->hostname)) < 0)
		return -errno;
	id->hostname[sizeof(id->hostname) - 1] = '\0';

	snprintf(id->boot_id, sizeof(id->boot_id), "00000000-0000-0000-0000-000000000000");
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (fgets(id->boot_id, sizeof(id->boot_id), f))
			id->boot_id[strcspn(id->boot_id, "\n")] = '\0';
		fclose(f);
	}
	/* Kept below 2^63 so that stores with only signed 64-bit integers
	 * (PostgreSQL bigint, SQLite INTEGER) hold it as it is. */
	if (getrandom(&id->run_id, sizeof(id->run_id), 0) != sizeof(id->run_id))
		return -errno;
	id->run_id &= INT64_MAX;
	return 0;
}
