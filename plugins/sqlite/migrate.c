/* SPDX-License-Identifier: MIT */
/* SQL functions for the migration to schema 3: schema 1 and 2 stored
 * states, families, protocols and addresses as text; schema 3 as numbers
 * and blobs. Registered on the sinker's connection only: no view needs
 * them, so any sqlite3 shell reads a migrated archive. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "names.h"
#include "sqlite-schema.h"

/* A name to its number with parse(); NULL or an unknown name is 0. */
static void migrate_num(sqlite3_context *ctx, sqlite3_value *v, int (*parse)(const char *))
{
	const char *name = (const char *)sqlite3_value_text(v);
	int n = name ? parse(name) : -1;

	sqlite3_result_int(ctx, n < 0 ? 0 : n);
}

static void migrate_state(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	migrate_num(ctx, argv[0], names_state_parse);
}

static void migrate_family(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	migrate_num(ctx, argv[0], names_family_parse);
}

static void migrate_proto(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	migrate_num(ctx, argv[0], names_protocol_parse);
}

/* tca_addr_blob(family, text): the 4 or 16 bytes of the address; text
 * that does not parse is kept as it is (evidence is never dropped). */
static void migrate_addr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *family = (const char *)sqlite3_value_text(argv[0]);
	const char *text = (const char *)sqlite3_value_text(argv[1]);
	unsigned char buf[16];
	int v6 = family && strcmp(family, "ipv6") == 0;

	(void)argc;
	if (text && inet_pton(v6 ? AF_INET6 : AF_INET, text, buf) == 1)
		sqlite3_result_blob(ctx, buf, v6 ? 16 : 4, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(ctx, argv[1]);
}

/* The text address as a blob into buf; its length, or 0. */
static int migrate_parse(sqlite3_value *fam, sqlite3_value *addr, unsigned char buf[16])
{
	const char *family = (const char *)sqlite3_value_text(fam);
	const char *text = (const char *)sqlite3_value_text(addr);
	int v6 = family && strcmp(family, "ipv6") == 0;

	if (!text || inet_pton(v6 ? AF_INET6 : AF_INET, text, buf) != 1)
		return 0;
	return v6 ? 16 : 4;
}

/* tca_first_addr(family, text, seq), an aggregate: the address of the
 * smallest seq that is not zero, or a zero address of the family. */
struct migrate_first {
	int64_t seq;
	int len;      /* 0: nothing yet */
	int nonzero;
	unsigned char buf[16];
};

static void migrate_first_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct migrate_first *f = sqlite3_aggregate_context(ctx, sizeof(*f));
	unsigned char buf[16];
	int64_t seq = sqlite3_value_int64(argv[2]);
	int len = migrate_parse(argv[0], argv[1], buf), nonzero = 0;

	(void)argc;
	if (!f || !len)
		return;
	for (int i = 0; i < len; i++)
		nonzero |= buf[i];
	if (f->len && (!nonzero || (f->nonzero && seq >= f->seq)))
		return;
	f->seq = seq;
	f->len = len;
	f->nonzero = nonzero != 0;
	memcpy(f->buf, buf, sizeof(buf));
}

static void migrate_first_final(sqlite3_context *ctx)
{
	struct migrate_first *f = sqlite3_aggregate_context(ctx, 0);

	if (f && f->len)
		sqlite3_result_blob(ctx, f->buf, f->len, SQLITE_TRANSIENT);
	else
		sqlite3_result_zeroblob(ctx, 4);
}

/* tca_first_nonzero(value, seq), an aggregate: the value of the smallest
 * seq that is not zero, or NULL. */
static void migrate_nonzero_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct migrate_first *f = sqlite3_aggregate_context(ctx, sizeof(*f));
	int64_t v = sqlite3_value_int64(argv[0]), seq = sqlite3_value_int64(argv[1]);

	(void)argc;
	if (!f || !v || (f->len && seq >= f->seq))
		return;
	f->seq = seq;
	f->len = 1;
	memcpy(f->buf, &v, sizeof(v));
}

static void migrate_nonzero_final(sqlite3_context *ctx)
{
	struct migrate_first *f = sqlite3_aggregate_context(ctx, 0);
	int64_t v;

	if (!f || !f->len) {
		sqlite3_result_null(ctx);
		return;
	}
	memcpy(&v, f->buf, sizeof(v));
	sqlite3_result_int64(ctx, v);
}

/* tca_bit_or(x), an aggregate: the bits set in any x. */
static void migrate_or_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t *acc = sqlite3_aggregate_context(ctx, sizeof(*acc));

	(void)argc;
	if (acc)
		*acc |= sqlite3_value_int64(argv[0]);
}

static void migrate_or_final(sqlite3_context *ctx)
{
	int64_t *acc = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, acc ? *acc : 0);
}

/* tca_unique_key(time), called in time order: the time, or the next ns
 * after the last key given if that is taken. */
static void migrate_unique_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t *last = sqlite3_user_data(ctx);
	int64_t t = sqlite3_value_int64(argv[0]);

	(void)argc;
	*last = t > *last ? t : *last + 1;
	sqlite3_result_int64(ctx, *last);
}

int migrate_register(sqlite3 *db)
{
	static int64_t last_key; /* one migration at a time: db_schema holds the write lock */
	static const struct {
		const char *name;
		int argc;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
		void (*step)(sqlite3_context *, int, sqlite3_value **);
		void (*final)(sqlite3_context *);
		int flags;
	} fns[] = {
		{ "tca_state_num", 1, migrate_state, NULL, NULL, SQLITE_DETERMINISTIC },
		{ "tca_family_num", 1, migrate_family, NULL, NULL, SQLITE_DETERMINISTIC },
		{ "tca_proto_num", 1, migrate_proto, NULL, NULL, SQLITE_DETERMINISTIC },
		{ "tca_addr_blob", 2, migrate_addr, NULL, NULL, SQLITE_DETERMINISTIC },
		{ "tca_first_addr", 3, NULL, migrate_first_step, migrate_first_final, 0 },
		{ "tca_first_nonzero", 2, NULL, migrate_nonzero_step, migrate_nonzero_final, 0 },
		{ "tca_bit_or", 1, NULL, migrate_or_step, migrate_or_final, 0 },
		{ "tca_unique_key", 1, migrate_unique_key, NULL, NULL, 0 },
	};
	int rc = SQLITE_OK;

	last_key = INT64_MIN;
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]) && rc == SQLITE_OK; i++)
		rc = sqlite3_create_function(db, fns[i].name, fns[i].argc, SQLITE_UTF8 | fns[i].flags,
					     &last_key, fns[i].fn, fns[i].step, fns[i].final);
	return rc;
}
