/* SPDX-License-Identifier: MIT */
/*
 * Decode sock/inet_sock_set_state records with the offsets and sizes the
 * running kernel publishes in the event's format, resolved once at start
 * (libtraceevent's generic field reads cost more than the rest of an
 * event's path): the layout changed across versions (protocol was 16 bits
 * in 4.18-5.5, 8 bits in some later kernels), so nothing here assumes one.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "trace-record.h"

/* include/linux/trace_events.h. BH_OFF (Linux 5.18+, unused before) also
 * excludes: threaded NAPI polls in a kthread with bottom halves disabled
 * and no SOFTIRQ bit, and that kthread owns none of the sockets it feeds. */
#define CTX_HARDIRQ 0x08
#define CTX_SOFTIRQ 0x10
#define CTX_NMI 0x40
#define CTX_BH_OFF 0x80

#define KERNEL_AF_INET 2
#define KERNEL_AF_INET6 10

bool tfield_find(struct tep_event *ev, const char *name, int min, int max, struct tfield *f,
		 size_t *end)
{
	struct tep_format_field *tf = tep_find_any_field(ev, name);

	if (!tf || tf->size < min || tf->size > max || tf->offset < 0 ||
	    tf->offset > TDECODE_MAX_SIZE - tf->size ||
	    (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8 && tf->size != 16))
		return false;
	f->offset = (uint16_t)tf->offset;
	f->size = (uint8_t)tf->size;
	if (end && (size_t)tf->offset + (size_t)tf->size > *end)
		*end = (size_t)tf->offset + (size_t)tf->size;
	return true;
}

/* A field of the state-change event; false (and logged) when the kernel's
 * field is missing or of a size we cannot read. */
static bool tdecode_field(const struct tca_host *host, struct tep_event *ev, const char *name,
			  int min_size, int max_size, struct tfield *out)
{
	struct tep_format_field *f;

	if (tfield_find(ev, name, min_size, max_size, out, NULL))
		return true;
	f = tep_find_any_field(ev, name);
	tca_log(host, TCA_LOG_ERR, 0, "the kernel's sock/inet_sock_set_state has %s field "
		"'%s' (size %d); this kernel is not supported", f ? "an unexpected" : "no", name,
		f ? f->size : 0);
	return false;
}

int tdecode_init(const struct tca_host *host, struct tep_handle *tep, bool ipv4_mapped,
		 struct tdecode *d)
{
	static const struct {
		const char *name;
		size_t at;
		int min, max;
	} want[] = {
		{ "common_type", offsetof(struct tdecode, type), 1, 4 },
		{ "common_flags", offsetof(struct tdecode, flags), 1, 4 },
		{ "common_pid", offsetof(struct tdecode, pid), 4, 4 },
		{ "skaddr", offsetof(struct tdecode, skaddr), 4, 8 },
		{ "oldstate", offsetof(struct tdecode, oldstate), 1, 4 },
		{ "newstate", offsetof(struct tdecode, newstate), 1, 4 },
		{ "sport", offsetof(struct tdecode, sport), 2, 2 },
		{ "dport", offsetof(struct tdecode, dport), 2, 2 },
		{ "family", offsetof(struct tdecode, family), 1, 4 },
		{ "protocol", offsetof(struct tdecode, protocol), 1, 4 },
		{ "saddr", offsetof(struct tdecode, saddr), 4, 4 },
		{ "daddr", offsetof(struct tdecode, daddr), 4, 4 },
		{ "saddr_v6", offsetof(struct tdecode, saddr_v6), 16, 16 },
		{ "daddr_v6", offsetof(struct tdecode, daddr_v6), 16, 16 },
	};
	struct tep_event *ev = tep_find_event_by_name(tep, "sock", "inet_sock_set_state");
	int missing = 0;

	if (!ev) {
		tca_log(host, TCA_LOG_ERR, 0, "the kernel has no sock/inet_sock_set_state "
			"tracepoint (it needs Linux 4.16 or later with CONFIG_TRACEPOINTS)");
		return -ENOENT;
	}
	memset(d, 0, sizeof(*d));
	d->type_id = ev->id;
	d->ipv4_mapped = ipv4_mapped;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct tfield *f = (struct tfield *)((char *)d + want[i].at);
		if (!tdecode_field(host, ev, want[i].name, want[i].min, want[i].max, f))
			missing++;
		else if ((size_t)f->offset + f->size > d->min_size)
			d->min_size = (size_t)f->offset + f->size;
	}
	return missing ? -ENOTSUP : 0;
}

static inline bool tdecode_is_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* The addresses. An IPv6 socket that carries IPv4 (dual stack) has the
 * IPv4 addresses in saddr/daddr too, and reports them as IPv4 unless the
 * user asked for the mapped form; so do connections out of CLOSE whose
 * IPv6 source is still unset. */
static void tdecode_addrs(const struct tdecode *d, const uint8_t *p, unsigned family,
			  struct tca_event *ev)
{
	const uint8_t *s6 = p + d->saddr_v6.offset, *d6 = p + d->daddr_v6.offset;

	if (family == KERNEL_AF_INET6 && !tdecode_is_mapped(d6) && !tdecode_is_mapped(s6)) {
		ev->family = TCA_FAMILY_IPV6;
		memcpy(ev->saddr, s6, 16);
		memcpy(ev->daddr, d6, 16);
		return;
	}
	if (family == KERNEL_AF_INET6 && d->ipv4_mapped) {
		ev->family = TCA_FAMILY_IPV6;
		ev->saddr[10] = ev->saddr[11] = ev->daddr[10] = ev->daddr[11] = 0xff;
		memcpy(ev->saddr + 12, p + d->saddr.offset, 4);
		memcpy(ev->daddr + 12, p + d->daddr.offset, 4);
		return;
	}
	ev->family = TCA_FAMILY_IPV4;
	memcpy(ev->saddr, p + d->saddr.offset, 4);
	memcpy(ev->daddr, p + d->daddr.offset, 4);
}

int tdecode_type(const struct tdecode *d, const void *data, size_t size)
{
	if (size < (size_t)d->type.offset + d->type.size || !d->type.size)
		return -1;
	return (int)tfield_num(d->type, data);
}

int tdecode_event(const struct tdecode *d, const void *data, size_t size, struct tca_event *ev,
		  struct traw *raw)
{
	const uint8_t *p = data;
	unsigned family, ctx;

	/* Every field must lie inside this record: the page walker bounds the
	 * record by the page, and this bounds the fields by the record. */
	if (!d->min_size || size < d->min_size || (int)tfield_num(d->type, p) != d->type_id)
		return 0;
	family = (unsigned)tfield_num(d->family, p);
	if (family != KERNEL_AF_INET && family != KERNEL_AF_INET6)
		return 0;
	memset(ev, 0, sizeof(*ev));
	tdecode_addrs(d, p, family, ev);
	ev->oldstate = (uint8_t)tfield_num(d->oldstate, p);
	ev->newstate = (uint8_t)tfield_num(d->newstate, p);
	ev->sport = (uint16_t)tfield_num(d->sport, p);
	ev->dport = (uint16_t)tfield_num(d->dport, p);
	ev->protocol = (uint16_t)tfield_num(d->protocol, p);
	ctx = (unsigned)tfield_num(d->flags, p);
	raw->skaddr = tfield_num(d->skaddr, p);
	raw->pid = (int)(int32_t)tfield_num(d->pid, p);
	raw->process_ctx = !(ctx & (CTX_HARDIRQ | CTX_SOFTIRQ | CTX_NMI | CTX_BH_OFF)) && raw->pid > 0;
	return 1;
}

/* Parse only what we read: the ring buffer's page header and our one
 * event's format. (tracefs_local_events() would also parse /proc/kallsyms,
 * printk formats and saved comms: a second and megabytes, for nothing.) */
int tdecode_load(const struct tca_host *host, const char *dir, bool ipv4_mapped,
		 struct tep_handle **tepp, struct tdecode *d)
{
	enum tep_endian endian = tep_is_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;
	struct tep_handle *tep = *tepp = tep_alloc();
	char *header = NULL, *format = NULL;
	int size_h = 0, size_f = 0, ret = -ENOENT;

	if (!tep)
		return -ENOMEM;
	tep_set_file_bigendian(tep, endian);
	tep_set_local_bigendian(tep, endian);
	tep_set_long_size(tep, (int)sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	header = tracefs_instance_file_read(NULL, "events/header_page", &size_h);
	format = tracefs_instance_file_read(NULL, "events/sock/inet_sock_set_state/format", &size_f);
	if (!header) {
		ret = errno == EACCES || errno == EPERM ? -EPERM : -ENOENT;
		tca_log(host, TCA_LOG_ERR, errno, "cannot read %s/events/header_page (run as root, "
			"or check that tracefs is readable)", dir);
	} else {
		/* A format missing or unparsed leaves the event unknown, and
		 * tdecode_init() says what the kernel lacks. */
		if (format && tep_parse_header_page(tep, header, (unsigned long)size_h,
						    (int)sizeof(long)) == 0)
			tep_parse_event(tep, format, (unsigned long)size_f, "sock");
		ret = 0;
	}
	free(header);
	free(format);
	return ret < 0 ? ret : tdecode_init(host, tep, ipv4_mapped, d);
}
