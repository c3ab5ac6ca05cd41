# unshare(1), util-linux compatible: the tool and its option parser.
linuxns_add_tool(unshare STATIC)
target_sources(unshare PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unshare_options.cc)
