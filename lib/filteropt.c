/* SPDX-License-Identifier: MIT */
/* Parsing of the eventers' filter options; see filteropt.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tcp-audit/plugin.h>

#include "filteropt.h"
#include "names.h"

/* The next comma-separated item of *list into item (NUL-terminated), or
 * 0 at the end; -EINVAL for an empty or over-long item. */
static int filteropt_next(const char **list, char *item, size_t size)
{
	size_t n;

	if (!*list || !**list)
		return 0;
	n = strcspn(*list, ",");
	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(item, *list, n);
	item[n] = '\0';
	*list += n;
	if (**list == ',' && !*++*list)
		return -EINVAL; /* a trailing comma */
	return 1;
}

int filteropt_ports(const char *list, uint16_t *ports, size_t max, size_t *n)
{
	char item[16], *end;
	int r;

	*n = 0;
	while ((r = filteropt_next(&list, item, sizeof(item))) > 0) {
		unsigned long v;
		errno = 0;
		v = strtoul(item, &end, 10);
		if (errno || *end || item[0] == '-' || item[0] == '+' || v < 1 || v > 65535)
			return -EINVAL;
		if (*n == max)
			return -E2BIG;
		ports[(*n)++] = (uint16_t)v;
	}
	return r;
}

int filteropt_states(const char *list, uint32_t *mask)
{
	char item[32];
	int r;

	*mask = 0;
	while ((r = filteropt_next(&list, item, sizeof(item))) > 0) {
		int s = names_state_parse(item);
		if (s < 0)
			return -EINVAL;
		*mask |= 1u << s;
	}
	return r;
}

int filteropt_family(const char *name, unsigned *family)
{
	int f;

	*family = 0;
	if (!name || !*name || strcmp(name, "any") == 0)
		return 0;
	f = names_family_parse(name);
	if (f < 0)
		return -EINVAL;
	*family = (unsigned)f;
	return 0;
}

int filteropt_addresses(const char *list, uint8_t (*addrs)[16], unsigned *family, size_t max,
			size_t *n)
{
	char item[INET6_ADDRSTRLEN];
	int r;

	*n = 0;
	while ((r = filteropt_next(&list, item, sizeof(item))) > 0) {
		int af = strchr(item, ':') ? AF_INET6 : AF_INET;
		if (*n == max)
			return -E2BIG;
		memset(addrs[*n], 0, 16);
		if (inet_pton(af, item, addrs[*n]) != 1)
			return -EINVAL;
		family[(*n)++] = af == AF_INET6 ? TCA_FAMILY_IPV6 : TCA_FAMILY_IPV4;
	}
	return r;
}

int filteropt_inodes(const char *list, uint64_t *ids, size_t max, size_t *n,
		     bool (*accept)(const char *path))
{
	char item[4096], *end;
	struct stat st;
	int r;

	*n = 0;
	while ((r = filteropt_next(&list, item, sizeof(item))) > 0) {
		unsigned long long v;
		if (*n == max)
			return -E2BIG;
		if (item[0] == '/') {
			if (stat(item, &st) < 0 || (accept && !accept(item)))
				return -EINVAL;
			ids[(*n)++] = (uint64_t)st.st_ino;
			continue;
		}
		errno = 0;
		v = strtoull(item, &end, 10);
		if (errno || *end || item[0] == '-' || item[0] == '+' || v == 0)
			return -EINVAL;
		ids[(*n)++] = v;
	}
	return r;
}
