/* SPDX-License-Identifier: MIT */
/* The services a plugin gets from the processor (struct tca_host). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "plugin-host.h"

static void host_log(const struct tca_host *host, int prio, int errnum, const char *fmt, ...)
{
	const struct plugin *p = host->priv;
	va_list ap;

	va_start(ap, fmt);
	log_fullv(p->desc->name, prio, errnum, fmt, ap);
	va_end(ap);
}

/* Kept for the writer, which logs it with the outage, once. */
static void host_retry_reason(const struct tca_host *host, int errnum, const char *fmt, ...)
{
	struct plugin *p = host->priv;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(p->retry_reason, sizeof(p->retry_reason), fmt, ap);
	va_end(ap);
	if (errnum && len >= 0 && (size_t)len < sizeof(p->retry_reason))
		snprintf(p->retry_reason + len, sizeof(p->retry_reason) - (size_t)len, ": %s",
			 strerror(errnum));
}

void plugin_host_init(struct plugin *p, const char *hostname, const char *boot_id, uint64_t run_id)
{
	p->host = (struct tca_host){
		.abi_major = TCA_ABI_MAJOR,
		.abi_minor = TCA_ABI_MINOR,
		.struct_size = sizeof(struct tca_host),
		.log = host_log,
		.hostname = hostname,
		.boot_id = boot_id,
		.run_id = run_id,
		.retry_reason = host_retry_reason,
		.priv = p,
	};
}

void plugin_host_set_state(struct plugin *p, const char *state_dir, uint32_t flags)
{
	p->host.state_dir = state_dir;
	p->host.flags = flags;
}
