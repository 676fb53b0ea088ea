/* SPDX-License-Identifier: MIT */
/* Build a plugin's typed config struct from its option table. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "exit-status.h"
#include "log.h"
#include "plugin-config.h"
#include "value.h"

static const struct tca_option *option_find(const struct tca_option *opts, const char *name)
{
	for (const struct tca_option *o = opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static int option_store(void *config, const struct tca_option *o, const char *value)
{
	char *field = (char *)config + o->offset;
	int r;

	switch (o->type) {
	case TCA_OPT_STRING:
		*(const char **)field = value;
		return 0;
	case TCA_OPT_BOOL:
		return value_parse_bool(value, (bool *)field);
	case TCA_OPT_INT: {
		int64_t v;
		if ((r = value_parse_int(value, &v)) < 0)
			return r;
		if ((o->min || o->max) && (v < o->min || v > o->max))
			return -ERANGE;
		*(int64_t *)field = v;
		return 0;
	}
	case TCA_OPT_SIZE:
		return value_parse_size(value, (uint64_t *)field);
	case TCA_OPT_DURATION:
		return value_parse_duration(value, (uint64_t *)field);
	default:
		return -EINVAL;
	}
}

static const char *option_expect(const struct tca_option *o)
{
	switch (o->type) {
	case TCA_OPT_BOOL: return "yes or no";
	case TCA_OPT_INT: return "an integer";
	case TCA_OPT_SIZE: return "a size like 4M";
	case TCA_OPT_DURATION: return "a duration like 500ms or 5s";
	default: return "a string";
	}
}

static void option_unknown(const struct plugin *p, const struct kv *kv)
{
	char known[512] = "";
	size_t pos = 0;

	for (const struct tca_option *o = p->desc->options; o && o->name; o++) {
		int n = snprintf(known + pos, sizeof(known) - pos, "%s%s", pos ? ", " : "", o->name);
		if (n < 0 || (size_t)n >= sizeof(known) - pos)
			break;
		pos += (size_t)n;
	}
	log_full(p->desc->name, TCA_LOG_ERR, 0,
		 "unknown option '%s' (from %s); %s '%s' knows: %s", kv->key, kv->origin,
		 plugin_kind_name(p->desc->kind), p->desc->name, pos ? known : "no options");
}

int plugin_config_build(struct plugin *p)
{
	const struct tca_plugin *d = p->desc;

	p->config = calloc(1, d->config_size ? d->config_size : 1);
	if (!p->config)
		return EXIT_OSERR;
	for (const struct tca_option *o = d->options; o && o->name; o++) {
		if (o->def && option_store(p->config, o, o->def) < 0) {
			log_full(d->name, TCA_LOG_ERR, 0, "plugin bug: bad default '%s' for option '%s'",
				 o->def, o->name);
			return EXIT_SOFTWARE;
		}
	}
	for (size_t i = 0; i < p->options.n; i++) {
		const struct kv *kv = &p->options.items[i];
		const struct tca_option *o = option_find(d->options, kv->key);
		int r;

		if (!o) {
			option_unknown(p, kv);
			return EXIT_CONFIG;
		}
		r = option_store(p->config, o, kv->value);
		if (r == -ERANGE && o->type == TCA_OPT_INT && (o->min || o->max)) {
			log_full(d->name, TCA_LOG_ERR, 0,
				 "option %s=%s (from %s) is out of range; give %" PRId64 "..%" PRId64,
				 kv->key, kv->value, kv->origin, o->min, o->max);
			return EXIT_CONFIG;
		}
		if (r < 0) {
			log_full(d->name, TCA_LOG_ERR, 0, "option %s=%s (from %s) is not %s", kv->key,
				 kv->value, kv->origin, option_expect(o));
			return EXIT_CONFIG;
		}
	}
	return 0;
}

void plugin_config_print(const struct plugin *p, FILE *out)
{
	for (const struct tca_option *o = p->desc->options; o && o->name; o++) {
		const char *value = o->def;
		for (size_t i = 0; i < p->options.n; i++)
			if (strcmp(p->options.items[i].key, o->name) == 0)
				value = p->options.items[i].value;
		if ((o->flags & TCA_OPTF_SECRET) && value && *value)
			value = "(set; not shown)";
		fprintf(out, "    %s = %s\n", o->name, value ? value : "");
	}
}
