/* SPDX-License-Identifier: MIT */
/* Fuzz the replay eventer's TSV file: the bounded line reader and the
 * line parser, over any bytes, as replay_next_line() drives them. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	/* Small, so that the fuzzer reaches the over-long line quickly. */
	char line[256];
	struct tca_event ev;
	const char *why;
	size_t len;

	if (!f)
		return 0;
	while (replay_read_line(f, line, sizeof(line), &len) > 0) {
		if (len >= sizeof(line) || strlen(line) != len)
			abort();
		if (replay_parse_line(line, &ev, &why) > 0 &&
		    (strnlen(ev.comm, TCA_COMM_LEN) >= TCA_COMM_LEN || ev.sock > INT64_MAX))
			abort();
	}
	fclose(f);
	return 0;
}
