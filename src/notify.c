/* SPDX-License-Identifier: MIT */
/* sd_notify wrappers; without libsystemd they do nothing. */
#include "config.h"

#include <stdio.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "notify.h"

#ifdef HAVE_SYSTEMD
void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

uint64_t notify_watchdog_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec / 1000;
}
#else
void notify_ready(void) {}
void notify_stopping(void) {}
void notify_status(const char *status) { (void)status; }
void notify_watchdog(void) {}
uint64_t notify_watchdog_ms(void) { return 0; }
#endif
