/* SPDX-License-Identifier: MIT */
/* Talking to the service manager (sd_notify), when there is one. */
#ifndef TCA_NOTIFY_H
#define TCA_NOTIFY_H

#include <stdint.h>

void notify_ready(void);
void notify_stopping(void);
void notify_status(const char *status);
void notify_watchdog(void);
/* The watchdog period in ms that the service manager asked for, or 0. */
uint64_t notify_watchdog_ms(void);

#endif
