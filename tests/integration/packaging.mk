# tests/integration/packaging.mk: integration tests of packaging: the
# systemd unit, the man pages and the container build. Building the .deb
# and .rpm packages is .ci/packaging's job (it needs a whole build).
TESTS += \
	tests/integration/packaging-unit.sh \
	tests/integration/packaging-man.sh \
	tests/integration/packaging-docker.sh
EXTRA_DIST += \
	tests/integration/packaging-unit.sh \
	tests/integration/packaging-man.sh \
	tests/integration/packaging-docker.sh \
	tests/integration/packaging-sandbox.sh \
	.ci/packaging \
	.ci/container-build \
	.dockerignore \
	plugins/tracefs/Dockerfile \
	plugins/pgsql/Dockerfile \
	plugins/sqlite/Dockerfile \
	plugins/journal/Dockerfile

# The unit's sandbox, reproduced by hand, is enough for the real
# tracefs eventer and the sqlite sinker.
if BUILD_TRACEFS
if BUILD_SQLITE
TESTS += tests/integration/packaging-sandbox.sh
endif
endif
