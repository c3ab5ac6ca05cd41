# Install rules: headers, the library with its exported targets, the CMake
# package files and linuxns.pc. Only when linuxns is the top-level project
# (or LINUXNS_INSTALL is set), so that add_subdirectory() users get just the
# target.
include(CMakePackageConfigHelpers)

install(TARGETS linuxns EXPORT linuxnsTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/linuxns
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT linuxnsTargets NAMESPACE linuxns::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/linuxnsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/linuxnsConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/linuxnsConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/linuxnsConfig.cmake
  ${PROJECT_BINARY_DIR}/linuxnsConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)

# Relocatable: the prefix is found from where linuxns.pc lies.
file(RELATIVE_PATH LINUXNS_PC_TO_PREFIX
     ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/linuxns.pc.in ${PROJECT_BINARY_DIR}/linuxns.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/linuxns.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
