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
	.ci/boot-test \
	.ci/docker-test \
	.ci/packaging \
	.ci/container-build \
	.dockerignore \
	plugins/tracefs/Dockerfile \
	plugins/pgsql/Dockerfile \
	plugins/sqlite/Dockerfile \
	plugins/journal/Dockerfile \
	plugins/nats/Dockerfile

# The unit's sandbox and the images are tested for real, not rebuilt by
# hand: .ci/boot-test boots the packages under systemd, .ci/docker-test
# runs the images under Docker; each needs a whole machine, so .ci/run
# runs them, not make check.
