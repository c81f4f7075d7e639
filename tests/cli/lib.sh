# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# help_verbs: the verbs `iobench --help` lists, one a line
help_verbs() {
	"$IOBENCH" --help | sed -n '/^verbs:/,/^$/s/^  \([a-z-]*\) .*/\1/p'
}

# help_options VERB: the long options `iobench VERB --help` lists, one a
# line. An option line is indented 2 to 8 spaces and starts with '-'; its
# names end at the first double space (the description).
help_options() {
	"$IOBENCH" "$1" --help |
		grep -E '^ {2,8}(-[A-Za-z], )?--[a-z]' |
		sed 's/^ *//; s/  .*//' | grep -oE -- '--[a-z][a-z-]*'
}

# help_shorts VERB: "-x --long" for each short option VERB --help lists
help_shorts() {
	"$IOBENCH" "$1" --help |
		sed -nE 's/^ {2,8}(-[A-Za-z]), (--[a-z][a-z-]*).*/\1 \2/p'
}
