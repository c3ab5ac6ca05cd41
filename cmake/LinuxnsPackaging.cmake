# CPack: `cpack -G DEB` in a configured build makes linuxns_<version>_<arch>.deb
# with the library, headers, CMake package and pkg-config files, the tools and
# their man pages. Configure with -DCMAKE_INSTALL_PREFIX=/usr so that
# GNUInstallDirs picks Debian's multiarch library directory; the package itself
# always installs under /usr.
#
# util-linux owns /usr/bin/unshare, nsenter and lsns (and their man pages), so
# the package ships those three as linuxns-unshare, linuxns-nsenter and
# linuxns-lsns (cmake/LinuxnsDebLayout.cmake renames them in CPack's staging
# directory; `cmake --install` keeps the plain names).
set(CPACK_PACKAGE_NAME linuxns)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "linuxns creates, joins, inspects and pins Linux namespaces and spawns commands
in them from any C++ program, reporting every error as an absl::Status.
This package holds the library, its networking part linuxns-net (veth
pairs, bridges, addresses and routes over libnl-route-3), its system-call
filter part linuxns-seccomp (seccomp programs from rules, compiled with
libseccomp), their headers, CMake and pkg-config files, and the nsexec,
linuxns-unshare, linuxns-nsenter and linuxns-lsns tools.")
set(LINUXNS_PACKAGE_CONTACT "linuxns maintainers <linuxns@localhost>" CACHE STRING
    "Maintainer field of the packages cpack makes")
set(CPACK_PACKAGE_CONTACT "${LINUXNS_PACKAGE_CONTACT}")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The public headers include Abseil's, and linuxns.pc and linuxnsConfig.cmake
# require Abseil's pkg-config and CMake files: libabsl-dev. liblinuxns-net
# links libnl-route-3, which linuxns-net.pc and find_package(linuxns
# COMPONENTS net) find through its pkg-config file: libnl-route-3-dev.
# liblinuxns-seccomp links libseccomp, which linuxns-seccomp.pc and
# find_package(linuxns COMPONENTS seccomp) find the same way: libseccomp-dev.
# The tools' shared libraries (libsmartcols1, libc6, libstdc++6, ...) come from
# dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libabsl-dev")
if(TARGET linuxns_net)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libnl-route-3-dev")
endif()
if(TARGET linuxns_seccomp)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libseccomp-dev")
endif()
# dpkg-shlibdeps (dpkg-dev) works offline; CPack finds the ELF files with file.
find_program(LINUXNS_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(LINUXNS_FILE_PROGRAM file)
mark_as_advanced(LINUXNS_DPKG_SHLIBDEPS LINUXNS_FILE_PROGRAM)
if(LINUXNS_DPKG_SHLIBDEPS AND LINUXNS_FILE_PROGRAM)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # No dpkg-dev or file: what the tools and the library load, by name.
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libsmartcols1, libabsl20220623, libc6, libstdc++6, libgcc-s1")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, pkg-config")

# For cmake/LinuxnsDebLayout.cmake, run by cpack (CPACK_* variables reach it).
set(CPACK_LINUXNS_BINDIR ${CMAKE_INSTALL_BINDIR})
set(CPACK_LINUXNS_MANDIR ${CMAKE_INSTALL_MANDIR})
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/LinuxnsDebLayout.cmake)

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "linuxns: for `cpack -G DEB`, configure with -DCMAKE_INSTALL_PREFIX=/usr "
                 "(Debian's multiarch library directory)")
endif()

include(CPack)
