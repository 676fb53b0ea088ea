#!/bin/bash
# The systemd unit: "systemd-analyze verify" says nothing, and the offline
# security analysis rates its exposure at 2.5 or lower. The real test is
# .ci/boot-test, which runs the installed unit under a booted systemd.
. "$TESTS_LIB/common.sh"
require_cmd systemd-analyze man
make_tmpdir

unit="$top_srcdir/systemd/tcp-audit.service"

# verify checks that ExecStart exists and that every Documentation= page
# opens with man: point them at this build's binary and pages.
mkdir -p "$T/unit" "$T/man/man5" "$T/man/man7" "$T/man/man8"
sed "s|^ExecStart=/usr/sbin/tcp-audit|ExecStart=$TCP_AUDIT|" "$unit" > "$T/unit/tcp-audit.service"
grep -q "^ExecStart=$TCP_AUDIT\$" "$T/unit/tcp-audit.service" ||
	fail "the unit's ExecStart is not /usr/sbin/tcp-audit (systemd/local.mk rewrites that path)"
for page in tcp-audit.8 tcp-audit.conf.5 tcp-audit-plugins.7; do
	ln -s "$top_srcdir/man/$page" "$T/man/man${page##*.}/$page"
done
out=$(cd "$T/unit" && MANPATH="$T/man" SYSTEMD_LOG_LEVEL=notice \
	systemd-analyze verify --recursive-errors=no ./tcp-audit.service 2>&1) ||
	fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify is not clean: $out"

out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) ||
	fail "systemd-analyze security failed: $out"
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for tcp-audit.service: \([0-9.]*\).*/\1/p')
[ -n "$level" ] || fail "no exposure level in: $out"
awk -v l="$level" 'BEGIN { exit !(l <= 2.5) }' ||
	fail "exposure $level is above 2.5: $(printf '%s\n' "$out" | grep '✗')"
echo "exposure $level"

# What the issue asks of the unit, key by key.
for want in Type=notify Restart=on-failure StateDirectory=tcp-audit \
	ConfigurationDirectory=tcp-audit 'ExecReload=/bin/kill -HUP $MAINPID' \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
	CapabilityBoundingSet= MemoryDenyWriteExecute=yes SystemCallFilter=@system-service \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' WatchdogSec=30s \
	ProtectKernelTunables=no 'ReadOnlyPaths=/sys /proc/sys' \
	ReadWritePaths=/sys/kernel/tracing/instances StartLimitBurst=5; do
	grep -qxF -- "$want" "$unit" || fail "the unit lacks '$want'"
done
