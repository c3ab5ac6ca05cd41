# nsenter: util-linux-compatible, with its option parser in its own file.
linuxns_add_tool(nsenter STATIC)
target_sources(nsenter PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/nsenter_options.cc)
