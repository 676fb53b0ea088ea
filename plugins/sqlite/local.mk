# plugins/sqlite: built when configure finds its libraries (BUILD_SQLITE).
if BUILD_SQLITE
endif
