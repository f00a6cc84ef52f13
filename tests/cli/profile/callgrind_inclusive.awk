# callgrind_inclusive.awk - each function's inclusive cost in a callgrind
# file, as callgrind_annotate --inclusive=yes adds them up (and
# KCachegrind, but for its cycle detection): a function that is called
# costs the sum of the calls into it (the cost line after each "calls="
# naming it as cfn=); one never called, its own cost lines plus the calls
# it makes.
#
# usage: awk -f callgrind_inclusive.awk callgrind.out.PID
#
# Prints "total COST" (the summary: or totals: line), then one line per
# function, "COST NAME", in the order first seen. Reads the first event
# only; names may be compressed ("fn=(3) name", later "fn=(3)").

function name_of(s,    id) {
	if (match(s, /^\([0-9]+\)/)) {
		id = substr(s, RSTART, RLENGTH)
		s = substr(s, RLENGTH + 1)
		sub(/^ /, "", s)
		if (s != "")
			names[id] = s
		else
			s = names[id]
	}
	return s
}

function seen(f) {
	if (!(f in own)) {
		order[++n] = f
		own[f] = 0
	}
}

/^(summary|totals):/ { total = $2; next }
/^fn=/ { fn = name_of(substr($0, 4)); seen(fn); next }
/^cfn=/ { cfn = name_of(substr($0, 5)); seen(cfn); next }
/^calls=/ { call = 1; next }
/^[0-9+*-]/ {
	# "position cost": a call's inclusive cost, or the function's own.
	if (call) {
		into[cfn] += $2
		called[cfn] = 1
	}
	own[fn] += $2
	call = 0
	next
}
END {
	printf "total %.0f\n", total
	for (i = 1; i <= n; i++)
		printf "%.0f %s\n", order[i] in called ? into[order[i]] : own[order[i]], order[i]
}
