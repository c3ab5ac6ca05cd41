# lsns: list namespaces, printed with libsmartcols as util-linux's lsns does.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SMARTCOLS REQUIRED IMPORTED_TARGET smartcols)
linuxns_add_tool(lsns)
target_sources(lsns PRIVATE ${CMAKE_CURRENT_LIST_DIR}/lsns_options.cc)
target_link_libraries(lsns PRIVATE PkgConfig::SMARTCOLS)
