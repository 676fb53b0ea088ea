/* SPDX-License-Identifier: MIT */
/* Logging: to the systemd journal with structured fields when stderr is
 * connected to it, to stderr with a priority prefix otherwise. */
#ifndef TCA_LOG_H
#define TCA_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include <tcp-audit/plugin.h>

enum log_target {
	LOG_TARGET_AUTO = 0,
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
};

int log_target_parse(const char *s, enum log_target *out);
/* Choose the target; AUTO picks the journal when JOURNAL_STREAM names our stderr. */
void log_open(enum log_target target);
void log_set_max_priority(int prio);
int log_get_max_priority(void);
bool log_to_journal(void);

/* plugin is the plugin's name, or NULL for the processor itself. */
void log_full(const char *plugin, int prio, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_fullv(const char *plugin, int prio, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#define log_error(...) log_full(NULL, TCA_LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_full(NULL, TCA_LOG_ERR, (e) < 0 ? -(e) : (e), __VA_ARGS__)
#define log_warning(...) log_full(NULL, TCA_LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_full(NULL, TCA_LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_full(NULL, TCA_LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_full(NULL, TCA_LOG_DEBUG, 0, __VA_ARGS__)

#endif
