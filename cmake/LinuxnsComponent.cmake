# linuxns_add_component(): a component library of linuxns (linuxns::net,
# linuxns::seccomp), a library of its own over one pkg-config module, so
# that users of linuxns::linuxns do not inherit that dependency.
#
#   linuxns_add_component(NAME
#     PKG <prefix>           pkg_check_modules() prefix: PkgConfig::<prefix>
#     MODULE <module>        the pkg-config module
#     DEBIAN <package>       the Debian package that has it (for the error)
#     OPTION <option>        the option that turns the component off
#     SOURCES <file>...
#     [STATIC_ALSO <lib>...] what the module's archive needs besides libc
#                            (its .pc's Libs.private)
#     [PRIVATE_INCLUDES <dir>...])
#
# Makes linuxns_NAME (alias linuxns::NAME, export name NAME, output
# liblinuxns-NAME). PkgConfig::<prefix> is found GLOBAL: the examples and
# tests link the component from other directories, and its name is part of
# the exported interface of a static component library ($<LINK_ONLY:...>),
# which linuxnsConfig.cmake makes the same way. With LINUXNS_STATIC_DEPS this
# build's programs link the module's archives, which Debian ships beside the
# shared libraries, as they do Abseil's (LinuxnsStaticDeps.cmake): nsexec is
# linked with -static; the exported interface still names
# PkgConfig::<prefix>, which a consumer makes from its own library.
function(linuxns_add_component name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PKG;MODULE;DEBIAN;OPTION"
                        "SOURCES;STATIC_ALSO;PRIVATE_INCLUDES")
  find_package(PkgConfig)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${arg_PKG} QUIET IMPORTED_TARGET GLOBAL ${arg_MODULE})
  endif()
  if(NOT ${arg_PKG}_FOUND)
    message(FATAL_ERROR "linuxns::${name} needs ${arg_MODULE} and pkg-config "
            "(Debian: apt-get install ${arg_DEBIAN} pkg-config, or bash .ci/install-deps); "
            "configure with -D${arg_OPTION}=OFF to build without it")
  endif()
  set(pkg PkgConfig::${arg_PKG})
  if(LINUXNS_STATIC_DEPS)
    get_target_property(libraries ${pkg} INTERFACE_LINK_LIBRARIES)
    set(archives "")
    foreach(library IN LISTS libraries)
      string(REGEX REPLACE "\\.so(\\.[0-9]+)*$" ".a" archive "${library}")
      if(NOT archive STREQUAL library AND NOT EXISTS "${archive}")
        message(FATAL_ERROR "LINUXNS_STATIC_DEPS: no static archive ${archive} for "
                            "${library}; configure with -DLINUXNS_STATIC_DEPS=OFF")
      endif()
      list(APPEND archives "${archive}")
    endforeach()
    list(APPEND archives ${arg_STATIC_ALSO})
    set_target_properties(${pkg} PROPERTIES INTERFACE_LINK_LIBRARIES "${archives}")
  endif()

  set(target linuxns_${name})
  add_library(${target} ${arg_SOURCES})
  add_library(linuxns::${name} ALIAS ${target})
  target_include_directories(${target}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${arg_PRIVATE_INCLUDES})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target}
    PUBLIC linuxns::linuxns absl::status absl::statusor absl::strings
    PRIVATE ${pkg})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    OUTPUT_NAME linuxns-${name}
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR})
  linuxns_set_warnings(${target})
endfunction()
