# plugins/journal: built when configure finds its libraries (BUILD_JOURNAL).
if BUILD_JOURNAL
endif
