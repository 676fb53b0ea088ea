/* SPDX-License-Identifier: MIT */
/* Create a sinker's files with a fixed mode, whatever the umask. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int file_open_archive(const char *path, int flags)
{
	int fd;

	flags |= O_CLOEXEC | O_NOCTTY;
	/* O_EXCL tells a new file from an existing one: only a new file gets
	 * our mode, and fchmod() sets it whole (the umask only removes bits,
	 * and 022 left the archive readable by everyone). */
	for (int tries = 0; tries < 3; tries++) {
		fd = open(path, flags | O_CREAT | O_EXCL, FILE_ARCHIVE_MODE);
		if (fd >= 0) {
			if (fchmod(fd, FILE_ARCHIVE_MODE) < 0) {
				int e = errno;
				close(fd);
				return -e;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
		fd = open(path, flags);
		if (fd >= 0)
			return fd;
		/* Removed between the two calls: try to create it again. */
		if (errno != ENOENT)
			return -errno;
	}
	/* Still there and not there: a link to nowhere. Create its target as
	 * open() would (the umask applies: we cannot tell it was created). */
	fd = open(path, flags | O_CREAT, FILE_ARCHIVE_MODE);
	return fd >= 0 ? fd : -errno;
}
