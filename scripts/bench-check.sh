#!/bin/sh
# bench-check.sh BENCH - measures the performance ratios bench promises,
# each against a reference measured alongside in the same run, and prints
# them. It measures; it does not pass or fail on a stopwatch (exit 0 unless
# a tool is missing or a command fails).
#
# Section 11 runs mode mpi (Open MPI) beside serial and the pools; section
# 12 measures what the profilers (bench profile) cost; section 13 runs
# every fuzz target (make fuzz, built if missing) for FUZZ_SECONDS
# (default 120) each and adds the runs up per target; section 14 sets the
# process pool against the thread pool (PROCESS_ROUNDS), section 15 async
# against asyncio with up to a million waits in flight (ASYNC_ROUNDS),
# section 16 mode queue against the process pool and Python rq on a
# private redis-server (QUEUE_ROUNDS, QUEUE_TASKS), section 17 engine
# python against the course's own Python (PYTHON_ROUNDS).
# Sections 8 to 10 time the data workloads against jq and tr | awk on
# generated files (EVENTS_LINES, TEXT_MB and BIG_LINES set their sizes;
# section 10 writes a 1 GB file to $TMPDIR and removes it).
#
# Sections 5 and 6 compare bench with other people's tools (Google
# Benchmark, hyperfine); without them the section says what to install and
# is skipped. ROUNDS (default 5) sets the rounds of sections 1 to 12;
# section 5 has its own, TIMEIT_ROUNDS (default 12), and REPEATS (default
# 10) repeats per round.
#
# SECTIONS (default all) picks sections by number, spaces or commas
# between them: SECTIONS="8 9" make bench-check.
#
# Release builds only: timings from a debug or sanitizer build mean nothing.
set -eu

bench=${1:-build/bench}
rounds=${ROUNDS:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

sections=$(printf '%s' "${SECTIONS:-all}" | tr ',' ' ')
for n in $sections; do
	case $n in
	all | [1-9] | 1[0-7]) ;;
	*) echo "bench-check: SECTIONS: '$n' is not a section; expected numbers from 1 to 17 or all" >&2; exit 2 ;;
	esac
done
# section N: whether section N is among SECTIONS.
section() { case " $sections " in *" all "* | *" $1 "*) return 0 ;; esac; return 1; }
now_ns() { date +%s%N; }
# rotate I WORD...: the words, starting at the (I mod count)-th. Whole
# programs alternated in this order each round take turns at running
# first: the program after one that freed much memory pays to touch
# fresh pages (up to 0.3 s for 100 MB here), and a fixed order would
# give that cost to the same one every round.
rotate() {
	_k=$(( $1 % ($# - 1) )); shift
	_i=0; _head=""; _tail=""
	for _w in "$@"; do
		if [ $_i -lt $_k ]; then _tail="$_tail $_w"; else _head="$_head $_w"; fi
		_i=$((_i + 1))
	done
	echo $_head $_tail
}

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench-check: '$1' is not installed" >&2; exit 1; }; }
have() { command -v "$1" >/dev/null 2>&1; }
need openssl
need awk
case $("$bench" --version) in
*"release build"*) ;;
*) echo "bench-check: $bench is not a release build; its timings would mean nothing" >&2; exit 1 ;;
esac

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# field CSV MODE COLUMN: a column of `bench run --format csv` for MODE.
field() { awk -F, -v m="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $2 == m { print $col[c] }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# cv FILE: stddev / mean (sample stddev, n - 1) of the first column of FILE.
cv() { awk '{ v[NR] = $1; s += $1 } END { m = s / NR; for (i = 1; i <= NR; i++) d += (v[i] - m) ^ 2; print sqrt(d / (NR - 1)) / m }' "$1"; }
# jnum FILE KEY: the first value of "KEY" in a JSON file written one key per
# line, as bench, hyperfine and Google Benchmark all write it (awk, so that
# no python is needed).
jnum() { awk -v k="\"$2\":" '$1 == k { v = $2; sub(/,$/, "", v); print v; exit }' "$1"; }
# gbench_runs FILE: per-call ns and iterations of each repetition in a
# Google Benchmark JSON report (its flat objects with run_type iteration).
gbench_runs() {
	awk '/^ *\{/ { split("", f) }
	/^ *"[a-z_]+": / { k = $1; gsub(/[":]/, "", k); v = $2; sub(/,$/, "", v); gsub(/"/, "", v); f[k] = v }
	/^ *\},?$/ && f["run_type"] == "iteration" {
		u = f["time_unit"]; m = u == "us" ? 1e3 : u == "ms" ? 1e6 : u == "s" ? 1e9 : 1
		print f["real_time"] * m, f["iterations"]; split("", f)
	}' "$1"
}

echo "bench-check: $("$bench" --version)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

# 1. Serial hash rate against `openssl speed`, alternating the two.
if section 1; then
	echo "1. hash, serial, against openssl speed -evp sha256 -bytes 32 (single core), $rounds rounds interleaved"
	: > "$tmp/ossl"; : > "$tmp/bench"
	i=0
	while [ $i -lt "$rounds" ]; do
		openssl speed -seconds 1 -evp sha256 -bytes 32 2>/dev/null |
			awk '/^sha256/ { v = $2; sub(/k$/, "", v); print v * 1000 / 32 }' >> "$tmp/ossl"
		"$bench" run hash --mode serial --repeat 1 --warmup 0 --quiet --format csv 2>/dev/null > "$tmp/run.csv"
		field "$tmp/run.csv" serial items_per_s >> "$tmp/bench"
		i=$((i + 1))
	done
	o=$(median "$tmp/ossl"); b=$(median "$tmp/bench")
	printf '   openssl speed: %.3g hashes/s   bench serial: %.3g hashes/s   ratio %s (goal >= 0.80)\n\n' "$o" "$b" "$(ratio "$b" "$o")"
fi

# 2. Two workers on hash: thread and process against serial, one run.
if section 2; then
	echo "2. hash with 2 workers, thread and process against serial (one run, modes interleaved)"
	"$bench" run hash --workers 2 --mode serial,thread,process --repeat "$rounds" --quiet --format csv 2>/dev/null > "$tmp/hash2.csv"
	for m in serial thread process; do
		printf '   %-8s median %8.1f ms   speedup %.2fx\n' "$m" \
			"$(awk -v v="$(field "$tmp/hash2.csv" $m median_ns)" 'BEGIN { print v / 1e6 }')" \
			"$(field "$tmp/hash2.csv" $m speedup)"
	done
	echo "   (goal: thread and process >= 1.80x)"
	echo
fi

# 3. Per-task cost with --chunk 1: thread pool against a plain mutex/condvar
#    queue doing the same rows, alternating; process pool reported.
if section 3; then
	rows=${ROWS:-1000000}
	echo "3. per-task overhead, range --chunk 1, $rows rows, 2 workers, $rounds rounds interleaved"
	cc -O2 -pthread "$here/tests/perf/queue_baseline.c" -o "$tmp/queue_baseline"
	: > "$tmp/queue"; : > "$tmp/pool"
	i=0
	while [ $i -lt "$rounds" ]; do
		"$tmp/queue_baseline" "$rows" 2 2>/dev/null >> "$tmp/queue"
		"$bench" run range --size "$rows" --chunk 1 --workers 2 --mode thread --repeat 1 --warmup 0 --quiet --format csv 2>/dev/null > "$tmp/r.csv"
		awk -v v="$(field "$tmp/r.csv" thread median_ns)" -v n="$rows" 'BEGIN { print v / n }' >> "$tmp/pool"
		i=$((i + 1))
	done
	q=$(median "$tmp/queue"); p=$(median "$tmp/pool")
	printf '   mutex/condvar queue: %.1f ns per task   bench thread pool: %.1f ns per task   ratio %s (goal <= 2.00)\n' "$q" "$p" "$(ratio "$p" "$q")"
	prow=$((rows / 10))
	"$bench" run range --size "$prow" --chunk 1 --workers 2 --mode serial,process --repeat 3 --quiet --format csv 2>/dev/null > "$tmp/p.csv"
	awk -v s="$(field "$tmp/p.csv" serial median_ns)" -v p="$(field "$tmp/p.csv" process median_ns)" -v n="$prow" \
		'BEGIN { printf "   process pool: %.2f us per task (%d tasks; serial %.1f ns per row of work)\n\n", (p - s / 2) / n / 1000, n, s / n }'
fi

# 4. Sleep: async against the longest wait, serial against the sum.
if section 4; then
	tasks=40
	echo "4. sleep, $tasks tasks of 0-50 ms, async with every task in flight"
	"$bench" show sleep --size $tasks > "$tmp/waits"
	longest=$(awk '$2 > m { m = $2 } END { print m }' "$tmp/waits")
	sum=$(awk '{ s += $2 } END { print s }' "$tmp/waits")
	"$bench" run sleep --size $tasks --workers $tasks --mode serial,thread,async --repeat "$rounds" --quiet --format csv 2>/dev/null > "$tmp/sleep.csv"
	a=$(awk -v v="$(field "$tmp/sleep.csv" async median_ns)" 'BEGIN { print v / 1e6 }')
	s=$(awk -v v="$(field "$tmp/sleep.csv" serial median_ns)" 'BEGIN { print v / 1e6 }')
	t=$(awk -v v="$(field "$tmp/sleep.csv" thread median_ns)" 'BEGIN { print v / 1e6 }')
	printf '   longest wait %d ms, sum %d ms\n' "$longest" "$sum"
	printf '   async  %.1f ms = %s x the longest wait (goal within 10%%: 0.90-1.10)\n' "$a" "$(ratio "$a" "$longest")"
	printf '   serial %.1f ms = %s x the sum of waits (goal about 1)\n' "$s" "$(ratio "$s" "$sum")"
	printf '   thread %.1f ms with %d threads\n' "$t" "$tasks"
	echo
fi

# 5. The harness's own floor, and a real microsecond: timeit of a function
#    that does nothing, then of one SHA-256 of a short message (the hash
#    workload's item), against Google Benchmark timing the same object code
#    the same way, alternating. timeit calls through a pointer, so
#    gbench_fn.cc does too; timed_fns.c is its own object, built without
#    LTO, so neither can inline it.
if section 5; then
	reps=${REPEATS:-10}
	# More rounds than elsewhere: the host's speed swings up to 2x within
	# seconds, so one round's CV says mostly whether it caught a quiet
	# stretch, and the median of 5 moved more between runs than the two
	# harnesses differ.
	trounds=${TIMEIT_ROUNDS:-12}
	echo "5. timeit against Google Benchmark on an empty function and on SHA-256 of 18 bytes, $reps repeats each, $trounds rounds interleaved"
	echo "   (both with a 0.5 s minimum per repeat, Google Benchmark's default, so the loops are alike)"
	missing=""
	have g++ || missing=" g++"
	if have g++; then
		printf '#include <benchmark/benchmark.h>\n' | g++ -E -x c++ - >/dev/null 2>&1 || missing="$missing libbenchmark-dev"
	else
		[ -f /usr/include/benchmark/benchmark.h ] || missing="$missing libbenchmark-dev"
	fi
	lib=$(dirname "$bench")/libbench.a
	if [ -n "$missing" ]; then
		echo "   skipped: install$missing (apt-get install$missing)"
	elif [ ! -f "$lib" ]; then
		echo "bench-check: '$lib' is missing; run make" >&2
		exit 1
	else
		perf=$here/tests/perf
		cc -std=c11 -O2 -fno-lto -c "$perf/timed_fns.c" -o "$tmp/timed_fns.o"
		# shellcheck disable=SC2046 # the library lists split into words
		cc -std=c11 -O2 -fno-lto -I"$here/bench/include" "$perf/timeit_fn.c" "$tmp/timed_fns.o" "$lib" \
			$(pkg-config --libs libcrypto jansson sqlite3 2>/dev/null || echo -lcrypto -ljansson -lsqlite3) \
			-lpthread -lm -o "$tmp/timeit_fn"
		# shellcheck disable=SC2046
		g++ -O2 -DNDEBUG -fno-lto "$perf/gbench_fn.cc" "$tmp/timed_fns.o" \
			$(pkg-config --libs benchmark libcrypto 2>/dev/null || echo -lbenchmark -lcrypto) -lpthread -o "$tmp/gbench_fn"
		for fn in empty sha256; do
			for h in ti gb; do : > "$tmp/$h.med"; : > "$tmp/$h.cv"; : > "$tmp/$h.loop"; : > "$tmp/$h.number"; done
			i=0
			while [ $i -lt "$trounds" ]; do
				for h in $(rotate $i gb ti); do
					if [ $h = gb ]; then
						"$tmp/gbench_fn" --benchmark_filter="^BM_$fn\$" --benchmark_repetitions="$reps" \
							--benchmark_format=json > "$tmp/gb.json" 2> "$tmp/gb.err" ||
							{ cat "$tmp/gb.err" >&2; exit 1; }
						gbench_runs "$tmp/gb.json" > "$tmp/gb.out"
					else
						"$tmp/timeit_fn" "$reps" 0.5 "$fn" > "$tmp/ti.out"
					fi
				done
				for h in ti gb; do
					[ "$(wc -l < "$tmp/$h.out")" -eq "$reps" ] || { echo "bench-check: $h: expected $reps repeats" >&2; exit 1; }
					median "$tmp/$h.out" >> "$tmp/$h.med"
					cv "$tmp/$h.out" >> "$tmp/$h.cv"
					awk '{ print $1 * $2 / 1e9 }' "$tmp/$h.out" > "$tmp/loop"
					median "$tmp/loop" >> "$tmp/$h.loop"
					awk '{ print $2 }' "$tmp/$h.out" > "$tmp/number"
					median "$tmp/number" >> "$tmp/$h.number"
				done
				i=$((i + 1))
			done
			gb_med=$(median "$tmp/gb.med"); gb_cv=$(median "$tmp/gb.cv")
			gb_loop=$(median "$tmp/gb.loop"); gb_number=$(median "$tmp/gb.number")
			ti_med=$(median "$tmp/ti.med"); ti_cv=$(median "$tmp/ti.cv")
			ti_loop=$(median "$tmp/ti.loop"); ti_number=$(median "$tmp/ti.number")
			echo "   $fn:"
			printf '   Google Benchmark: %.2f ns per call, CV %.2f%%   (%.3g million calls, %.2f s per repetition)\n' \
				"$gb_med" "$(awk -v v="$gb_cv" 'BEGIN { print v * 100 }')" "$(awk -v v="$gb_number" 'BEGIN { print v / 1e6 }')" "$gb_loop"
			printf '   bench timeit:     %.2f ns per call, CV %.2f%%   (%.3g million calls, %.2f s per repeat)\n' \
				"$ti_med" "$(awk -v v="$ti_cv" 'BEGIN { print v * 100 }')" "$(awk -v v="$ti_number" 'BEGIN { print v / 1e6 }')" "$ti_loop"
			if [ "$fn" = empty ]; then
				printf '   difference %+.2f ns (goal within 1 ns)   CV ratio %s (goal <= 1.00)\n' \
					"$(awk -v a="$ti_med" -v b="$gb_med" 'BEGIN { print a - b }')" "$(ratio "$ti_cv" "$gb_cv")"
			else
				printf '   ratio of the medians %s   CV ratio %s (goal <= 1.00)\n' \
					"$(ratio "$ti_med" "$gb_med")" "$(ratio "$ti_cv" "$gb_cv")"
			fi
			paste "$tmp/ti.cv" "$tmp/gb.cv" | awk -v n="$trounds" '$1 < $2 { k++ }
				END { printf "   rounds where timeit'"'"'s CV was the lower: %d of %d\n", k, n }'
		done
		echo "   (per call: median of a round's repeats; CV: stddev/mean of a round's repeats; both the median over rounds)"
	fi
	echo
fi

# 6. Whole programs: bench exec against hyperfine -N (no shell either),
#    alternating, one untimed warmup run each (bench exec's default; hyperfine
#    has none unless asked, and a cold first run would only swell its stddev).
if section 6; then
	echo "6. exec of a program against hyperfine -N, 1 warmup run each, $rounds rounds interleaved"
	# exec_pair RUNS CMD [ARGS...]: the rounds for one command, then its lines.
	exec_pair() {
		n=$1
		shift
		for h in be hf; do : > "$tmp/$h.mean"; : > "$tmp/$h.sd"; done
		i=0
		while [ $i -lt "$rounds" ]; do
			hyperfine -N --warmup 1 --runs "$n" --style none --export-json "$tmp/hf.json" "$*" > /dev/null 2> "$tmp/hf.err" ||
				{ cat "$tmp/hf.err" >&2; exit 1; }
			awk -v v="$(jnum "$tmp/hf.json" mean)" 'BEGIN { print v * 1e9 }' >> "$tmp/hf.mean"
			awk -v v="$(jnum "$tmp/hf.json" stddev)" 'BEGIN { print v * 1e9 }' >> "$tmp/hf.sd"
			"$bench" exec --warmup 1 --runs "$n" --format json -o "$tmp/be.json" -- "$@"
			jnum "$tmp/be.json" mean_ns >> "$tmp/be.mean"
			jnum "$tmp/be.json" stddev_ns >> "$tmp/be.sd"
			i=$((i + 1))
		done
		hm=$(median "$tmp/hf.mean"); hs=$(median "$tmp/hf.sd")
		bm=$(median "$tmp/be.mean"); bs=$(median "$tmp/be.sd")
		printf '   %-11s hyperfine -N: mean %.3f ms, stddev %.3f ms   bench exec: mean %.3f ms, stddev %.3f ms   (%d runs)\n' \
			"$*" "$(awk -v v="$hm" 'BEGIN { print v / 1e6 }')" "$(awk -v v="$hs" 'BEGIN { print v / 1e6 }')" \
			"$(awk -v v="$bm" 'BEGIN { print v / 1e6 }')" "$(awk -v v="$bs" 'BEGIN { print v / 1e6 }')" "$n"
		printf '   %-11s mean ratio %s (goal 0.95-1.05)   stddev ratio %s (goal <= 1.00)\n' "" "$(ratio "$bm" "$hm")" "$(ratio "$bs" "$hs")"
	}
	if ! have hyperfine; then
		echo "   skipped: install hyperfine (apt-get install hyperfine)"
	else
		exec_pair "${EXEC_RUNS:-200}" true
		exec_pair "${SLEEP_RUNS:-20}" sleep 0.05
		echo "   (mean and stddev of each round's runs, then the median over rounds)"
	fi
fi

# 7. The three engines on the same hash cases, interleaved in one run.
if section 7; then
	echo
	echo "7. hash throughput, serial, from the native, gbench and hyperfine engines (one run, engines interleaved)"
	if have hyperfine && "$bench" run hash --mode serial --engine all --repeat "$rounds" --no-save --quiet --format csv 2>/dev/null > "$tmp/engines.csv"; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			{ rate[$col["engine"]] = $col["items_per_s"] }
			END {
				for (e in rate) printf "   %-10s %.3g items/s\n", e, rate[e]
				lo = hi = rate["native"]
				for (e in rate) { if (rate[e] < lo) lo = rate[e]; if (rate[e] > hi) hi = rate[e] }
				printf "   spread: the fastest is %.1f%% above the slowest (goal within 10%%; hyperfine includes process start-up and a cold first pass)\n", (hi / lo - 1) * 100
			}' "$tmp/engines.csv"
	else
		echo "   skipped: needs hyperfine and a bench built with Google Benchmark (./scripts/install-deps.sh, then make)"
	fi
fi


# 8. The event pipeline against jq on the same file, alternating the two.
# Whole processes are timed for both: bench's figure includes its start,
# opening the file and the checksum; jq's includes writing the kept lines.
if section 8; then
	echo
	if have jq; then
		lines=${EVENTS_LINES:-750000}
		"$bench" gen events --lines "$lines" -o "$tmp/events.jsonl"
		mb=$(( $(wc -c < "$tmp/events.jsonl") / 1000000 ))
		echo "8. events, --type purchase, 2 workers, against jq -c 'select(.event_type==\"purchase\")' | wc -l ($lines lines, $mb MB, $rounds rounds interleaved)"
		: > "$tmp/t.jq"; : > "$tmp/t.thread"; : > "$tmp/t.process"
		i=0
		while [ $i -lt "$rounds" ]; do
			for m in $(rotate $i jq thread process); do
				t0=$(now_ns)
				if [ $m = jq ]; then
					jq_kept=$(jq -c 'select(.event_type=="purchase")' "$tmp/events.jsonl" | wc -l)
				else
					"$bench" run events --input "$tmp/events.jsonl" --mode $m --workers 2 \
						--repeat 1 --warmup 0 --no-save --quiet --format json > "$tmp/ev.json" 2>/dev/null
				fi
				echo $(( $(now_ns) - t0 )) >> "$tmp/t.$m"
			done
			i=$((i + 1))
		done
		kept=$(jnum "$tmp/ev.json" kept)
		j=$(median "$tmp/t.jq"); t=$(median "$tmp/t.thread"); p=$(median "$tmp/t.process")
		printf '   jq: %.0f ms (%s kept)   bench thread x2: %.0f ms, %sx jq'"'"'s rate   process x2: %.0f ms, %sx (goal >= 5x)\n' \
			"$(awk -v v="$j" 'BEGIN { print v / 1e6 }')" "$jq_kept" \
			"$(awk -v v="$t" 'BEGIN { print v / 1e6 }')" "$(ratio "$j" "$t")" \
			"$(awk -v v="$p" 'BEGIN { print v / 1e6 }')" "$(ratio "$j" "$p")"
		[ "$kept" = "$jq_kept" ] && echo "   kept: $kept, equal to jq's" ||
			echo "   kept: $kept, jq counted $jq_kept: THEY DIFFER"
		# The rate inside a run (every line still validated), thread and
		# process interleaved in one run, against grep -c over the same file,
		# which only finds the lines: what reading them alone costs.
		"$bench" run events --input "$tmp/events.jsonl" --mode thread,process --workers 2 \
			--repeat "$rounds" --no-save --quiet --format csv > "$tmp/evrate.csv" 2>/dev/null
		: > "$tmp/grep"
		i=0
		while [ $i -lt "$rounds" ]; do
			t0=$(now_ns)
			grep -c '' "$tmp/events.jsonl" > "$tmp/grep.out"  # not /dev/null: GNU grep then stops at the first line
			echo $(( $(now_ns) - t0 )) >> "$tmp/grep"
			i=$((i + 1))
		done
		bytes=$(wc -c < "$tmp/events.jsonl")
		g=$(median "$tmp/grep")
		printf '   in a run: thread x2 %.2f GB/s, process x2 %.2f GB/s (goal >= 2 GB/s); grep -c alone: %.2f GB/s\n' \
			"$(awk -v b="$bytes" -v t="$(field "$tmp/evrate.csv" thread median_ns)" 'BEGIN { print b / t }')" \
			"$(awk -v b="$bytes" -v t="$(field "$tmp/evrate.csv" process median_ns)" 'BEGIN { print b / t }')" \
			"$(awk -v b="$bytes" -v t="$g" 'BEGIN { print b / t }')"
	else
		echo "8. events against jq: skipped, jq is not installed (apt-get install jq)"
	fi
fi

# 9. Word count against tr | awk on the same text, alternating the two.
if section 9; then
	echo
	text_mb=${TEXT_MB:-100}
	"$bench" gen text --mb "$text_mb" -o "$tmp/words.txt"
	printf '%s\n' "9. wordcount, 2 workers, against tr -cs A-Za-z '\\n' | awk '{c[tolower(\$0)]++} ...' ($text_mb MiB, $rounds rounds interleaved)"
	: > "$tmp/t.awk"; : > "$tmp/t.thread"; : > "$tmp/t.process"
	i=0
	while [ $i -lt "$rounds" ]; do
		for m in $(rotate $i awk thread process); do
			t0=$(now_ns)
			if [ $m = awk ]; then
				tr -cs A-Za-z '\n' < "$tmp/words.txt" |
					awk '{ c[tolower($0)]++ } END { for (w in c) if (w != "") print c[w], w }' > "$tmp/awk.out"
			else
				"$bench" run wordcount --input "$tmp/words.txt" --mode $m --workers 2 \
					--repeat 1 --warmup 0 --no-save --quiet --format json > "$tmp/wc.json" 2>/dev/null
			fi
			echo $(( $(now_ns) - t0 )) >> "$tmp/t.$m"
		done
		i=$((i + 1))
	done
	a=$(median "$tmp/t.awk"); t=$(median "$tmp/t.thread"); p=$(median "$tmp/t.process")
	printf '   tr|awk: %.0f ms   bench thread x2: %.0f ms, %sx its rate   process x2: %.0f ms, %sx (goal >= 8x)\n' \
		"$(awk -v v="$a" 'BEGIN { print v / 1e6 }')" \
		"$(awk -v v="$t" 'BEGIN { print v / 1e6 }')" "$(ratio "$a" "$t")" \
		"$(awk -v v="$p" 'BEGIN { print v / 1e6 }')" "$(ratio "$a" "$p")"
	words=$(awk '{ s += $1 } END { print s }' "$tmp/awk.out"); distinct=$(wc -l < "$tmp/awk.out")
	[ "$(jnum "$tmp/wc.json" words)" = "$words" ] && [ "$(jnum "$tmp/wc.json" distinct)" = "$distinct" ] &&
		echo "   words $words, distinct $distinct: equal to awk's" ||
		echo "   words $(jnum "$tmp/wc.json" words) / distinct $(jnum "$tmp/wc.json" distinct), awk: $words / $distinct: THEY DIFFER"
fi

# 10. Peak memory of the event pipeline on a 1 GB file and on one ten
# times smaller: it must not grow with the file.
if section 10; then
	echo
	big=${BIG_LINES:-3700000}
	echo "10. events, peak RSS (largest process) on a 1 GB file against a 100 MB one"
	"$bench" gen events --lines "$big" -o "$tmp/big.jsonl"
	"$bench" gen events --lines $((big / 10)) -o "$tmp/small.jsonl"
	for f in small big; do
		"$bench" run events --input "$tmp/$f.jsonl" --mode serial,thread,process --workers 2 \
			--repeat 1 --warmup 0 --no-save --quiet --format json > "$tmp/rss.json" 2>/dev/null
		printf '   %-5s %5d MB: peak RSS %s (serial, thread, process; goal < 32 MB)\n' "$f" \
			$(( $(wc -c < "$tmp/$f.jsonl") / 1000000 )) \
			"$(awk '$1 == "\"maxrss_kb\":" { v = $2; sub(/,$/, "", v); printf "%s%.1f MB", sep, v / 1024; sep = ", " }' "$tmp/rss.json")"
	done
	rm -f "$tmp/big.jsonl" "$tmp/small.jsonl"
fi

# 11. mpi: hash over 2 ranks of an MPI job bench launches itself, against
# serial and the two pools, every mode interleaved in the one run. As root
# Open MPI needs its opt-in (OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1); without it the section says so.
if section 11; then
	echo
	if "$bench" run range -n 100 --mode mpi --workers 1 --no-save -q -r 1 --warmup 0 \
		>/dev/null 2>"$tmp/mpi.err"; then
		echo "11. hash with 2 MPI ranks against serial, thread and process (one run, modes interleaved)"
		"$bench" run hash --workers 2 --mode serial,thread,process,mpi --repeat "$rounds" \
			--no-save --quiet --format csv > "$tmp/mpi.csv" 2>"$tmp/mpi.err"
		for m in serial thread process mpi; do
			printf '   %-8s median %8.1f ms   speedup %.2fx   checksum %s\n' "$m" \
				"$(awk -v v="$(field "$tmp/mpi.csv" $m median_ns)" 'BEGIN { print v / 1e6 }')" \
				"$(field "$tmp/mpi.csv" $m speedup)" "$(field "$tmp/mpi.csv" $m checksum)"
		done
		sed -n 's/^bench: note: mpi: /   /p' "$tmp/mpi.err"
		echo "   (goal: mpi >= 1.80x)"
	else
		echo "11. mpi: skipped: $(sed 's/^bench: //' "$tmp/mpi.err" | head -n 1)"
	fi
fi

# 12. The profilers' cost: whole `bench run` processes with and without the
# profiler preloaded, alternating, medians (goals: sampling <= 5% slower,
# the heap profiler <= 2x on wordcount).
if section 12; then
	echo
	lib=$(dirname "$bench")
	if [ -f "$lib/libbenchprof.so" ] && [ -f "$lib/libbenchprof-mem.so" ]; then
		echo "12. profiler overhead ($rounds rounds interleaved, whole processes)"
		mkdir -p "$tmp/prof"
		: > "$tmp/p0"; : > "$tmp/p1"; : > "$tmp/m0"; : > "$tmp/m1"
		i=0
		while [ $i -lt "$rounds" ]; do
			for w in plain cpu; do
				t0=$(now_ns)
				if [ $w = cpu ]; then
					LD_PRELOAD="$lib/libbenchprof.so" BENCH_PROF=cpu BENCH_PROF_DIR="$tmp/prof" \
						"$bench" run hash -n 2M --mode serial -r 1 --warmup 0 --no-save -q >/dev/null 2>&1
					echo $(( $(now_ns) - t0 )) >> "$tmp/p1"
				else
					"$bench" run hash -n 2M --mode serial -r 1 --warmup 0 --no-save -q >/dev/null 2>&1
					echo $(( $(now_ns) - t0 )) >> "$tmp/p0"
				fi
			done
			for w in plain mem; do
				t0=$(now_ns)
				if [ $w = mem ]; then
					LD_PRELOAD="$lib/libbenchprof-mem.so" BENCH_PROF=mem BENCH_PROF_DIR="$tmp/prof" \
						"$bench" run wordcount --mode serial -r 1 --warmup 0 --no-save -q >/dev/null 2>&1
					echo $(( $(now_ns) - t0 )) >> "$tmp/m1"
				else
					"$bench" run wordcount --mode serial -r 1 --warmup 0 --no-save -q >/dev/null 2>&1
					echo $(( $(now_ns) - t0 )) >> "$tmp/m0"
				fi
			done
			rm -f "$tmp"/prof/prof.*
			i=$((i + 1))
		done
		printf '   cpu sampling, hash 2M serial: %.0f ms plain, %.0f ms sampled: %sx (goal <= 1.05x)\n' \
			"$(awk -v v="$(median "$tmp/p0")" 'BEGIN { print v / 1e6 }')" \
			"$(awk -v v="$(median "$tmp/p1")" 'BEGIN { print v / 1e6 }')" \
			"$(ratio "$(median "$tmp/p1")" "$(median "$tmp/p0")")"
		printf '   heap profiler, wordcount serial: %.0f ms plain, %.0f ms profiled: %sx (goal <= 2x)\n' \
			"$(awk -v v="$(median "$tmp/m0")" 'BEGIN { print v / 1e6 }')" \
			"$(awk -v v="$(median "$tmp/m1")" 'BEGIN { print v / 1e6 }')" \
			"$(ratio "$(median "$tmp/m1")" "$(median "$tmp/m0")")"
	else
		echo "12. profiler overhead: skipped, no libbenchprof.so beside $bench (make)"
	fi
fi

# 13. A fuzzing campaign: every fuzz target (tests/fuzz/, built into
# $FUZZ_BUILD, default build-fuzz, with ASan and UBSan) for FUZZ_SECONDS
# each (or until FUZZ_RUNS executions, when that is set and comes first),
# over its seeds and what earlier runs kept in FUZZ_BUILD/corpus.
# One line per target (execs, time, libFuzzer's cov and ft, findings),
# then each target's executions over every run so far, from the log
# tests/fuzz/run.sh keeps (the goal: 10 million each, no finding). A
# finding is shown with its input and does not stop the script.
if section 13; then
	echo
	fuzz_build=${FUZZ_BUILD:-$here/build-fuzz}
	fuzz_seconds=${FUZZ_SECONDS:-120}
	if ! ls "$fuzz_build"/fuzz_* >/dev/null 2>&1 && have clang; then
		make -C "$here" FUZZ_BUILD="$fuzz_build" fuzz >"$tmp/fuzz-build.log" 2>&1 ||
			echo "   make fuzz failed: $(tail -n 1 "$tmp/fuzz-build.log")"
	fi
	if ls "$fuzz_build"/fuzz_* >/dev/null 2>&1; then
		echo "13. fuzzing, $fuzz_seconds s per target${FUZZ_RUNS:+ or $FUZZ_RUNS executions, whichever comes first} (ASan + UBSan builds: executions, not timings)"
		FUZZ_LABEL="   fuzzing" "$here/tests/fuzz/run.sh" "$fuzz_build" "$fuzz_seconds" |
			sed 's/^fuzz_/   fuzz_/'
		echo "   every run so far ($fuzz_build/fuzz-history.tsv):"
		awk -F '\t' 'NR > 1 { e[$2] += $3; s[$2] += $4; f[$2] += $7; c[$2] = $5; n[$2]++ }
			END { for (t in e) printf "   %-16s %12d execs in %d runs, %d s, last cov %d, findings %d%s\n",
				t, e[t], n[t], s[t], c[t], f[t], (e[t] >= 10000000 ? "" : " (goal 10M)") }' \
			"$fuzz_build/fuzz-history.tsv" | sort
	else
		echo "13. fuzzing: skipped, no fuzz target in $fuzz_build (install clang and libclang-rt-dev, then make fuzz)"
	fi
fi

# 14. The process pool against the thread pool: dispatch cost per task,
# hash speedup, the event pipeline and word count (scripts/bench-check/
# process.sh, which says what each goal is).
if section 14; then
	echo
	printf '14. '
	. "$here/scripts/bench-check/process.sh"
	bench_check_process "$bench" "${PROCESS_ROUNDS:-7}"
fi

# 15. async at scale: a hundred thousand and a million waits in flight,
# time and memory against asyncio (scripts/bench-check/async.sh).
if section 15; then
	echo
	printf '15. '
	. "$here/scripts/bench-check/async.sh"
	bench_check_async "$bench" "${ASYNC_ROUNDS:-3}"
fi

# 16. mode queue: a Redis broker's cost per task against the process pool
# and Python rq, and hash speedups (scripts/bench-check/queue.sh).
if section 16; then
	echo
	printf '16. '
	. "$here/scripts/bench-check/queue.sh"
	bench_check_queue "$bench" "${QUEUE_ROUNDS:-7}"
fi

# 17. engine python: Python serial against the course's script, threads
# under the GIL, the process pool, asyncio (scripts/bench-check/python.sh).
if section 17; then
	echo
	printf '17. '
	. "$here/scripts/bench-check/python.sh"
	bench_check_python "$bench" "${PYTHON_ROUNDS:-7}"
fi
