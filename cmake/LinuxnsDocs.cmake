# API documentation: `cmake --build <dir> --target docs` runs Doxygen over the
# public headers (include/linuxns) into <dir>/docs/html. Included by the top
# CMakeLists.txt only when linuxns is the top-level project and Doxygen is
# installed (apt-get install doxygen).
#
# The headers are commented in the Abseil style, with plain // comments;
# cmake/doxygen_filter.awk turns those into Doxygen's /// as Doxygen reads
# them, so the headers stay as they are.
#
# Every public symbol must be documented: with LINUXNS_DOCS_WERROR (on by
# default) the docs target fails on any Doxygen warning, and the Docs test
# (added when the tests are built) runs Doxygen and fails on any warning
# whatever that option says, so that ctest, and CI with it, checks the
# documentation wherever Doxygen is installed.
find_program(LINUXNS_AWK NAMES awk gawk mawk REQUIRED)
mark_as_advanced(LINUXNS_AWK)

option(LINUXNS_DOCS_WERROR
       "Fail the docs target on any Doxygen warning (undocumented public symbols)" ON)

set(DOXYGEN_PROJECT_NAME linuxns)
set(DOXYGEN_PROJECT_NUMBER ${PROJECT_VERSION})
set(DOXYGEN_PROJECT_BRIEF "${PROJECT_DESCRIPTION}")
set(DOXYGEN_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/docs)
set(DOXYGEN_INPUT_FILTER "${LINUXNS_AWK} -f ${CMAKE_CURRENT_LIST_DIR}/doxygen_filter.awk")
set(DOXYGEN_FILE_PATTERNS *.h)
set(DOXYGEN_STRIP_FROM_PATH ${PROJECT_SOURCE_DIR}/include)
set(DOXYGEN_STRIP_FROM_INC_PATH ${PROJECT_SOURCE_DIR}/include)
set(DOXYGEN_FULL_PATH_NAMES YES)
set(DOXYGEN_EXTRACT_ALL NO)
set(DOXYGEN_EXTRACT_PRIVATE NO)
set(DOXYGEN_EXTRACT_STATIC YES)
set(DOXYGEN_HIDE_UNDOC_MEMBERS NO)
# Google-style first sentences make good briefs.
set(DOXYGEN_JAVADOC_AUTOBRIEF YES)
set(DOXYGEN_MARKDOWN_SUPPORT YES)
# Internal helpers: the internal and detail namespaces, macros ending in _.
set(DOXYGEN_EXCLUDE_SYMBOLS "*::internal" "*::internal::*" "*::detail" "*::detail::*"
    "LINUXNS_*_")
# `class LINUXNS_EXPORT NsFd` must read as `class NsFd`: expand that one macro
# (to nothing) and no other.
set(DOXYGEN_ENABLE_PREPROCESSING YES)
set(DOXYGEN_MACRO_EXPANSION YES)
set(DOXYGEN_EXPAND_ONLY_PREDEF YES)
set(DOXYGEN_PREDEFINED "LINUXNS_EXPORT=")
set(DOXYGEN_GENERATE_HTML YES)
set(DOXYGEN_GENERATE_LATEX NO)
set(DOXYGEN_GENERATE_MAN NO)
set(DOXYGEN_HAVE_DOT NO)
set(DOXYGEN_QUIET YES)
set(DOXYGEN_WARNINGS YES)
set(DOXYGEN_WARN_IF_UNDOCUMENTED YES)
set(DOXYGEN_WARN_IF_DOC_ERROR YES)
set(DOXYGEN_WARN_NO_PARAMDOC NO)
# Warnings go to stderr (no WARN_LOGFILE), where the Docs test sees them.
if(LINUXNS_DOCS_WERROR)
  # FAIL_ON_WARNINGS: every warning is reported, then the target fails.
  set(DOXYGEN_WARN_AS_ERROR FAIL_ON_WARNINGS)
else()
  set(DOXYGEN_WARN_AS_ERROR NO)
endif()

doxygen_add_docs(docs ${PROJECT_SOURCE_DIR}/include/linuxns
  COMMENT "Doxygen: API documentation into ${PROJECT_BINARY_DIR}/docs/html")

# The same Doxygen run as the docs target (its generated Doxyfile, from the
# same directory), as a test: any warning (an "error:" with WARN_AS_ERROR)
# fails it.
if(LINUXNS_BUILD_TESTS)
  add_test(NAME Docs COMMAND Doxygen::doxygen ${PROJECT_BINARY_DIR}/Doxyfile.docs
           WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(Docs PROPERTIES FAIL_REGULAR_EXPRESSION "(warning|error): " TIMEOUT 300)
endif()
