# syntax=docker/dockerfile:1
# tcp-audit base image: the processor and the json, text and null sinkers,
# on a slim Debian 12, running as a non-root user by default.
#
#   docker build -t tcp-audit:latest .
#
# Each other plugin has an image that only stores its .so
# (plugins/<name>/Dockerfile, built FROM this file's build stage), and a
# final image copies the plugins it wants into this one:
#
#   docker build --target build -t tcp-audit-build:latest .
#   docker build -f plugins/tracefs/Dockerfile -t tcp-audit-tracefs:latest .
#   docker build -f plugins/bpf/Dockerfile -t tcp-audit-bpf:latest .
#   docker build -f plugins/pgsql/Dockerfile -t tcp-audit-pgsql:latest .
#   docker build -f plugins/nats/Dockerfile -t tcp-audit-nats:latest .
#
#   FROM tcp-audit:latest
#   COPY --from=tcp-audit-tracefs:latest /tracefs.so /usr/lib/tcp-audit/
#   COPY --from=tcp-audit-pgsql:latest /pgsql.so /usr/lib/tcp-audit/
#   USER root:root
#   ENTRYPOINT ["/usr/sbin/tcp-audit", "--event", "tracefs", "--sink", "pgsql"]
#
# Keep the copied plugins owned by root (no --chown): when it runs as root,
# tcp-audit refuses a plugin that root does not own. This image already
# has the libraries of every plugin, so COPY --from is all a final image
# needs. See README, "Containers", for running it.

# ---- build: the same script that the packaging tests run outside Docker
FROM debian:12 AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		autoconf automake build-essential libtool pkgconf \
		libinih-dev libsystemd-dev libtracefs-dev libtraceevent-dev \
		libpq-dev libsqlite3-dev libbpf-dev clang bpftool libnats-dev \
	&& rm -rf /var/lib/apt/lists/*
COPY . /src
RUN /src/.ci/container-build /src /build /out

# ---- runtime
FROM debian:12-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		libinih1 libsystemd0 libsqlite3-0 libtracefs1 libtraceevent1 libpq5 libbpf1 libnats3.4 \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 65532 --user-group --no-create-home \
		--home-dir /var/lib/tcp-audit --shell /usr/sbin/nologin tcp-audit \
	&& install -d -o tcp-audit -g tcp-audit -m 0750 /var/lib/tcp-audit
COPY --from=build /out/usr/sbin/tcp-audit /usr/sbin/tcp-audit
COPY --from=build /out/usr/lib/tcp-audit/json.so /out/usr/lib/tcp-audit/text.so \
	/out/usr/lib/tcp-audit/null.so /usr/lib/tcp-audit/
COPY --from=build /out/etc/tcp-audit/tcp-audit.conf /etc/tcp-audit/tcp-audit.conf
VOLUME ["/var/lib/tcp-audit"]
USER 65532:65532
ENTRYPOINT ["/usr/sbin/tcp-audit", "--log-target=stderr"]
CMD ["--list-plugins"]
