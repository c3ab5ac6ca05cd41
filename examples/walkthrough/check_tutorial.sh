#!/usr/bin/env bash
# check_tutorial.sh TUTORIAL SOURCE...
#
# Checks that the code docs/tutorial.md shows is the walkthrough's code: every
# line of its ```cpp blocks (leading white space aside; lines that start with
# "..." stand for code left out) must be a line of one of the SOURCE files.
# Prints the count of lines checked, or each line that is not found.
set -euo pipefail
tutorial=$1
shift
awk -v tutorial="$tutorial" '
  { sub(/^[ \t]+/, "") }
  FILENAME != tutorial { source[$0] = 1; next }
  /^```cpp$/ { code = 1; next }
  /^```/ { code = 0 }
  !code || $0 == "" || /^\.\.\./ { next }
  { checked++; if (!($0 in source)) { print "not in the sources: " $0; missing++ } }
  END {
    printf "%d lines of code checked, %d not found\n", checked, missing
    exit !(checked > 0 && missing == 0)
  }' "$@" "$tutorial"
