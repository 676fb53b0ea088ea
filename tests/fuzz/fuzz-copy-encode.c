/* SPDX-License-Identifier: MIT */
/* Fuzz the pgsql COPY encoder: events of any bytes (a comm with no NUL,
 * any family, flags and states), and their connections, into buffers of
 * exactly the bounds the encoders give, so that ASan sees a single byte of
 * overrun. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/pgsql/copy-encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_EVENTS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tca_event ev[FUZZ_MAX_EVENTS];
	struct conn_agg a = { 0 };
	size_t off[COPY_CONN_NFIELDS + 1];
	size_t n, max, len;
	char *buf;

	/* Whole events; what is left over is ignored. */
	n = size / sizeof(ev[0]);
	if (n > FUZZ_MAX_EVENTS)
		n = FUZZ_MAX_EVENTS;
	memcpy(ev, data, n * sizeof(ev[0]));

	max = copy_batch_max(n);
	buf = malloc(max);
	if (!buf)
		abort();
	len = copy_encode(buf, 1, ev, n);
	if (len > max)
		abort();
	free(buf);

	/* Their connections, any socks (repeated, colliding), any states. */
	if (conn_agg_batch(&a, ev, n) < 0 || a.n > n)
		abort();
	max = copy_conn_batch_max(a.n);
	buf = malloc(max);
	if (!buf)
		abort();
	len = copy_conn_arrays(buf, 1, a.sum, a.n, off);
	if (len > max || off[COPY_CONN_NFIELDS] != len)
		abort();
	free(buf);
	max = copy_conn_rows_max(a.n);
	buf = malloc(max);
	if (!buf)
		abort();
	if (copy_conn_rows(buf, 1, a.sum, a.n) > max)
		abort();
	free(buf);
	conn_agg_free(&a);
	return 0;
}
