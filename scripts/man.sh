#!/bin/sh
# man.sh - writes the man pages of bench into a folder: bench(1) and one
# bench-COMMAND(1) per command, all generated from the help text (by
# help2man), so that they cannot drift from it.
#
# usage: scripts/man.sh PATH/TO/bench OUTDIR
#
# The commands are those `bench help` lists; each page's NAME line is the
# one-line summary given there.
set -eu
bench=${1:?usage: man.sh PATH/TO/bench OUTDIR}
out=${2:?usage: man.sh PATH/TO/bench OUTDIR}
if ! command -v help2man >/dev/null 2>&1; then
	echo "man.sh: the man pages need help2man: apt-get install help2man (make deps)" >&2
	exit 1
fi
mkdir -p "$out"
# "bench 0.1.0", not the build's details.
version=$("$bench" --version | cut -d' ' -f1,2)
# "  run         run a workload in every mode ..." between "commands:" and
# the blank line after.
"$bench" help | awk '/^commands:/ { f = 1; next } f && NF == 0 { exit }
	f { name = $1; $1 = ""; sub(/^ +/, ""); print name "\t" $0 }' >"$out/.commands"
[ -s "$out/.commands" ] || { echo "man.sh: '$bench help' lists no command" >&2; exit 1; }

help2man --no-info --version-string="$version" \
	--name="measure what parallelism buys" "$bench" >"$out/bench.1.tmp"
# SEE ALSO: every command's page.
{
	printf '.SH "SEE ALSO"\n'
	cut -f1 "$out/.commands" | sed 's/.*/.BR bench-&(1)/' | sed '$!s/$/ ,/'
} >>"$out/bench.1.tmp"
mv "$out/bench.1.tmp" "$out/bench.1"

while IFS='	' read -r cmd summary; do
	page=$out/bench-$cmd.1
	help2man --no-info --version-string="$version" --help-option="$cmd --help" \
		--name="$summary" "$bench" >"$page.tmp"
	# help2man names the page after the program: name it after the command.
	upper=$(echo "bench-$cmd" | tr '[:lower:]' '[:upper:]')
	sed -e "s/^\\.TH BENCH /.TH $upper /" -e "s/^bench \\\\- /bench-$cmd \\\\- /" \
		"$page.tmp" >"$page"
	rm -f "$page.tmp"
	printf '.SH "SEE ALSO"\n.BR bench (1)\n' >>"$page"
done <"$out/.commands"
rm -f "$out/.commands"
