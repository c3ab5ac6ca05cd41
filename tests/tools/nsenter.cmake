# nsenter: the option parser in-process, the tool end to end.
linuxns_add_test(nsenter_options_test)
target_sources(nsenter_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/nsenter_options.cc)
target_include_directories(nsenter_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples)

linuxns_add_test(nsenter_test linuxns_tool_test_support)
target_compile_definitions(nsenter_test PRIVATE LINUXNS_NSENTER_PATH="$<TARGET_FILE:nsenter>")
add_dependencies(nsenter_test nsenter)
