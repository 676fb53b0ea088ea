/* SPDX-License-Identifier: MIT */
/* The sqlite sinker's schema versions (schema.c) and the functions its
 * migration needs (migrate.c). */
#ifndef TCA_SQLITE_SCHEMA_H
#define TCA_SQLITE_SCHEMA_H

#include <stdint.h>

#include <sqlite3.h>

/* PRAGMA user_version of the schema this code writes. */
#define SQLITE_SCHEMA_VERSION 4

/* schema_steps[i] takes a database from version i to i + 1. */
extern const char *const schema_steps[SQLITE_SCHEMA_VERSION];

/* Register the SQL functions that convert schema 1 and 2's text columns
 * (tca_state_num, tca_family_num, tca_proto_num, tca_addr_blob). */
int migrate_register(sqlite3 *db);

#endif
