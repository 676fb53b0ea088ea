/* SPDX-License-Identifier: MIT */
/* Fuzz the config file reader: any bytes as the file --config names. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/config-file.h"
#include "../../src/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A memory file: a regular file to fstat(), with no disk I/O. */
	static int fd = -1;
	static char path[64];
	struct settings s;

	if (fd < 0) {
		fd = memfd_create("fuzz-config", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	settings_init(&s);
	s.config_path = strdup(path);
	s.config_explicit = true;
	(void)config_load(&s);
	settings_free(&s);
	return 0;
}
