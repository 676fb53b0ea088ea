/* SPDX-License-Identifier: MIT */
/* Fuzz the pgsql COPY encoder: events of any bytes (a comm with no NUL,
 * any family and flags) and any host name, into a buffer of exactly the
 * bound the encoder gives, so that ASan sees a single byte of overrun. */
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
	struct copy_origin o = { .run_id = 1 };
	size_t n, max, len, host_len;
	char *buf;

	/* The first byte says how long the host name is; then the boot id,
	 * then whole events; what is left over is ignored. */
	if (size < 1 + sizeof(o.boot_id))
		return 0;
	host_len = data[0];
	data++, size--;
	memcpy(o.boot_id, data, sizeof(o.boot_id));
	data += sizeof(o.boot_id), size -= sizeof(o.boot_id);
	if (host_len > size)
		host_len = size;
	o.host = (const char *)data;
	o.host_len = host_len;
	data += host_len, size -= host_len;
	n = size / sizeof(ev[0]);
	if (n > FUZZ_MAX_EVENTS)
		n = FUZZ_MAX_EVENTS;
	memcpy(ev, data, n * sizeof(ev[0]));

	max = copy_batch_max(o.host_len, n);
	buf = malloc(max);
	if (!buf)
		abort();
	len = copy_encode(buf, &o, ev, n);
	if (len > max)
		abort();
	free(buf);
	return 0;
}
