# plugins/pgsql: built when configure finds its libraries (BUILD_PGSQL).
if BUILD_PGSQL
pkglib_LTLIBRARIES += plugins/pgsql.la
plugins_pgsql_la_SOURCES = plugins/pgsql/pgsql.c plugins/pgsql/pgsql.h \
	plugins/pgsql/conn.c plugins/pgsql/schema.c plugins/pgsql/partition.c \
	plugins/pgsql/copy.c plugins/pgsql/records.c plugins/pgsql/copy-encode.c \
	plugins/pgsql/copy-encode.h plugins/pgsql/conn-agg.c plugins/pgsql/conn-agg.h plugins/pgsql/conn-seen.c plugins/pgsql/conn-seen.h
nodist_plugins_pgsql_la_SOURCES = plugins/pgsql/pgsql-ddl.h
plugins_pgsql_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/plugins/pgsql
plugins_pgsql_la_CFLAGS = $(AM_CFLAGS) $(PGSQL_CFLAGS)
plugins_pgsql_la_LIBADD = lib/libtca.la $(PGSQL_LIBS)
plugins_pgsql_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
CLEANFILES += plugins/pgsql/pgsql-ddl.h
pgsqlddldir = $(pkgdatadir)
dist_pgsqlddl_DATA = plugins/pgsql/tcp-audit-pgsql.sql
$(plugins_pgsql_la_OBJECTS): plugins/pgsql/pgsql-ddl.h
endif
# The DDL file is the one source of the schema: the plugin embeds it as a
# C string, so that what it runs and what a DBA runs cannot differ.
plugins/pgsql/pgsql-ddl.h: $(top_srcdir)/plugins/pgsql/tcp-audit-pgsql.sql
	$(AM_V_GEN)$(MKDIR_P) plugins/pgsql && \
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' \
		$(top_srcdir)/plugins/pgsql/tcp-audit-pgsql.sql > $@-t && mv $@-t $@
dist_man_MANS += man/tcp-audit-pgsql.7
