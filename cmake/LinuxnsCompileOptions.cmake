# Warning flags for linuxns' own targets. They are PRIVATE to each target:
# nothing here reaches a consumer through the exported interface.
function(linuxns_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wpedantic
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
  if(LINUXNS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
