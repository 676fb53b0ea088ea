/* SPDX-License-Identifier: MIT */
/* The pgsql sinker's COPY binary encoder: pure code, no libpq, so that the
 * unit tests and the fuzzer drive exactly what the plugin sends. */
#ifndef TCA_PGSQL_COPY_ENCODE_H
#define TCA_PGSQL_COPY_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <tcp-audit/plugin.h>

/* What every row of a run carries beside its event. */
struct copy_origin {
	const char *host;     /* as stored: copy_ascii_encode()d */
	size_t host_len;
	uint8_t boot_id[16];
	uint64_t run_id;
};

/* The comm bytes a row stores at most: the kernel's comm is 15 bytes and a
 * NUL, so a 16th byte is an eventer's bug, and is cut. */
#define COPY_COMM_MAX_BYTES (TCA_COMM_LEN - 1)

/* The most bytes copy_encode() writes for one row, and for n rows with the
 * COPY header and trailer; SIZE_MAX when that would not fit a size_t. */
size_t copy_row_max(size_t host_len);
size_t copy_batch_max(size_t host_len, size_t n);

/* Text as the server stores it, in any server encoding: printable ASCII
 * but the backslash as it is, every other byte as \xHH. Writes at most
 * 4 * len bytes to out and returns how many. */
size_t copy_ascii_encode(char *out, const char *in, size_t len);

/* The comm so encoded, cut at COPY_COMM_MAX_BYTES: at most
 * 4 * COPY_COMM_MAX_BYTES bytes. */
size_t copy_comm_encode(char *out, const char comm[TCA_COMM_LEN]);

/* n events in COPY binary format into buf, which holds at least
 * copy_batch_max(o->host_len, n) bytes; returns the length written. */
size_t copy_encode(char *buf, const struct copy_origin *o, const struct tca_event *ev, size_t n);

#endif
