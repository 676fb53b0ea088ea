#!/bin/bash
# The container images, without Docker (there is no engine here): lint
# every Dockerfile, check that every file the images copy from the build
# stage is made, and that the runtime stage installs the library package
# of every shared library they link.
#
# With TCA_CONTAINER_BUILD=1 (as .ci/packaging runs it) the build stage's
# script really runs, outside Docker, and its output is checked; that is
# a whole configure and build, so by default the files of this build tree
# stand in for it.
. "$TESTS_LIB/common.sh"
require_cmd readelf dpkg-query ldconfig
make_tmpdir

top="$top_srcdir"
files=("$top/Dockerfile" "$top"/plugins/*/Dockerfile)
[ "${#files[@]}" -ge 5 ] || fail "expected the top-level and 4 plugin Dockerfiles, found ${files[*]}"

# 1. Lint: known instructions only, continuation lines joined; FROM
#    first; every COPY --from names an earlier stage or an image; the
#    last stage of the top-level file ends as a non-root USER; a plugin
#    image is FROM scratch and only COPYs its .so.
join() { sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$1" | grep -vE '^[[:space:]]*(#|$)'; }
for f in "${files[@]}"; do
	rel=${f#"$top"/}
	stages=" "
	first=1
	while read -r instr rest; do
		case ${instr^^} in
		FROM | RUN | COPY | ENV | ARG | USER | WORKDIR | ENTRYPOINT | CMD | VOLUME | \
			LABEL | EXPOSE | STOPSIGNAL | HEALTHCHECK | SHELL | ADD | ONBUILD) ;;
		*) fail "$rel: unknown instruction '$instr'" ;;
		esac
		[ "$instr" = "${instr^^}" ] || fail "$rel: write instructions in upper case: $instr"
		if [ $first = 1 ] && [ "$instr" != ARG ] && [ "$instr" != FROM ]; then
			fail "$rel: the first instruction must be FROM (or ARG), not $instr"
		fi
		[ "$instr" = ARG ] || first=0
		case $instr in
		FROM)
			# shellcheck disable=SC2086
			set -- $rest
			[ "${2:-}" != "AS" ] || stages+="$3 "
			last_from=$1 last_user= ;;
		COPY)
			from=$(printf '%s\n' "$rest" | sed -n 's/.*--from=\([^ ]*\).*/\1/p')
			if [ -n "$from" ] && [[ $from != *:* ]] && [[ $stages != *" $from "* ]]; then
				fail "$rel: COPY --from=$from names no earlier stage"
			fi ;;
		USER) last_user=$rest ;;
		ADD) fail "$rel: use COPY, not ADD" ;;
		esac
		if [ "$instr" = RUN ] && [[ $rest == *"apt-get install"* ]]; then
			[[ $rest == *"--no-install-recommends"* ]] || fail "$rel: apt-get install without --no-install-recommends"
			[[ $rest == *"rm -rf /var/lib/apt/lists"* ]] || fail "$rel: apt lists left in a layer"
		fi
	done < <(join "$f")
	case $rel in
	Dockerfile)
		case ${last_user%%:*} in
		"" | 0 | root) fail "Dockerfile: the runtime image must end as a non-root USER, not '$last_user'" ;;
		esac ;;
	plugins/*)
		[ "$last_from" = scratch ] || fail "$rel: a plugin image must be FROM scratch"
		name=${rel#plugins/}
		name=${name%/Dockerfile}
		join "$f" | sed -n '/^FROM scratch/,$p' | tail -n +2 | grep -vqE "^COPY --from=build /out/usr/lib/tcp-audit/$name\\.so /$name\\.so\$" &&
			fail "$rel: the image must hold only $name.so"
		[ -f "$top/plugins/$name/local.mk" ] || fail "$rel: there is no plugin $name" ;;
	esac
done

# 2. The build stage's output: the real one, or this build tree's files.
out="$T/out"
if [ "${TCA_CONTAINER_BUILD:-0}" = 1 ]; then
	"$top/.ci/container-build" "$top" "$T/build" "$out" > "$T/build.log" 2>&1 ||
		fail "the containers' build script failed: $(tail -20 "$T/build.log")"
else
	mkdir -p "$out/usr/sbin" "$out/usr/lib/tcp-audit" "$out/etc/tcp-audit"
	ln -s "$TCP_AUDIT" "$out/usr/sbin/tcp-audit"
	ln -s "$top/src/tcp-audit.conf" "$out/etc/tcp-audit/tcp-audit.conf"
	for so in "$TCP_AUDIT_PLUGIN_DIR"/*.so; do
		ln -s "$so" "$out/usr/lib/tcp-audit/${so##*/}"
	done
fi

# 3. Every file that the images copy from the build stage exists.
for f in "${files[@]}"; do
	join "$f" | grep '^COPY --from=build ' | while read -r _ _ args; do
		# shellcheck disable=SC2086
		set -- $args
		while [ $# -gt 1 ]; do
			[ -f "$T/out${1#/out}" ] || fail "${f#"$top"/}: the build stage makes no $1"
			shift
		done
	done
done

# 4. The runtime stage installs the package of every library linked by
#    the processor and the plugins (libc6 is in the base image).
runtime=$(join "$top/Dockerfile" | sed -n '/^FROM debian:12-slim/,$p' | grep 'apt-get install' |
	tr -s '[:space:]' ' ')
for elf in "$out/usr/sbin/tcp-audit" "$out"/usr/lib/tcp-audit/*.so; do
	for soname in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		path=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64|x32|64/ { print $NF; exit }')
		[ -n "$path" ] || path=$(ldconfig -p | awk -v s="$soname" '$1 == s { print $NF; exit }')
		# A sanitizer build links its runtime; the images are never one.
		case $soname in libasan.so.* | libubsan.so.* | liblsan.so.* | libtsan.so.*) continue ;; esac
		pkg=$(dpkg-query -S "$path" 2>/dev/null || dpkg-query -S "$(readlink -f "$path")")
		pkg=${pkg%%:*}
		[ "$pkg" = libc6 ] && continue
		[[ " $runtime " == *" $pkg "* ]] ||
			fail "${elf#"$out"} needs $soname from $pkg, which the runtime stage does not install"
	done
done
echo "images: ${#files[@]} Dockerfiles; plugins: $(cd "$out/usr/lib/tcp-audit" && echo *.so)"
