/* SPDX-License-Identifier: MIT */
/* The json sinker's lines: an object per event, gap, run or name (lib/fmt.c). */
#include "config.h"

#include <errno.h>

#include "stream.h"

/* One object, and the newline that ends its line. */
static int line(char *buf, size_t size, int n)
{
	if (n < 0 || (size_t)n + 1 > size)
		return -ENOSPC;
	buf[n++] = '\n';
	return n;
}

int stream_format_header(char *buf, size_t size)
{
	(void)buf;
	(void)size;
	return 0;
}

int stream_format_event(char *buf, size_t size, const struct tca_event *ev,
			const struct tca_origin *origin)
{
	return size ? line(buf, size, fmt_event_json(buf, size - 1, ev, origin)) : -ENOSPC;
}

int stream_format_gap(char *buf, size_t size, const struct tca_gap *g, const struct tca_origin *origin)
{
	return size ? line(buf, size, fmt_gap_json(buf, size - 1, g, origin)) : -ENOSPC;
}

int stream_format_run(char *buf, size_t size, const struct tca_run *run)
{
	return size ? line(buf, size, fmt_run_json(buf, size - 1, run)) : -ENOSPC;
}

int stream_format_name(char *buf, size_t size, const struct tca_name *name,
		       const struct tca_origin *origin)
{
	return size ? line(buf, size, fmt_name_json(buf, size - 1, name, origin)) : -ENOSPC;
}
