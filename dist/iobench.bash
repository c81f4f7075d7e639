# SPDX-License-Identifier: MIT
# bash completion for iobench: verbs, each verb's options, strategy names
# and the values of options that take a fixed set. Verbs and options are
# read from the installed iobench's own --help, strategies from `iobench
# list --json`, so the completion always matches the binary. Each is read
# once per shell.
#
# An option line of --help is indented 2 to 8 spaces: "-x, --name VALUE"
# or "--name", then two spaces or more and the description.

_iobench_help() # VERB: that verb's --help (the general one for "")
{
	if [ -n "$1" ]; then
		"$_iobench_cmd" "$1" --help 2>/dev/null
	else
		"$_iobench_cmd" --help 2>/dev/null
	fi
}

_iobench_load_verbs()
{
	[ -n "${_iobench_verbs+set}" ] && return
	_iobench_verbs=$(_iobench_help "" |
		sed -n '/^verbs:/,/^$/s/^  \([a-z-]*\) .*/\1/p' | tr '\n' ' ')
}

# Options of VERB into _iobench_opts[VERB]; those taking a value into
# _iobench_valued[VERB] (" -s --strategy ... ").
_iobench_load_options()
{
	local verb=$1 line re names valued
	[ -n "${_iobench_opts[$verb]+set}" ] && return
	re='^ {2,8}(-([A-Za-z]), )?--([a-z][a-z-]*)( ([^ ]+))?( {2}|$)'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		names+=" --${BASH_REMATCH[3]}"
		[ -n "${BASH_REMATCH[2]}" ] && names+=" -${BASH_REMATCH[2]}"
		if [ -n "${BASH_REMATCH[5]}" ]; then
			valued+=" --${BASH_REMATCH[3]}"
			[ -n "${BASH_REMATCH[2]}" ] &&
				valued+=" -${BASH_REMATCH[2]}"
		fi
	done < <(_iobench_help "$verb")
	_iobench_opts[$verb]=$names
	_iobench_valued[$verb]="$valued "
}

_iobench_load_strategies()
{
	[ -n "${_iobench_strategies+set}" ] && return
	# probing in a scratch place: completion never writes to the cwd
	_iobench_strategies=$("$_iobench_cmd" list --json \
		--dir "${TMPDIR:-/tmp}" 2>/dev/null |
		sed -n 's/^      "name": "\(.*\)",$/\1/p')
}

# Completes the last item of a comma list, leaving out the items already
# in it: "rw,mm" -> "rw,mmap".
_iobench_list()
{
	local cur=$1 head= item
	shift
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		cur=${cur##*,}
	fi
	COMPREPLY=()
	for item in $(compgen -W "$*" -- "$cur"); do
		[[ ,$head == *",$item,"* ]] || COMPREPLY+=("$head$item")
	done
	# a list goes on after a comma: no space after the item
	compopt -o nospace 2>/dev/null
}

# Files (-f) or directories (-d) matching cur, shown as file names.
_iobench_files()
{
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen "$1" -- "$2"))
}

# Baseline names under RESULTS/baselines (default results).
_iobench_baselines()
{
	local results=results i f
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--results|-r) results=${COMP_WORDS[i + 1]} ;;
		esac
	done
	for f in "$results"/baselines/*.json; do
		[ -e "$f" ] && f=${f##*/} && printf '%s\n' "${f%.json}"
	done
}

_iobench()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local verb=${COMP_WORDS[1]:-} optverb i n_pos=0 w
	declare -gA _iobench_opts _iobench_valued
	_iobench_cmd=${COMP_WORDS[0]/#\~/$HOME}
	command -v "$_iobench_cmd" >/dev/null || _iobench_cmd=iobench

	_iobench_load_verbs
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$_iobench_verbs help -h --help -V \
			--version" -- "$cur"))
		return
	fi
	if [ "$verb" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] &&
			COMPREPLY=($(compgen -W "$_iobench_verbs" -- "$cur"))
		return
	fi
	[[ " $_iobench_verbs " == *" $verb "* ]] || return
	# the presets and profile take sweep's options
	case $verb in
	quick|full|profile) optverb=sweep ;;
	*) optverb=$verb ;;
	esac
	_iobench_load_options "$optverb"

	# profile --memory STRATEGY (described in profile --help, not an
	# option line: its other options are sweep's)
	if [ "$verb" = profile ] && [ "$prev" = --memory ]; then
		_iobench_load_strategies
		COMPREPLY=($(compgen -W "$_iobench_strategies" -- "$cur"))
		return
	fi

	# the value of an option
	if [[ $cur != -* || $prev == --* ]] &&
	   [[ ${_iobench_valued[$optverb]} == *" $prev "* ]]; then
		case $prev in
		--strategies|-s|--strategy)
			_iobench_load_strategies
			# sweep takes a list, cp one name
			if [ "$optverb" = sweep ]; then
				_iobench_list "$cur" all $_iobench_strategies
			else
				COMPREPLY=($(compgen -W "$_iobench_strategies" \
					-- "$cur"))
			fi ;;
		--cache) _iobench_list "$cur" warm cold ;;
		--sync) _iobench_list "$cur" none end ;;
		--direct) _iobench_list "$cur" no yes both ;;
		--sqpoll) _iobench_list "$cur" no yes ;;
		--content) COMPREPLY=($(compgen -W "random zeros sparse" \
				-- "$cur")) ;;
		--parallel) _iobench_list "$cur" files ranges ;;
		--sparse) COMPREPLY=($(compgen -W "auto always never" \
				-- "$cur")) ;;
		--cold) COMPREPLY=($(compgen -W "data metadata" -- "$cur")) ;;
		--pin) COMPREPLY=($(compgen -W "none compact spread" \
				-- "$cur")) ;;
		--prealloc) COMPREPLY=($(compgen -W "none truncate fallocate" \
				-- "$cur")) ;;
		--mpi-layout) COMPREPLY=($(compgen -W "files shared" \
				-- "$cur")) ;;
		--reference) _iobench_list "$cur" cp dd rsync tar none ;;
		--ignore) _iobench_list "$cur" buffer qd direct sqpoll content ;;
		--fail-on) _iobench_list "$cur" time cpu memory cache ;;
		--preset) COMPREPLY=($(compgen -W "quick full none" -- "$cur")) ;;
		--baseline) COMPREPLY=($(compgen -W "$(_iobench_baselines)" \
				-- "$cur")) ;;
		--dir|-d)
			# sweep --dir A,B: a directory after each comma
			local head=
			if [ "$verb" != device ] && [[ $cur == *,* ]]; then
				head=${cur%,*},
				cur=${cur##*,}
			fi
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -d -P "$head" -- "$cur")) ;;
		--src-dir|--out|-o|--source|--results|-r|--cache-dir)
			if [ "$verb" = flame ] && [[ $prev == --out || $prev == -o ]]
			then
				_iobench_files -f "$cur"
			else
				_iobench_files -d "$cur"
			fi ;;
		--folded|--file|--json|--plugin|--export-markdown|--export-json|--batch-from)
			_iobench_files -f "$cur" ;;
		--jobs) _iobench_list "$cur" read write randread randwrite \
				cached-read cached-write metadata ;;
		--dataset)
			COMPREPLY=($(compgen -W "source-tree photos vm-images \
				mixed" -- "$cur") $(compgen -f -- "$cur")) ;;
		*) COMPREPLY=() ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		w=${_iobench_opts[$optverb]}
		[ "$verb" = profile ] && w+=" --memory"
		COMPREPLY=($(compgen -W "$w" -- "$cur"))
		return
	fi
	# positional arguments: count those before the cursor
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			[[ $w != *=* && ${_iobench_valued[$optverb]} == *" $w "* ]] &&
				((i++))
			continue
		fi
		((n_pos++))
	done
	case $verb in
	flame)
		if [ "$n_pos" -eq 0 ]; then
			_iobench_load_strategies
			COMPREPLY=($(compgen -W "$_iobench_strategies" -- "$cur"))
		fi ;;
	cp) [ "$n_pos" -lt 2 ] && _iobench_files -f "$cur" ;;
	compare)
		if [ "$n_pos" -lt 2 ]; then
			_iobench_files -f "$cur"
			COMPREPLY+=($(compgen -W "$(_iobench_baselines)" \
				-- "$cur"))
		fi ;;
	esac
}

complete -F _iobench iobench
