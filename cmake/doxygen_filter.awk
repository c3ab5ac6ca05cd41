# Doxygen INPUT_FILTER for linuxns's headers, which are commented in the
# Abseil style with plain // comments: the file's opening comment becomes the
# file's documentation (\file), a // comment block above a declaration becomes
# that declaration's documentation (///), and a trailing // comment after a
# member or an enumerator becomes its (///<). The headers themselves stay as they are.
#
# Usage examples, which the headers indent by two or more spaces after a
# blank comment line ("//" alone), become \code blocks, so that Doxygen shows
# them as they are written and does not read `\n` or `*Foo::Bar(...)` in them
# as commands or links. Indented lists ("-", "1.", "(a)") stay text.
BEGIN { in_head = 1; prev_blank = 1; in_code = 0 }

function end_code() {
  if (in_code) {
    print code_indent "/// \\endcode"
    in_code = 0
  }
}

# A comment line: `lead` is the whitespace before "//", `rest` what follows
# "// " (or "//").
function emit_comment(line,    lead, rest) {
  match(line, /^[ \t]*/)
  lead = substr(line, 1, RLENGTH)
  rest = substr(line, RLENGTH + 3)
  sub(/^ /, "", rest)
  if (in_code && (rest !~ /^  / || rest ~ /^[ \t]*$/)) end_code()
  if (!in_code && prev_blank && rest ~ /^  +[^ ]/ &&
      rest !~ /^ +(- |[0-9]+\. |\([a-z0-9]+\) )/) {
    print lead "/// \\code"
    in_code = 1
    code_indent = lead
  }
  prev_blank = (rest ~ /^[ \t]*$/)
  sub(/\/\//, "///", line)
  print line
}

in_head && /^\/\/( |$)/ {
  if (!started) { print "/// \\file"; started = 1 }
  emit_comment($0)
  next
}
{ in_head = 0 }
/^[ \t]*\/\/( |$)/ {
  emit_comment($0)
  next
}
{ end_code(); prev_blank = 1 }
/;[ \t]+\/\/ / || /^[ \t]*[A-Za-z_][A-Za-z0-9_]*( = [^,]*)?,[ \t]+\/\/ / {
  sub(/[ \t]+\/\/ /, " ///< ")
  print
  next
}
{ print }
