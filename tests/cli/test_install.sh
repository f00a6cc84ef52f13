#!/bin/sh
# test_install.sh BENCH - installs the library into a temporary prefix the
# way the README says, builds the README's example against it with
# pkg-config, runs it, and runs the installed bench. Only for the release
# build (BENCH is <repo>/build/bench): `make install` must not rebuild a
# sanitizer tree with release flags. Ends with "install: N passed, M failed".
set -u
bench=${1:?usage: test_install.sh PATH/TO/bench}
root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok $((passed + failed)) - $1"; }
fail() { failed=$((failed + 1)); echo "not ok $((passed + failed)) - $1"; shift; for l in "$@"; do echo "# $l"; done; }

case $(cd "$(dirname "$bench")" && pwd) in
"$root/build") ;;
*)
	echo "# skip: the install test runs for the release build only"
	echo "install: 0 passed, 0 failed"
	exit 0 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix="$tmp/prefix"

if out=$(make -s -C "$root" install PREFIX="$prefix" 2>&1); then
	ok "make install PREFIX=..."
else
	fail "make install PREFIX=..." "$out"
fi
for f in bin/bench lib/libbench.a lib/libbench.so lib/pkgconfig/bench.pc \
	include/bench/bench.h include/bench/timeit.h share/bench/plots/speedup.gp; do
	if [ -e "$prefix/$f" ]; then ok "installed $f"; else fail "installed $f" "missing $prefix/$f"; fi
done

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2086 # pkg-config's flags are meant to be split
if flags=$(pkg-config --cflags --libs bench 2>&1) &&
	out=$(cd "$tmp" && ${CC:-cc} -O2 "$root/bench/examples/timeit_variants.c" $flags -o variants 2>&1); then
	ok "the README example builds with pkg-config"
else
	fail "the README example builds with pkg-config" "$flags" "$out"
fi
if out=$("$tmp/variants" 2>&1) && echo "$out" | grep -q 'unrolled / plain = [0-9.]* (95% CI'; then
	ok "the README example runs and compares the variants"
else
	fail "the README example runs and compares the variants" "$out"
fi
if out=$("$prefix/bin/bench" run range --size 2000 --repeat 2 --warmup 0 -q --no-save --format csv 2>/dev/null) &&
	[ "$(echo "$out" | grep -c ',true,native$')" = 4 ]; then
	ok "the installed bench runs"
else
	fail "the installed bench runs" "$out"
fi
# The python engine finds its package under share/bench/python.
if ! command -v python3 >/dev/null 2>&1 && [ ! -x /usr/bin/python3 ]; then
	ok "the installed bench runs engine python (skipped: no python3)"
elif out=$(cd "$tmp" && "$prefix/bin/bench" run range --size 2000 --repeat 2 --warmup 0 -q --no-save \
		--mode serial --engine native,python --format csv 2>&1) &&
	[ "$(echo "$out" | grep -c ',true,python$')" = 1 ]; then
	ok "the installed bench runs engine python"
else
	fail "the installed bench runs engine python" "$out"
fi
# A man page per command, generated from its --help.
for f in man1/bench.1 man1/bench-run.1 man1/bench-grade.1 man1/bench-help.1; do
	if [ -e "$prefix/share/man/$f" ]; then ok "installed $f"; else fail "installed $f" "missing"; fi
done
if command -v man >/dev/null 2>&1; then
	if out=$(MANPATH="$prefix/share/man" man -P cat bench-run 2>&1) &&
		echo "$out" | grep -q 'bench-run - run a workload' && echo "$out" | grep -q -- '--workers'; then
		ok "man bench-run"
	else
		fail "man bench-run" "$(echo "$out" | head -n 5)"
	fi
fi
# bash completion: commands, a workload, a mode in a list, an option.
comp=$prefix/share/bash-completion/completions/bench
complete_words() { # WORDS...: what TAB offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bench
		printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$prefix/bin/bench" "$@" 2>&1
}
if [ -f "$comp" ] && complete_words r | grep -qx run && complete_words r | grep -qx report &&
	complete_words run ha | grep -qx hash &&
	complete_words run hash --mode serial,thr | grep -qx serial,thread &&
	complete_words run hash --work | grep -qx -- --workers; then
	ok "bash completion of commands, workloads, modes and options"
else
	fail "bash completion of commands, workloads, modes and options" \
		"bench r: $(complete_words r | tr '\n' ' ')" "run ha: $(complete_words run ha | tr '\n' ' ')"
fi
if grep -q "^source \"$comp\"" "$prefix/share/zsh/site-functions/_bench" 2>/dev/null; then
	ok "zsh completion loads the bash one"
else
	fail "zsh completion loads the bash one" "$(cat "$prefix/share/zsh/site-functions/_bench" 2>&1)"
fi

if out=$(make -s -C "$root" uninstall PREFIX="$prefix" 2>&1) && [ ! -e "$prefix/bin/bench" ] &&
	[ ! -e "$prefix/lib/pkgconfig/bench.pc" ] && [ ! -e "$prefix/share/man/man1/bench-run.1" ] &&
	[ ! -e "$comp" ]; then
	ok "make uninstall"
else
	fail "make uninstall" "$out"
fi
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
