#!/usr/bin/env python3
"""trace_check.py - checks a Trace Event JSON file the way its readers read it.

usage: trace_check.py FILE

Per lane (pid, tid), the "B"/"E" (and "X") events must build the same
stacks in two readers:

  - in the file's order: times rise strictly along the lane, every "E"
    is named and closes the innermost open "B" of that name, nothing is
    left open;
  - as speedscope's importer builds them (src/import/trace-event.ts,
    eventListToProfile): begins and ends in two queues sorted by time,
    ties broken as it does; any of its warnings (an end with nothing open,
    an end that does not match the top of the stack, a frame left open)
    is an error, and so is a different sequence of frames than the file's.

Strictly rising times also make Perfetto's order (by time, ends first at
equal times) the file's. Async events ("b"/"e") must pair by (pid, cat,
id) with the same name, the end not before the begin.

On success prints what the tests look at, one fact a line:
  lanes=N                 lanes with B/E/X events
  lane=PID TID NAME       each, with its thread_name ("-": none)
  counters=N              "C" events
  span=CAT NAME PID TID TS DUR   each async pair (or "X" event of cat slowlog)
  cum=PID TID NAME US     per lane and function, the time of its
                          outermost frames (microseconds)
  frames=N                frames (B/E pairs and X events) in all
On the first error prints one line, "FILE: what, where, what was
expected", on stderr and exits 1.
"""
import json
import sys
from collections import defaultdict


class Bad(Exception):
    pass


def key(e):
    """speedscope's getEventId: the name, and the args if any."""
    k = e.get("name") or "(unnamed)"
    if e.get("args"):
        k += " " + json.dumps(e["args"], separators=(",", ":"))
    return k


def speedscope_frames(lane, events):
    """speedscope's eventListToProfile: returns the ("enter"|"leave", name,
    ts) sequence it builds; raises Bad on any of its warnings."""
    begins, ends, xs = [], [], []
    for e in events:
        if e["ph"] == "B":
            begins.append(e)
        elif e["ph"] == "E":
            ends.append(e)
        else:
            xs.append(e)
    dur = lambda x: float(x.get("dur", x.get("tdur", 0)) or 0)
    xs.sort(key=lambda x: (float(x["ts"]), -dur(x)))
    for x in xs:
        begins.append(dict(x, ph="B"))
        ends.append(dict(x, ph="E", ts=float(x["ts"]) + dur(x)))
    begins.sort(key=lambda e: float(e["ts"]))
    ends.sort(key=lambda e: float(e["ts"]))
    stack, out = [], []
    while begins or ends:
        if not ends:
            take = "B"
        elif not begins:
            take = "E"
        else:
            bts, ets = float(begins[0]["ts"]), float(ends[0]["ts"])
            if bts != ets:
                take = "B" if bts < ets else "E"
            else:
                take = "B" if key(begins[0]) == key(ends[0]) else "E"
        if take == "B":
            b = begins.pop(0)
            stack.append(b)
            out.append(("enter", b.get("name"), float(b["ts"])))
            continue
        if stack:
            top = stack[-1]
            same_ts = []
            for i in range(1, len(ends)):
                if float(ends[i]["ts"]) > float(ends[0]["ts"]):
                    break
                same_ts.append(i)
            pick = next((i for i in same_ts if key(ends[i]) == key(top)), None)
            if pick is None:
                pick = next((i for i in same_ts if ends[i].get("name") == top.get("name")), None)
            if pick is not None:
                ends[0], ends[pick] = ends[pick], ends[0]
        e = ends.pop(0)
        if not stack:
            raise Bad("lane %s: speedscope: E %r at ts %s with nothing open, expected a "
                      "B before it" % (lane, e.get("name"), e["ts"]))
        top = stack[-1]
        if e.get("name") != top.get("name"):
            raise Bad("lane %s: speedscope: E %r at ts %s would end %r, the top of its "
                      "stack; expected an E named as the innermost open B"
                      % (lane, e.get("name"), e["ts"], top.get("name")))
        if key(e) != key(top):
            raise Bad("lane %s: speedscope: E %r at ts %s has other args than its B, "
                      "expected the same" % (lane, e.get("name"), e["ts"]))
        stack.pop()
        out.append(("leave", top.get("name"), float(e["ts"])))
    if stack:
        raise Bad("lane %s: speedscope: %d frames still open at the end (innermost %r), "
                  "expected every B closed" % (lane, len(stack), stack[-1].get("name")))
    return out


def file_frames(lane, events, cum):
    """The stacks in the file's order; adds each function's outermost
    frames' time to cum[name]."""
    stack, out, last = [], [], None
    for e in events:
        ph, ts = e["ph"], float(e["ts"])
        if ph == "X":
            raise Bad("lane %s: X event %r at ts %s among B/E events, expected one kind "
                      "per lane" % (lane, e.get("name"), ts))
        if last is not None and ts <= last:
            raise Bad("lane %s: %s %r at ts %s after ts %s, expected times rising strictly "
                      "along a lane" % (lane, ph, e.get("name"), ts, last))
        last = ts
        if ph == "B":
            if not e.get("name"):
                raise Bad("lane %s: B at ts %s has no name, expected one" % (lane, ts))
            stack.append((e["name"], ts))
            out.append(("enter", e["name"], ts))
            continue
        if "name" not in e:
            raise Bad("lane %s: E at ts %s has no name, expected the name of the B it "
                      "closes" % (lane, ts))
        if not stack:
            raise Bad("lane %s: E %r at ts %s with nothing open, expected a B before it"
                      % (lane, e["name"], ts))
        name, start = stack.pop()
        if e["name"] != name:
            raise Bad("lane %s: E %r at ts %s closes B %r, expected the innermost open "
                      "frame's name" % (lane, e["name"], ts, name))
        if all(n != name for n, _ in stack):
            cum[name] += ts - start
        out.append(("leave", name, ts))
    if stack:
        raise Bad("lane %s: %d B events never closed (innermost %r), expected an E each"
                  % (lane, len(stack), stack[-1][0]))
    return out


def check(path):
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    if not isinstance(events, list):
        raise Bad("no traceEvents array")
    lanes, names = defaultdict(list), {}
    counters, spans, frames = 0, [], 0
    opened = {}
    for e in events:
        ph = e.get("ph")
        if ph in ("B", "E", "X"):
            for field in ("pid", "tid", "ts"):
                if not isinstance(e.get(field), (int, float)):
                    raise Bad("%s event %r without a numeric %s" % (ph, e.get("name"), field))
            lanes[(e["pid"], e["tid"])].append(e)
            if ph == "X" and e.get("cat") == "slowlog":
                spans.append((e.get("cat"), e.get("name"), e["pid"], e["tid"],
                              float(e["ts"]), float(e.get("dur", 0))))
        elif ph in ("b", "e"):
            k = (e.get("pid"), e.get("cat"), e.get("id"))
            if e.get("id") is None:
                raise Bad("async %s event %r at ts %s has no id, expected one"
                          % (ph, e.get("name"), e.get("ts")))
            if ph == "b":
                if k in opened:
                    raise Bad("async b %r id %s begins again before its e" % (e.get("name"), k[2]))
                opened[k] = e
            else:
                b = opened.pop(k, None)
                if b is None:
                    raise Bad("async e %r id %s at ts %s has no b before it"
                              % (e.get("name"), k[2], e.get("ts")))
                if b.get("name") != e.get("name") or float(e["ts"]) < float(b["ts"]):
                    raise Bad("async e %r id %s at ts %s does not match b %r at ts %s, "
                              "expected the same name and a later time"
                              % (e.get("name"), k[2], e["ts"], b.get("name"), b["ts"]))
                spans.append((b.get("cat"), b.get("name"), b["pid"], e.get("tid", b.get("tid")),
                              float(b["ts"]), float(e["ts"]) - float(b["ts"])))
        elif ph == "M" and e.get("name") == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
        elif ph == "C":
            counters += 1
    if opened:
        k, b = next(iter(opened.items()))
        raise Bad("async b %r id %s at ts %s never ends, expected an e" % (b.get("name"), k[2], b["ts"]))
    facts, cums = [], []
    for lane in sorted(lanes):
        evs = lanes[lane]
        name = "%d/%d" % lane
        if all(e["ph"] == "X" for e in evs):
            seq = speedscope_frames(name, evs)
        else:
            cum = defaultdict(float)
            seq = file_frames(name, evs, cum)
            if speedscope_frames(name, evs) != seq:
                raise Bad("lane %s: speedscope would build other stacks than the file's "
                          "order, expected the same" % name)
            for fn in sorted(cum):
                cums.append("cum=%d %d %s %.3f" % (lane[0], lane[1], fn, cum[fn]))
        frames += sum(1 for s in seq if s[0] == "enter")
        facts.append("lane=%d %d %s" % (lane[0], lane[1],
                                       names.get(lane, "-").replace(" ", "_")))
    print("lanes=%d" % len(lanes))
    print("\n".join(facts + cums) if facts else "", end="\n" if facts else "")
    print("counters=%d" % counters)
    for s in spans:
        print("span=%s %s %d %d %.3f %.3f" % s)
    print("frames=%d" % frames)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: trace_check.py FILE")
    try:
        check(sys.argv[1])
    except (Bad, OSError, ValueError, KeyError, TypeError) as err:
        sys.exit("%s: %s" % (sys.argv[1], err))


if __name__ == "__main__":
    main()
