# Links Abseil's static archives into this build's programs instead of its
# shared libraries.
#
# Why: a tool linked against Debian's shared Abseil loads some 26 extra shared
# objects and spends a third to a half of a short run (0.2-0.5 ms) in the
# dynamic loader (bench/README.md, "Whole tools"). Debian ships the .a beside
# each .so, but its CMake targets (absl::status, ...) name only the shared
# library, so this repoints each imported target at its archive. The targets'
# names and dependencies stay as they are: the exported linuxns targets still
# say absl::status, and a consumer links whichever Abseil it finds.
#
# Imported targets are global, so this holds for every program of the build
# (tools, tests, benchmarks); it is only included when linuxns is the
# top-level project and builds a static library (see LINUXNS_STATIC_DEPS).
function(linuxns_use_static_abseil)
  get_directory_property(imported DIRECTORY ${PROJECT_SOURCE_DIR} IMPORTED_TARGETS)
  set(repointed 0)
  foreach(target IN LISTS imported)
    if(NOT target MATCHES "^absl::")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    if(NOT type STREQUAL "SHARED_LIBRARY")
      continue()
    endif()
    get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
    foreach(config IN LISTS configs)
      get_target_property(location ${target} IMPORTED_LOCATION_${config})
      string(REGEX REPLACE "\\.so(\\.[0-9]+)*$" ".a" archive "${location}")
      if(NOT EXISTS "${archive}")
        message(FATAL_ERROR "LINUXNS_STATIC_DEPS: no static archive ${archive} for "
                            "${target}; configure with -DLINUXNS_STATIC_DEPS=OFF")
      endif()
      set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_${config} "${archive}")
      math(EXPR repointed "${repointed} + 1")
    endforeach()
  endforeach()
  message(STATUS "linuxns: linking Abseil statically (${repointed} archives)")
endfunction()
