/* SPDX-License-Identifier: MIT */
/* Who this run is: host name, boot id and a random run id. */
#ifndef TCA_IDENTITY_H
#define TCA_IDENTITY_H

#include <stdint.h>

struct identity {
	char hostname[256];
	char boot_id[40];
	uint64_t run_id;
};

/* Returns 0 or -errno. A missing boot id (no /proc) is replaced by zeros. */
int identity_init(struct identity *id);

#endif
