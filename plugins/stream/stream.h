/* SPDX-License-Identifier: MIT */
/* The two formats of the stream sinkers: one formats.c per build. */
#ifndef TCA_STREAM_H
#define TCA_STREAM_H

#include <stddef.h>

#include <tcp-audit/plugin.h>

#include "fmt.h"

#ifdef STREAM_TEXT
#define STREAM_NAME "text"
#define STREAM_DESC "Events as aligned text columns, like tcpstates, to stdout or a file"
#else
#define STREAM_NAME "json"
#define STREAM_DESC "Events, gaps, runs and names as JSON Lines (one object each) to stdout or a file"
#endif

/* The longest line either format makes, newline included. */
#define STREAM_LINE_MAX (FMT_JSON_MAX + 1)

/* Each returns the length written to buf (newline included), or -ENOSPC. */
int stream_format_header(char *buf, size_t size);
int stream_format_event(char *buf, size_t size, const struct tca_event *ev,
			const struct tca_origin *origin);
int stream_format_gap(char *buf, size_t size, const struct tca_gap *g, const struct tca_origin *origin);
int stream_format_run(char *buf, size_t size, const struct tca_run *run);
/* A name record's line; STREAM_NAME_LINE_MAX always suffices. */
#define STREAM_NAME_LINE_MAX (FMT_NAME_JSON_MAX + 1)
int stream_format_name(char *buf, size_t size, const struct tca_name *name,
		       const struct tca_origin *origin);

#endif
