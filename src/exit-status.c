/* SPDX-License-Identifier: MIT */
/* Map the -errno a plugin returns from open() to an exit status. */
#include "config.h"

#include <errno.h>

#include "exit-status.h"

int exit_status_from_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
	case EACCES:
		return EXIT_NOPERM;
	case EINVAL:
	case ERANGE:
		return EXIT_CONFIG;
	case ENOENT:
	case ENODEV:
	case ENOSYS:
	case EOPNOTSUPP:
		return EXIT_PLUGIN;
	case EAGAIN:
	case ECONNREFUSED:
	case ECONNRESET:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EROFS:
	case ENOSPC:
	case EBUSY:
		return EXIT_TEMPFAIL;
	case ENOMEM:
		return EXIT_OSERR;
	default:
		return EXIT_RUNTIME;
	}
}
