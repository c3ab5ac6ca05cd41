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

# linuxns::net, when it is built: its own export set (linuxnsNetTargets.cmake,
# loaded only by find_package(linuxns COMPONENTS net)) and linuxns-net.pc, so
# that a user of the core needs no libnl.
if(TARGET linuxns_net)
  install(TARGETS linuxns_net EXPORT linuxnsNetTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT linuxnsNetTargets NAMESPACE linuxns::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)
  # A static liblinuxns-net needs libnl on every link line; a shared one
  # carries it as its own dependency.
  if(BUILD_SHARED_LIBS)
    set(LINUXNS_NET_PC_REQUIRES "linuxns")
    set(LINUXNS_NET_PC_REQUIRES_PRIVATE "libnl-route-3.0")
  else()
    set(LINUXNS_NET_PC_REQUIRES "linuxns libnl-route-3.0")
    set(LINUXNS_NET_PC_REQUIRES_PRIVATE "")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/linuxns-net.pc.in
                 ${PROJECT_BINARY_DIR}/linuxns-net.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/linuxns-net.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
else()
  # No library behind it: do not install its header.
  install(CODE "file(REMOVE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}/linuxns/net.h\")")
endif()

# linuxns::seccomp, when it is built: the same (linuxnsSeccompTargets.cmake,
# loaded only by find_package(linuxns COMPONENTS seccomp), and
# linuxns-seccomp.pc), so that a user of the core needs no libseccomp.
if(TARGET linuxns_seccomp)
  install(TARGETS linuxns_seccomp EXPORT linuxnsSeccompTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT linuxnsSeccompTargets NAMESPACE linuxns::
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/linuxns)
  # A static liblinuxns-seccomp needs libseccomp on every link line; a shared
  # one carries it as its own dependency.
  if(BUILD_SHARED_LIBS)
    set(LINUXNS_SECCOMP_PC_REQUIRES "linuxns")
    set(LINUXNS_SECCOMP_PC_REQUIRES_PRIVATE "libseccomp")
  else()
    set(LINUXNS_SECCOMP_PC_REQUIRES "linuxns libseccomp")
    set(LINUXNS_SECCOMP_PC_REQUIRES_PRIVATE "")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/linuxns-seccomp.pc.in
                 ${PROJECT_BINARY_DIR}/linuxns-seccomp.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/linuxns-seccomp.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
else()
  # No library behind it: do not install its header.
  install(CODE "file(REMOVE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_INCLUDEDIR}/linuxns/syscall_filter.h\")")
endif()
