/* SPDX-License-Identifier: MIT */
/* Fuzz the wire decoder (lib/wire.c) with any bytes, as a message from the
 * network would bring them: it must never read outside the input, and
 * what it accepts must encode back to exactly the same bytes, into a
 * buffer of exactly that size (so that ASan sees a byte of overrun). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ssize_t encode(uint8_t *buf, size_t cap, const struct wire_record *rec)
{
	switch (rec->type) {
	case WIRE_EVENT:
		return wire_encode_event(buf, cap, &rec->origin, &rec->u.ev);
	case WIRE_GAP:
		return wire_encode_gap(buf, cap, &rec->origin, &rec->u.gap);
	case WIRE_NAME:
		/* Its text must be the record's own, not a pointer to elsewhere. */
		if (rec->u.name.text != rec->text)
			abort();
		return wire_encode_name(buf, cap, &rec->origin, &rec->u.name);
	default:
		return wire_encode_run(buf, cap, &rec->u.run);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_record rec;
	uint8_t *in, *out;

	/* A heap copy of exactly size bytes: a read past it is an ASan error. */
	in = malloc(size ? size : 1);
	if (!in)
		abort();
	memcpy(in, data, size);
	{
		/* The peeks read only within the input, whatever it holds. */
		uint64_t seq;

		if (wire_head_len(in, size) > size)
			abort();
		(void)wire_event_seq(in, size, &seq);
	}
	if (wire_decode(in, size, &rec) == 0) {
		if (size > WIRE_RECORD_MAX)
			abort();
		out = malloc(size);
		if (!out)
			abort();
		if (encode(out, size, &rec) != (ssize_t)size || memcmp(out, in, size) != 0)
			abort();
		if (size > 0 && encode(out, size - 1, &rec) != -ENOBUFS)
			abort();
		free(out);
	}
	free(in);
	return 0;
}
