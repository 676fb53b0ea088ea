# systemd/: the service unit, and the default config file it reads.
#
# The unit in the tree names /usr/sbin/tcp-audit, so that it can be checked
# as it is (systemd-analyze); it is installed with $(sbindir) put in.
EXTRA_DIST += systemd/tcp-audit.service

install-data-local: install-systemd-unit
uninstall-local: uninstall-systemd-unit

.PHONY: install-systemd-unit uninstall-systemd-unit
install-systemd-unit:
	$(MKDIR_P) '$(DESTDIR)$(systemdsystemunitdir)'
	sed -e 's|/usr/sbin/tcp-audit|$(sbindir)/tcp-audit|' \
		'$(top_srcdir)/systemd/tcp-audit.service' > '$(DESTDIR)$(systemdsystemunitdir)/tcp-audit.service.tmp'
	chmod 644 '$(DESTDIR)$(systemdsystemunitdir)/tcp-audit.service.tmp'
	mv -f '$(DESTDIR)$(systemdsystemunitdir)/tcp-audit.service.tmp' \
		'$(DESTDIR)$(systemdsystemunitdir)/tcp-audit.service'

uninstall-systemd-unit:
	rm -f '$(DESTDIR)$(systemdsystemunitdir)/tcp-audit.service'

# The default config file, $(sysconfdir)/tcp-audit/tcp-audit.conf (the path
# the processor reads when --config is not given). Packages mark it as a
# conffile.
tcaconfdir = $(sysconfdir)/tcp-audit
dist_tcaconf_DATA = src/tcp-audit.conf
