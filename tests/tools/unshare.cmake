# unshare: the option parser in-process, the binary end to end.
linuxns_add_test(unshare_options_test linuxns_tool_common)
target_sources(unshare_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/unshare_options.cc)
target_include_directories(unshare_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples)

linuxns_add_test(unshare_test linuxns_tool_test_support)
target_compile_definitions(unshare_test PRIVATE LINUXNS_UNSHARE_PATH="$<TARGET_FILE:unshare>")
add_dependencies(unshare_test unshare)
