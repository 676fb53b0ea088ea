/* SPDX-License-Identifier: MIT */
/* Logging to the journal or to stderr. Safe to call from any thread. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#endif

#include "log.h"

static int max_priority = TCA_LOG_NOTICE;
static bool use_journal;

static const char *const prio_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

int log_target_parse(const char *s, enum log_target *out)
{
	if (strcmp(s, "auto") == 0)
		*out = LOG_TARGET_AUTO;
	else if (strcmp(s, "stderr") == 0 || strcmp(s, "console") == 0)
		*out = LOG_TARGET_STDERR;
	else if (strcmp(s, "journal") == 0)
		*out = LOG_TARGET_JOURNAL;
	else
		return -EINVAL;
	return 0;
}

/* systemd sets JOURNAL_STREAM=dev:ino for the stream it connects to
 * stdout/stderr; only if that is still our stderr do we own the journal
 * (a shell started from a unit inherits the variable but not the fd). */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_open(enum log_target target)
{
#ifdef HAVE_SYSTEMD
	if (target == LOG_TARGET_JOURNAL)
		use_journal = true;
	else if (target == LOG_TARGET_AUTO)
		use_journal = stderr_is_journal();
	else
		use_journal = false;
#else
	(void)target;
	use_journal = false;
#endif
}

bool log_to_journal(void)
{
	return use_journal;
}

void log_set_max_priority(int prio)
{
	if (prio < TCA_LOG_ERR)
		prio = TCA_LOG_ERR;
	if (prio > TCA_LOG_DEBUG)
		prio = TCA_LOG_DEBUG;
	max_priority = prio;
}

int log_get_max_priority(void)
{
	return max_priority;
}

#ifdef HAVE_SYSTEMD
/* sd_journal_sendv, so that fields we do not have are left out, not empty. */
static void journal_send(const char *plugin, int prio, int errnum, const char *msg)
{
	char m[2200], p[16], pl[128], e[24];
	struct iovec iov[5];
	int n = 0;

	snprintf(m, sizeof(m), "MESSAGE=%s%s%s", plugin ? plugin : "", plugin ? ": " : "", msg);
	snprintf(p, sizeof(p), "PRIORITY=%d", prio);
	iov[n++] = (struct iovec){ m, strlen(m) };
	iov[n++] = (struct iovec){ p, strlen(p) };
	iov[n++] = (struct iovec){ (char *)"SYSLOG_IDENTIFIER=tcp-audit", 27 };
	if (plugin) {
		snprintf(pl, sizeof(pl), "TCP_AUDIT_PLUGIN=%s", plugin);
		iov[n++] = (struct iovec){ pl, strlen(pl) };
	}
	if (errnum > 0) {
		snprintf(e, sizeof(e), "ERRNO=%d", errnum);
		iov[n++] = (struct iovec){ e, strlen(e) };
	}
	sd_journal_sendv(iov, n);
}
#endif

void log_fullv(const char *plugin, int prio, int errnum, const char *fmt, va_list ap)
{
	char msg[2048];
	int n;

	if (prio > max_priority)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (errnum > 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(errnum));

#ifdef HAVE_SYSTEMD
	if (use_journal) {
		journal_send(plugin, prio, errnum, msg);
		return;
	}
#endif
	/* One write() per line, so that lines from the reader and the writer
	 * threads never interleave. */
	char line[2200];
	int len = snprintf(line, sizeof(line), "tcp-audit: %s: %s%s%s\n",
			   prio_names[prio & 7], plugin ? plugin : "", plugin ? ": " : "", msg);
	if (len > 0) {
		if ((size_t)len >= sizeof(line))
			len = sizeof(line) - 1;
		ssize_t w = write(STDERR_FILENO, line, (size_t)len);
		(void)w;
	}
}

void log_full(const char *plugin, int prio, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_fullv(plugin, prio, errnum, fmt, ap);
	va_end(ap);
}
