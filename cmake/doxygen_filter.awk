# Doxygen INPUT_FILTER for linuxns's headers, which are commented in the
# Abseil style with plain // comments: the file's opening comment becomes the
# file's documentation (\file), a // comment block above a declaration becomes
# that declaration's documentation (///), and a trailing // comment after a
# member or an enumerator becomes its (///<). The headers themselves stay as they are.
BEGIN { in_head = 1 }
in_head && /^\/\/( |$)/ {
  if (!started) { print "/// \\file"; started = 1 }
  sub(/^\/\//, "///")
  print
  next
}
{ in_head = 0 }
/^[ \t]*\/\/( |$)/ {
  sub(/\/\//, "///")
  print
  next
}
/;[ \t]+\/\/ / || /^[ \t]*[A-Za-z_][A-Za-z0-9_]*( = [^,]*)?,[ \t]+\/\/ / {
  sub(/[ \t]+\/\/ /, " ///< ")
  print
  next
}
{ print }
