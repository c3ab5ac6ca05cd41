# Run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staging directory, before the
# package is made. For a Debian package: util-linux owns /usr/bin/unshare,
# nsenter and lsns, so ours become linuxns-unshare, linuxns-nsenter and
# linuxns-lsns, man pages included; the man pages are compressed as Debian
# policy wants.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT IS_DIRECTORY "${root}")
  message(FATAL_ERROR "LinuxnsDebLayout: no staging directory at ${root}")
endif()
set(bindir "${root}/${CPACK_LINUXNS_BINDIR}")
set(man1dir "${root}/${CPACK_LINUXNS_MANDIR}/man1")
foreach(tool IN ITEMS unshare nsenter lsns)
  if(EXISTS "${bindir}/${tool}")
    file(RENAME "${bindir}/${tool}" "${bindir}/linuxns-${tool}")
  endif()
  if(EXISTS "${man1dir}/${tool}.1")
    file(RENAME "${man1dir}/${tool}.1" "${man1dir}/linuxns-${tool}.1")
  endif()
endforeach()
find_program(gzip_program gzip)
if(gzip_program AND IS_DIRECTORY "${man1dir}")
  file(GLOB pages "${man1dir}/*.1")
  foreach(page IN LISTS pages)
    execute_process(COMMAND ${gzip_program} -9nf "${page}" COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
endif()
