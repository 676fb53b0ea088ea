/* SPDX-License-Identifier: MIT */
/*
 * Trace timestamps to wall-clock time. The instance runs on the kernel's
 * "tai" trace clock when it has one (Linux 5.10+): each timestamp is then
 * CLOCK_TAI at the moment of the event, which follows clock steps at once,
 * and UTC is it minus the TAI offset (adjtimex), which only changes at a
 * leap second. Older kernels get "boot" (CLOCK_BOOTTIME, which counts
 * suspend), converted with a REALTIME-BOOTTIME offset sampled at every
 * read: a step then shows from the next batch on.
 */
#include "config.h"

#include <sys/timex.h>
#include <time.h>

#include "tracefs.h"

#define NSEC 1000000000LL

static int64_t ts_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

/* REALTIME - BOOTTIME, from the tightest of three bracketing pairs. */
static int64_t clock_boot_offset(void)
{
	int64_t best_gap = INT64_MAX, off = 0;

	for (int i = 0; i < 3; i++) {
		int64_t r1 = ts_ns(CLOCK_REALTIME);
		int64_t b = ts_ns(CLOCK_BOOTTIME);
		int64_t r2 = ts_ns(CLOCK_REALTIME);
		if (r2 - r1 < best_gap) {
			best_gap = r2 - r1;
			off = r1 + (r2 - r1) / 2 - b;
		}
	}
	return off;
}

void tclock_sample(struct tclock *c)
{
	struct timex tx = { 0 };

	if (!c->tai) {
		c->offset_ns = clock_boot_offset();
		return;
	}
	/* adjtimex with no modes only reads; tx.tai is TAI - UTC in seconds. */
	if (adjtimex(&tx) >= 0)
		c->offset_ns = -(int64_t)tx.tai * NSEC;
}
