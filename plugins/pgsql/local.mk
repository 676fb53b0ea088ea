# plugins/pgsql: built when configure finds its libraries (BUILD_PGSQL).
if BUILD_PGSQL
endif
