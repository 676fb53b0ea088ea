# man/: the core pages. Each optional plugin adds its own page from its
# plugins/<name>/local.mk, so that the page travels with the plugin.
dist_man_MANS += \
	man/tcp-audit.8 \
	man/tcp-audit.conf.5 \
	man/tcp-audit-plugin.3 \
	man/tcp-audit-plugins.7
