/* SPDX-License-Identifier: MIT */
/* The pgsql sinker's COPY binary encoder, for the events and for the
 * batch's connections: pure code, no libpq, so that the unit tests and the
 * fuzzer drive exactly what the plugin sends. */
#ifndef TCA_PGSQL_COPY_ENCODE_H
#define TCA_PGSQL_COPY_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

#include "conn-agg.h"

/* The comm bytes a row stores at most: the kernel's comm is 15 bytes and a
 * NUL, so a 16th byte is an eventer's bug, and is cut. */
#define COPY_COMM_MAX_BYTES (TCA_COMM_LEN - 1)

/* The most bytes copy_encode() writes for one event row, and for n rows
 * with the COPY header and trailer; SIZE_MAX when that would not fit. The
 * same for one connection and for copy_conn_encode()'s n connections. */
size_t copy_row_max(void);
size_t copy_batch_max(size_t n);
size_t copy_conn_row_max(void);
size_t copy_conn_batch_max(size_t n);

/* Text as the server stores it, in any server encoding: printable ASCII
 * but the backslash as it is, every other byte as \xHH. Writes at most
 * 4 * len bytes to out and returns how many. */
size_t copy_ascii_encode(char *out, const char *in, size_t len);

/* The comm so encoded, cut at COPY_COMM_MAX_BYTES: at most
 * 4 * COPY_COMM_MAX_BYTES bytes. */
size_t copy_comm_encode(char *out, const char comm[TCA_COMM_LEN]);

/* n events of the run with key `run` (tcp_audit_runs.run) in COPY binary
 * format into buf, which holds at least copy_batch_max(n) bytes; returns
 * the length written. */
size_t copy_encode(char *buf, int32_t run, const struct tca_event *ev, size_t n);

/* n connections (conn_agg_batch()'s summaries) as COPY_CONN_NFIELDS arrays
 * in binary form (a column each, for unnest()), into a buffer of
 * copy_conn_batch_max(n) bytes; array c is at off[c], off[c + 1] - off[c]
 * bytes long. Returns the length written. */
#define COPY_CONN_NFIELDS 21
size_t copy_conn_arrays(char *buf, int32_t run, const struct conn_sum *sum, size_t n,
			size_t off[COPY_CONN_NFIELDS + 1]);

/* The same connections as COPY binary rows, with the COPY header and
 * trailer, into a buffer of copy_conn_rows_max(n) bytes; the columns are
 * those of the arrays, in the same order. */
size_t copy_conn_rows_max(size_t n);
size_t copy_conn_rows(char *buf, int32_t run, const struct conn_sum *sum, size_t n);

#endif
