# bash completion for bench: commands, options, workloads, modes, engines
# and formats. Everything is read from bench itself (`bench help`, `bench
# list`, `bench COMMAND --help`) when TAB is pressed, so the completion
# knows what the installed bench knows and cannot drift from it.
#
# Installed by `make install` into share/bash-completion/completions/;
# zsh loads it through bashcompinit (see share/zsh/site-functions/_bench).

_bench_words() { # BENCH SECTION: the names listed under "SECTION:" by bench list
	"$1" list 2>/dev/null | awk -v s="$2:" '$0 == s { f = 1; next }
		f && /^[a-z]/ { exit } f && /^  [a-z]/ { print $1 }'
}

_bench() {
	local cur prev bench cmd
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	bench=${COMP_WORDS[0]}
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$("$bench" help 2>/dev/null | awk '/^commands:/ { f = 1; next }
			f && NF == 0 { exit } f { print $1 }') --help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	-m | --mode | --modes)
		# A comma-separated list: complete the last item.
		local done=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$done" -W "$(_bench_words "$bench" modes) all" -- "${cur##*,}"))
		return ;;
	-e | --engine)
		local done=${cur%"${cur##*,}"}
		COMPREPLY=($(compgen -P "$done" -W "native gbench hyperfine python all" -- "${cur##*,}"))
		return ;;
	-f | --format)
		# "-f, --format F      table, json, csv or markdown (default table)"
		COMPREPLY=($(compgen -W "$("$bench" "$cmd" --help 2>/dev/null |
			sed -n 's/^ *-f, --format [A-Z]* *\([^(]*\).*/\1/p' |
			tr ',' ' ' | sed 's/ or / /g')" -- "$cur"))
		return ;;
	-i | --input | -o | --output | --hostfile | -g | --gradebook | --hidden | --db)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$bench" "$cmd" --help 2>/dev/null |
			grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)" -- "$cur"))
		return
	fi
	case $cmd in
	run | show | scale | complexity | timeit | profile)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "$(_bench_words "$bench" workloads)" -- "$cur"))
			return
		fi ;;
	help)
		COMPREPLY=($(compgen -W "$("$bench" help 2>/dev/null | awk '/^commands:/ { f = 1; next }
			f && NF == 0 { exit } f { print $1 }')" -- "$cur"))
		return ;;
	gen)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "events text" -- "$cur"))
			return
		fi ;;
	wordcount)
		if [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "mapper reducer" -- "$cur"))
			return
		fi ;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _bench bench
