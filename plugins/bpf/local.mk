# plugins/bpf: the eBPF eventer, built with --enable-bpf (BUILD_BPF). The BPF
# program is compiled by clang -target bpf and embedded in the plugin as a
# bpftool skeleton, so the .so is the whole plugin.
BPF_PLUGIN_SOURCES = plugins/bpf/bpf.c plugins/bpf/bpf.h plugins/bpf/load.c \
	plugins/bpf/read.c plugins/bpf/filter.c plugins/bpf/bpf-record.h \
	plugins/bpf/loss.c plugins/bpf/hits.c plugins/bpf/unseen.c plugins/bpf/decode.c \
	plugins/bpf/recover.c plugins/bpf/recover.h plugins/bpf/history.c
if BUILD_BPF
pkglib_LTLIBRARIES += plugins/bpf.la
plugins_bpf_la_SOURCES = $(BPF_PLUGIN_SOURCES)
nodist_plugins_bpf_la_SOURCES = plugins/bpf/tca.skel.h
plugins_bpf_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/plugins/bpf -I$(top_srcdir)/plugins/bpf
plugins_bpf_la_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(TRACEFS_CFLAGS)
plugins_bpf_la_LIBADD = lib/libtca.la lib/libtcatrace.la $(LIBBPF_LIBS) $(TRACEFS_LIBS)
plugins_bpf_la_LDFLAGS = $(PLUGIN_LINK_FLAGS)
$(plugins_bpf_la_OBJECTS): plugins/bpf/tca.skel.h
CLEANFILES += plugins/bpf/tca.bpf.o plugins/bpf/tca.skel.h

# No kernel headers and no vmlinux.h: kernel.h declares the few fields the
# program reads, and libbpf relocates them against the running kernel (CO-RE).
plugins/bpf/tca.bpf.o: plugins/bpf/tca.bpf.c plugins/bpf/kernel.h plugins/bpf/bpf-record.h
	@$(MKDIR_P) plugins/bpf
	$(AM_V_GEN)$(CLANG) -target bpf -O2 -g -Wall -Werror -D__TARGET_ARCH_$(BPF_ARCH) \
		-I$(top_srcdir)/plugins/bpf $(LIBBPF_CFLAGS) -c $(top_srcdir)/plugins/bpf/tca.bpf.c -o $@

plugins/bpf/tca.skel.h: plugins/bpf/tca.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton plugins/bpf/tca.bpf.o name tca_bpf > $@.tmp && mv $@.tmp $@

# The drop-in that gives the unit the eventer's capabilities.
bpfdropindir = $(systemdsystemunitdir)/tcp-audit.service.d
dist_bpfdropin_DATA = systemd/tcp-audit.service.d/bpf.conf
endif
EXTRA_DIST += systemd/tcp-audit.service.d/bpf.conf $(BPF_PLUGIN_SOURCES) plugins/bpf/tca.bpf.c plugins/bpf/kernel.h plugins/bpf/Dockerfile
dist_man_MANS += man/tcp-audit-bpf.7
