/* SPDX-License-Identifier: MIT */
/* Parse the replay eventer's TSV lines. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "replay.h"

/* Digits only: strtoull takes "-1" (as 2^64 - 1), "+1" and leading
 * spaces, none of which is a time or a port. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Undo \t \n \\ \xHH escapes into a comm of at most TCA_COMM_LEN-1 bytes. */
static int parse_comm(const char *s, char comm[TCA_COMM_LEN])
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\') {
			s++;
			if (*s == 't')
				c = '\t';
			else if (*s == 'n')
				c = '\n';
			else if (*s == '\\')
				c = '\\';
			else if (*s == 'x' && s[1] && s[2]) {
				char hex[3] = { s[1], s[2], 0 };
				char *end;
				c = (unsigned char)strtoul(hex, &end, 16);
				if (*end)
					return -EINVAL;
				s += 2;
			} else
				return -EINVAL;
		}
		if (o >= TCA_COMM_LEN - 1)
			return -EINVAL;
		comm[o++] = (char)c;
	}
	comm[o] = '\0';
	return 0;
}

static int parse_addr(const char *s, unsigned family, uint8_t addr[16])
{
	return inet_pton(family == TCA_FAMILY_IPV6 ? AF_INET6 : AF_INET, s, addr) == 1 ? 0 : -EINVAL;
}

int replay_read_line(FILE *f, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	int c;

	/* getline() would grow without bound on a file with no newline
	 * (replay path=/dev/zero ran into the OOM killer). */
	while ((c = getc_unlocked(f)) != EOF) {
		if (c == '\n') {
			buf[n] = '\0';
			*len = n;
			return 1;
		}
		if (c == '\0')
			return -EINVAL;
		if (n + 1 >= cap)
			return -E2BIG;
		buf[n++] = (char)c;
	}
	if (ferror(f))
		return -EIO;
	buf[n] = '\0';
	*len = n;
	return n > 0;
}

int replay_parse_line(char *line, struct tca_event *ev, const char **why)
{
	char *f[11], *save = NULL, *tok;
	uint64_t v;
	int n = 0, st;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	memset(ev, 0, sizeof(*ev));
	for (tok = strtok_r(line, "\t", &save); tok && n < 11; tok = strtok_r(NULL, "\t", &save))
		f[n++] = tok;
	*why = "expected 11 tab-separated fields";
	if (n != 11 || tok)
		return -EINVAL;

	*why = "bad time_ns";
	if (parse_u64(f[0], UINT64_MAX, &ev->time_ns) < 0)
		return -EINVAL;
	*why = "bad sock";
	if (parse_u64(f[1], INT64_MAX, &ev->sock) < 0)
		return -EINVAL;
	if (strcmp(f[2], "-") != 0) {
		*why = "bad pid or comm";
		if (parse_u64(f[2], INT32_MAX, &v) < 0 || parse_comm(f[3], ev->comm) < 0)
			return -EINVAL;
		ev->pid = (int32_t)v;
		ev->flags |= TCA_EV_PID;
		ev->owner = TCA_OWNER_HOLDER;
	}
	*why = "bad family (ipv4 or ipv6)";
	if ((st = names_family_parse(f[4])) < 0)
		return -EINVAL;
	ev->family = (uint8_t)st;
	ev->protocol = TCA_PROTO_TCP;
	*why = "bad address or port";
	if (parse_addr(f[5], ev->family, ev->saddr) < 0 || parse_addr(f[7], ev->family, ev->daddr) < 0)
		return -EINVAL;
	if (parse_u64(f[6], 65535, &v) < 0)
		return -EINVAL;
	ev->sport = (uint16_t)v;
	if (parse_u64(f[8], 65535, &v) < 0)
		return -EINVAL;
	ev->dport = (uint16_t)v;
	*why = "bad state name";
	if ((st = names_state_parse(f[9])) < 0)
		return -EINVAL;
	ev->oldstate = (uint8_t)st;
	if ((st = names_state_parse(f[10])) < 0)
		return -EINVAL;
	ev->newstate = (uint8_t)st;
	return 1;
}
