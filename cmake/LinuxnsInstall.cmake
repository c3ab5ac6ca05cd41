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

# linuxns_install_component(TARGET EXPORT PC MODULE HEADER): a component
# library (linuxns::net, linuxns::seccomp), when it is built: its own export
# set (EXPORT.cmake, loaded only by find_package(linuxns COMPONENTS ...)) and
# PC.pc from cmake/PC.pc.in, so that a user of the core needs none of its
# dependency, the pkg-config module MODULE. A static component library needs
# MODULE on every link line; a shared one carries it as its own dependency.
# Without the library, its HEADER is not installed.
function(linuxns_install_component target export pc module header)
  if(NOT TARGET ${target})
    install(CODE "file(REMOVE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}/linuxns/${header}\")")
    return()
  endif()
  install(TARGETS ${target} EXPORT ${export}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export} NAMESPACE linuxns::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)
  if(BUILD_SHARED_LIBS)
    set(LINUXNS_COMPONENT_PC_REQUIRES "linuxns")
    set(LINUXNS_COMPONENT_PC_REQUIRES_PRIVATE "${module}")
  else()
    set(LINUXNS_COMPONENT_PC_REQUIRES "linuxns ${module}")
    set(LINUXNS_COMPONENT_PC_REQUIRES_PRIVATE "")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()

linuxns_install_component(linuxns_net linuxnsNetTargets linuxns-net libnl-route-3.0 net.h)
linuxns_install_component(linuxns_seccomp linuxnsSeccompTargets linuxns-seccomp libseccomp
                          syscall_filter.h)
