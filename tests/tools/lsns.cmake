# lsns: the option parser in-process, the tool end to end.
linuxns_add_test(lsns_options_test)
target_sources(lsns_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/lsns_options.cc)
target_include_directories(lsns_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples)

linuxns_add_test(lsns_test linuxns_tool_test_support)
target_compile_definitions(lsns_test PRIVATE LINUXNS_LSNS_PATH="$<TARGET_FILE:lsns>")
add_dependencies(lsns_test lsns)
