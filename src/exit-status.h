/* SPDX-License-Identifier: MIT */
/* The exit statuses of tcp-audit (sysexits.h meanings), in one place so
 * that the man page, the code and the tests agree. */
#ifndef TCA_EXIT_STATUS_H
#define TCA_EXIT_STATUS_H

#include <sysexits.h>

enum exit_status {
	EXIT_OK = 0,
	EXIT_USAGE = EX_USAGE,             /* 64: bad command line */
	EXIT_NOINPUT = EX_NOINPUT,         /* 66: config file missing or unreadable */
	EXIT_PLUGIN = EX_UNAVAILABLE,      /* 69: plugin not found, not a plugin, wrong ABI or kind */
	EXIT_SOFTWARE = EX_SOFTWARE,       /* 70: internal error */
	EXIT_OSERR = EX_OSERR,             /* 71: the system refused a resource (memory, threads) */
	EXIT_RUNTIME = EX_IOERR,           /* 74: a plugin failed while running */
	EXIT_TEMPFAIL = EX_TEMPFAIL,       /* 75: a service (database) is down at start */
	EXIT_NOPERM = EX_NOPERM,           /* 77: not root, missing capability, unsafe plugin file */
	EXIT_CONFIG = EX_CONFIG,           /* 78: config syntax, unknown or bad option */
};

/* The exit status for a plugin's open() failure, from its -errno. */
int exit_status_from_errno(int err);

#endif
