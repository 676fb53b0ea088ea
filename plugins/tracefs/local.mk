# plugins/tracefs: built when configure finds its libraries (BUILD_TRACEFS).
if BUILD_TRACEFS
endif
