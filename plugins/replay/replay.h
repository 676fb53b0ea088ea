/* SPDX-License-Identifier: MIT */
/* The replay eventer's two sources: synthetic events and TSV files. */
#ifndef TCA_REPLAY_H
#define TCA_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include <tcp-audit/plugin.h>

/* 2026-01-01T00:00:00Z, the time of synthetic event 0. */
#define REPLAY_EPOCH_NS 1767225600000000000ull

/* Synthetic event number i: deterministic, so tests can recompute it. */
void replay_synth(uint64_t i, struct tca_event *ev);

/* The longest TSV line, newline included: an event's eleven fields take
 * under 200 bytes, and the bound keeps a wrong file from filling memory. */
#define REPLAY_LINE_MAX 4096

/* Read one line of f into buf (cap bytes), without its newline. Returns 1
 * for a line, 0 at the end, -E2BIG for a line that does not fit,
 * -EINVAL for a NUL byte (not a text file), -EIO for a read error. */
int replay_read_line(FILE *f, char *buf, size_t cap, size_t *len);

/* Parse one TSV line into ev. Returns 1 for an event, 0 for a blank or
 * comment line, -EINVAL with a reason in *why for a bad one. */
int replay_parse_line(char *line, struct tca_event *ev, const char **why);

#endif
