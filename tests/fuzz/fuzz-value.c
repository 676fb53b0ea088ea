/* SPDX-License-Identifier: MIT */
/* Fuzz the option values: every typed parser of src/value.c on the same
 * text, then a plugin's whole option table through plugin-config.c with
 * KEY=VALUE lines. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/plugin-config.h"
#include "../../src/plugin-loader.h"
#include "../../src/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_config {
	const char *s;
	bool b;
	int64_t i, bounded;
	uint64_t size, ms;
};

static const struct tca_option fuzz_options[] = {
	{ .name = "s", .type = TCA_OPT_STRING, .def = "x", .offset = offsetof(struct fuzz_config, s) },
	{ .name = "b", .type = TCA_OPT_BOOL, .def = "no", .offset = offsetof(struct fuzz_config, b) },
	{ .name = "i", .type = TCA_OPT_INT, .def = "0", .offset = offsetof(struct fuzz_config, i) },
	{ .name = "bounded", .type = TCA_OPT_INT, .def = "5", .min = -3, .max = 100,
	  .offset = offsetof(struct fuzz_config, bounded) },
	{ .name = "size", .type = TCA_OPT_SIZE, .def = "4M", .offset = offsetof(struct fuzz_config, size) },
	{ .name = "ms", .type = TCA_OPT_DURATION, .def = "5s", .offset = offsetof(struct fuzz_config, ms) },
	{ .name = NULL },
};

static const struct tca_plugin fuzz_plugin = {
	TCA_PLUGIN_HEADER,
	.kind = TCA_KIND_SINKER,
	.name = "fuzz",
	.options = fuzz_options,
	.config_size = sizeof(struct fuzz_config),
};

static void fuzz_values(const char *text)
{
	bool b;
	int64_t i;
	uint64_t u;

	(void)value_parse_bool(text, &b);
	(void)value_parse_int(text, &i);
	(void)value_parse_size(text, &u);
	if (value_parse_duration(text, &u) == 0 && u > VALUE_DURATION_MAX_MS)
		abort(); /* the bound that keeps deadlines from wrapping */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plugin p = { .desc = &fuzz_plugin };
	char *text = malloc(size + 1), *line, *save = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_values(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fuzz_values(line);
		(void)kvlist_add_assignment(&p.options, line, "fuzz");
	}
	(void)plugin_config_build(&p);
	free(p.config);
	kvlist_free(&p.options);
	free(text);
	return 0;
}
