#!/bin/sh
# Regenerate the build system from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
# libtoolize fills m4/ (AC_CONFIG_MACRO_DIRS), but aclocal runs first and
# warns when the directory is missing, as it is in a fresh clone.
mkdir -p m4
autoreconf --force --install --verbose
echo "Now run ./configure && make"
