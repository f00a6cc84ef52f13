"""events - the course's first program (lesson 1): a JSON Lines file read
lazily, filtered by event_type, batched, and processed in parallel; for
each kept event the CPU-bound step, SHA-256 of its event_id.

As bench's C (bench/workloads/events.c): item i is line i of the --input
file, or of the events `bench gen events` writes for the seed (gen.c's
generator, ported below, byte for byte). prepare() only finds where each
line starts (untimed, 8 bytes a line); a task is a batch of --chunk line
numbers and reads its own lines (os.pread, at most 1 MiB at a time), so
nothing but line numbers and the partial results crosses to a worker, and
a line longer than 1 MiB is counted bad without ever being read. Each line
is json.loads'ed; the result folds each kept event's digest with its line
number, and counts the lines and the bad ones (blank, malformed JSON,
invalid UTF-8, not an object, no event_type or not a string, too long).

The one thing to know: a line's verdict must be simdjson's, the C side's
parser, and json.loads accepts what simdjson refuses (NaN and Infinity,
numbers beyond 64 bits, lone surrogates such as "\\ud800", nesting deeper
than 1024) and names failures otherwise. A line that json.loads takes,
with hooks that refuse NaN and numbers beyond 64 bits, and that holds no
\\uD escape, is simdjson's too: that is the common case. Any other line
is judged by _careful(), which replays simdjson's order of checks (stage
1: an unclosed string, a raw control character in a string, a blank
line, UTF-8; stage 2, left to right: syntax, strings, numbers, depth)
and, where simdjson says NUMBER_ERROR, Jansson's, as jsonl.cc does to
tell a number beyond 64 bits from a malformed one. An event_id that is
neither a string nor an integer is minified as simdjson does, doubles by
Grisu2 as simdjson 3.0 prints them.
"""
import bisect
import datetime
import hashlib
import json
import math
import os
import re
import stat
import struct
from array import array
from itertools import accumulate, count as counter
from operator import add

from .. import rng
from . import input_file

NAME = "events"
SUMMARY = "JSON Lines events read lazily, filtered by type, batched, SHA-256 of kept ids"
OPTIONS = {"input": None, "type": "purchase", "strict": 0}
WAITS = False
DEPS = False

LINE_MAX = 1 << 20   # longer lines are bad, never read
PIECE = 1 << 20      # bytes a task reads at a time
DEPTH_MAX = 1024     # simdjson's: open non-empty arrays and objects
TYPE_MAX = 256

# bench__jsonl_status, and bench__jsonl_reason's words for them.
(OK, BLANK, MALFORMED, UTF8, NOT_OBJECT, NO_TYPE, TYPE_NOT_STRING, RANGE,
 DEPTH, TOO_LONG) = range(10)
REASON = ("ok", "blank line", "malformed JSON", "invalid UTF-8",
          "not a JSON object", "no event_type", "event_type is not a string",
          "number beyond 64 bits", "nested deeper than 1024 levels",
          "line longer than 1 MiB")

# ---- the generator (gen.c's put_event) --------------------------------

EPOCH_MS = 1704067200 * 1000   # 2024-01-01T00:00:00Z
STEP_MS = 100
PAGES = ("/", "/search", "/cart", "/checkout", "/account", "/help/returns",
         "/blog/how-we-ship", "/category/shoes", "/category/kitchen")
NOTES = ("", "ok", "fast delivery", "gift for mom", "second try",
         "will order again", "size runs small", "no comment",
         'she said "great" twice', 'the "best" mug',
         "saved to C:\\Users\\ana\\cart.txt", "regex \\d+ failed",
         "line one\nline two", "col1\tcol2\tcol3", "bell\x07ringing",
         "café au lait", "Ünïcödé everywhere", "日本から注文", "naïve résumé",
         "Привет, мир", "price in €, not $", "thumbs up 👍")
OSES = ("android", "ios", "windows", "macos", "linux")
CAMPAIGNS = ("spring_sale", "newsletter-2024-03", 'retarget "lapsed"',
             "black_friday", "partner/ü-mail")
# gen.c writes its strings as json.dumps does: as they are, or (one line
# in 8) with ensure_ascii.
PAGE_JSON = [json.dumps(p, ensure_ascii=False) for p in PAGES]
NOTE_JSON = ([json.dumps(s, ensure_ascii=False) for s in NOTES],
             [json.dumps(s) for s in NOTES])
CAMPAIGN_JSON = ([json.dumps(s, ensure_ascii=False) for s in CAMPAIGNS],
                 [json.dumps(s) for s in CAMPAIGNS])
EVENT = ('{"event_id": %d, "user_id": %d, "event_type": "%s", '
         '"ts": "%sT%02d:%02d:%02d.%03dZ", "payload": {"page": %s, '
         '"items": [%s], "device": {"os": "%s", "mobile": %s}, "note": %s}%s}\n')
ITEM = '{"sku": "SKU-%05d", "price": %d.%02d, "qty": %d}'
GEN_LINES = 1 << 16  # lines encoded at a time


def _event(seed, i, dates):
    """Line i of the generated events, as text: every draw in gen.c's
    order, from item i's stream."""
    r = rng.Stream(seed, i).range
    pct = r(0, 99)
    kind = ("click" if pct < 60 else "view" if pct < 85 else
            "purchase" if pct < 95 else "signup")
    nitems = r(1, 4) if kind == "purchase" else r(0, 2)
    as_ascii = r(0, 7) == 0
    u = r(0, 999)
    user = 1 + u * u // 10 + r(0, 99)
    s, ms = divmod(EPOCH_MS + i * STEP_MS + r(0, STEP_MS - 1), 1000)
    day, sod = divmod(s, 86400)
    date = dates.get(day)
    if date is None:
        date = dates[day] = datetime.date.fromordinal(719163 + day).isoformat()
    k = r(0, len(PAGES))
    page = '"/product/%d"' % r(1, 50000) if k == len(PAGES) else PAGE_JSON[k]
    items = []
    for _ in range(nitems):
        cents = r(99, 49999)
        sku = r(0, 99999)
        items.append(ITEM % (sku, cents // 100, cents % 100, r(1, 3)))
    os_name = OSES[r(0, len(OSES) - 1)]
    mobile = "true" if r(0, 1) else "false"
    note = NOTE_JSON[as_ascii][r(0, len(NOTES) - 1)]
    extra = (', "campaign": %s' % CAMPAIGN_JSON[as_ascii][r(0, len(CAMPAIGNS) - 1)]
             if r(0, 19) == 0 else "")
    return EVENT % (i, user, kind, date, sod // 3600, sod // 60 % 60, sod % 60,
                    ms, page, ", ".join(items), os_name, mobile, note, extra)


def generate(seed, lines):
    """The first `lines` generated events, as bytes (bench gen events)."""
    dates = {}
    return b"".join(
        "".join(_event(seed, i, dates)
                for i in range(lo, min(lo + GEN_LINES, lines))).encode()
        for lo in range(0, lines, GEN_LINES))


# ---- the input --------------------------------------------------------

class State:
    def __init__(self, path, read, starts, kind, strict, fd=None, stamp=None):
        self.path = path        # for messages
        self.read = read        # read(offset, length) -> bytes
        self.starts = starts    # line i is bytes [starts[i], starts[i + 1] - 1)
        self.type = kind        # the event_type kept
        self.strict = strict
        self.fd, self.stamp = fd, stamp  # an --input file, as prepared


def _line_starts(blocks):
    """Where each line starts, from the input's bytes block by block, and
    one entry more, one past the end of the last line (as if it ended in a
    newline, which an unterminated last line does not need)."""
    starts = array("q", [0])
    pos = 0
    for block in blocks:
        # After the k-th newline of a block at pos: pos + the lengths of
        # parts 0..k + k + 1.
        parts = block.split(b"\n")
        starts.extend(map(add, accumulate(map(len, parts[:-1])), counter(pos + 1)))
        pos += len(block)
    if pos > starts[-1]:
        starts.append(pos + 1)
    return starts


def prepare(size, seed, opts):
    kind, path = opts["type"], opts["input"]
    if not 0 < len(os.fsencode(kind)) < TYPE_MAX:
        raise ValueError("--type '%s': expected an event type of 1 to %d bytes"
                         % (kind, TYPE_MAX - 1))
    if path is None:
        data = generate(seed, size)
        blocks = (data[o:o + PIECE] for o in range(0, len(data), PIECE))
        return State("generated events", lambda off, n: data[off:off + n],
                     _line_starts(blocks), kind, opts["strict"])
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError("events: %s is not a regular file: expected a JSON Lines file" % path)
    with open(fd, "rb", closefd=False) as f:
        starts = _line_starts(iter(lambda: f.read(PIECE), b""))
    return State(path, lambda off, n: os.pread(fd, n, off), starts, kind,
                 opts["strict"], fd, input_file.stamp(fd))


def count(state):
    return len(state.starts) - 1


def _lines(state, first, count):
    """Lines first .. first + count - 1, each as bytes without its newline,
    or None for a line too long to read; read at most PIECE bytes at a
    time (a longer line that is not too long, alone)."""
    starts, end, i = state.starts, first + count, first
    while i < end:
        lo = starts[i]
        j = bisect.bisect_right(starts, lo + PIECE, i + 1, end + 1) - 1
        if j == i:
            if starts[i + 1] - 1 - lo > LINE_MAX:
                yield None
                i += 1
                continue
            j = i + 1
        lines = state.read(lo, starts[j] - lo).split(b"\n")
        if len(lines) > j - i:  # the piece ends with a newline
            lines.pop()
        yield from lines
        i = j


# ---- a line's verdict: the fast path ----------------------------------

def _int(text):
    """json's parse_int: simdjson takes integers in [-2**63, 2**64)."""
    if len(text) > 19 and (len(text) > 21 or not -2**63 <= int(text) < 2**64):
        raise ValueError("beyond 64 bits")
    return int(text)


def _float(text):
    """json's parse_float: simdjson refuses what overflows a double."""
    v = float(text)
    if math.isinf(v):
        raise ValueError("beyond 64 bits")
    return v


def _constant(text):
    raise ValueError("%s is not JSON" % text)


_decode = json.JSONDecoder(parse_int=_int, parse_float=_float,
                           parse_constant=_constant).decode


def _parses_deeper():
    """Whether this interpreter's json parses nesting deeper than simdjson
    allows (3.12 and later; 3.11's recursion limit stops it first)."""
    try:
        _decode("[" * (DEPTH_MAX + 1) + "]" * (DEPTH_MAX + 1))
    except RecursionError:
        return False
    return True


_DEEP = _parses_deeper()


def classify(line):
    """A line's status, and its object when OK (its event_type a str)."""
    if line is None:
        return TOO_LONG, None
    try:
        ev = _decode(line.decode())
    except (ValueError, RecursionError):  # UnicodeDecodeError included
        return _careful(line)[:2]
    # Surrogate escapes, which json.loads takes alone (\ud800), and
    # nesting simdjson refuses: the careful path's.
    if (b"\\ud" in line or b"\\uD" in line or
            _DEEP and line.count(b"[") + line.count(b"{") >= DEPTH_MAX):
        return _careful(line)[:2]
    return _event_status(ev)


def _event_status(ev):
    if type(ev) is not dict:
        return NOT_OBJECT, None
    kind = ev.get("event_type", _MISSING)
    if kind is _MISSING:
        return NO_TYPE, None
    if type(kind) is not str:
        return TYPE_NOT_STRING, None
    return OK, ev


_MISSING = object()


def id_text(ev, line):
    """event_id as jsonl.cc's bytes: an integer in decimal, a string as
    it is, anything else as simdjson minifies it; b"" when absent."""
    v = ev.get("event_id", _MISSING)
    if type(v) is str:
        return v.encode()
    if type(v) is int:
        return b"%d" % v
    if v is _MISSING:
        return b""
    if type(v) is float:
        return _double(v).encode()
    if v is None or v is True or v is False:
        return json.dumps(v).encode()
    # An array or object: from the line's tokens, so that a key given
    # twice is minified twice, as simdjson keeps it.
    return _careful(line)[2]


def _double(x):
    """simdjson's text of a double (internal::to_chars): Grisu2's digits,
    laid out as printf's %g would, in fixed point from 1e-4 up to 1e15,
    always with a '.' or an exponent."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    digits, exp = _grisu2(abs(x))
    s = "".join(map(str, digits))
    sign = "-" if x < 0 else ""
    k, n = len(s), len(s) + exp   # x = 0.s * 10**n
    if k <= n <= 15:
        return sign + s + "0" * (n - k) + ".0"
    if 0 < n <= 15:
        return sign + s[:n] + "." + s[n:]
    if -4 < n <= 0:
        return sign + "0." + "0" * -n + s
    return "%s%s%se%+03d" % (sign, s[0], "." + s[1:] if k > 1 else "", n - 1)


def _power(k):
    """10**k as a 64-bit significand f and exponent e, f * 2**e rounded to
    nearest: Grisu2's cached powers (its table of 79, computed)."""
    if k >= 0:
        v = 10 ** k
        e = v.bit_length() - 64
        f = (v + (1 << (e - 1))) >> e if e > 0 else v << -e
    else:
        d = 10 ** -k
        e = -(63 + d.bit_length())
        f = ((1 << -e) + d // 2) // d
    return (f >> 1, e + 1) if f >> 64 else (f, e)


_POWERS = [_power(k) + (k,) for k in range(-300, 325, 8)]


def _grisu2(x):
    """(digits, exponent), x = digits * 10**exponent, as Grisu2 finds them
    (Loitsch's, through nlohmann/json into simdjson 3.0): the digits that
    read back as x, shortest almost always; where they are not (about one
    double in 300), repr's would print another event_id than the C does.
    x is finite and positive; arithmetic is on 64-bit significands."""
    bits = int.from_bytes(struct.pack("<d", x), "little")
    E, F = bits >> 52, bits & ((1 << 52) - 1)
    vf, ve = (F, -1074) if E == 0 else (F | 1 << 52, E - 1075)
    pf, pe = 2 * vf + 1, ve - 1                     # the upper boundary
    mf, me = (4 * vf - 1, ve - 2) if F == 0 and E > 1 else (2 * vf - 1, ve - 1)
    shift = 64 - pf.bit_length()
    pf, pe = pf << shift, pe - shift
    mf = mf << (me - pe)
    shift = 64 - vf.bit_length()
    vf, ve = vf << shift, ve - shift
    # The cached power c ~ 10**-k that brings the upper boundary's
    # exponent into [-60, -32] (C's division truncates).
    f = -61 - pe
    k = (abs(f) * 78913 >> 18) * (1 if f >= 0 else -1) + (f > 0)
    cf, ce, ck = _POWERS[(300 + k + 7) // 8]

    def mul(a):  # the upper 64 bits of a * cf, rounded
        return (a * cf + (1 << 63)) >> 64

    e = pe + ce + 64
    w, lo, hi = mul(vf), mul(mf) + 1, mul(pf) - 1
    delta, dist, one = hi - lo, hi - w, 1 << -e
    p1, p2 = hi >> -e, hi & (one - 1)
    digits, exp = [], -ck
    pow10 = 10 ** (len(str(p1)) - 1)
    while pow10:
        d, p1 = divmod(p1, pow10)
        digits.append(d)
        rest = (p1 << -e) + p2
        if rest <= delta:
            exp += len(str(pow10)) - 1
            _round(digits, dist, delta, rest, pow10 << -e)
            return digits, exp
        pow10 //= 10
    while True:
        p2 *= 10
        digits.append(p2 >> -e)
        p2 &= one - 1
        exp -= 1
        delta *= 10
        dist *= 10
        if p2 <= delta:
            _round(digits, dist, delta, p2, one)
            return digits, exp


def _round(digits, dist, delta, rest, ten_k):
    """grisu2_round: the last digit down while that brings it closer."""
    while (rest < dist and delta - rest >= ten_k and
           (rest + ten_k < dist or dist - rest > rest + ten_k - dist)):
        digits[-1] -= 1
        rest += ten_k


# ---- a line's verdict: simdjson's order of checks ---------------------

_QUOTE = re.compile(rb'\\.|"', re.S)   # a backslash escapes any next byte
_CONTROL = re.compile(rb"[\x00-\x1f]")
_TOKEN = re.compile(r'[{}\[\]:,]|"(?:[^"\\]|\\.)*"|[^ \t\n\r{}\[\]:,"]+', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_JANSSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]*)?")
_JANSSON_SPACE = re.compile(r"[ \t\n\r]*")
_JANSSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JANSSON_WORD = re.compile(r"[A-Za-z]+")
JANSSON_DEPTH = 2048   # JSON_PARSER_MAX_DEPTH
_SURROGATE = re.compile("[\ud800-\udfff]")
_ATOMS = {"true": True, "false": False, "null": None}


class _Fail(Exception):
    """The first error of a parse: its status (RANGE from simdjson's
    walk: NUMBER_ERROR, which Jansson decides)."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def _careful(line):
    """(status, object when OK, event_id's minified text) as jsonl.cc
    would say them; only for the lines the fast path cannot vouch for."""
    # Stage 1, on the bytes: strings closed, no raw control character in
    # one, something there, valid UTF-8.
    quotes = [m.start() for m in _QUOTE.finditer(line) if m.group() == b'"']
    if len(quotes) % 2:
        return MALFORMED, None, b""
    for a, b in zip(quotes[::2], quotes[1::2]):
        if _CONTROL.search(line, a, b):
            return MALFORMED, None, b""
    if not line.strip(b" \t\r\n"):
        return BLANK, None, b""
    try:
        text = line.decode()
    except UnicodeDecodeError:
        return UTF8, None, b""
    # Stage 2, on the tokens, left to right. A number or literal must end
    # at whitespace or an operator: one that runs into a quote is glued.
    toks, glued = [], set()
    for m in _TOKEN.finditer(text):
        toks.append(m.group())
        if text[m.end():m.end() + 1] == '"' and m.group()[0] != '"':
            glued.add(len(toks) - 1)
    try:
        value, spans = _walk(toks, glued)
    except _Fail as e:
        if e.status == RANGE:
            return _jansson(text), None, b""
        return e.status, None, b""
    status, ev = _event_status(value)
    ids = spans.get("event_id")
    return status, ev, _minify(toks[ids[0]:ids[1]]) if ids else b""


def _string(tok):
    """A string token's text, or _Fail: bad escapes, lone surrogates."""
    try:
        s = json.loads(tok)
    except ValueError:
        raise _Fail(MALFORMED) from None
    if _SURROGATE.search(s):  # json pairs the good ones; these are alone
        raise _Fail(MALFORMED)
    return s


def _scalar(toks, i, glued=()):
    tok = toks[i]
    c = tok[0]
    if c == '"':
        return _string(tok)
    if c in "-0123456789":
        m = _NUMBER.fullmatch(tok)
        if m is None or i in glued:
            raise _Fail(RANGE)  # NUMBER_ERROR: Jansson decides
        if m.group(1) or m.group(2):
            v = float(tok)
            if math.isinf(v):
                raise _Fail(RANGE)
            return v
        if len(tok) > 21 or not -2**63 <= int(tok) < 2**64:
            raise _Fail(RANGE)
        return int(tok)
    if tok in _ATOMS and i not in glued:
        return _ATOMS[tok]
    raise _Fail(MALFORMED)


def _walk(toks, glued):
    """simdjson's stage 2 over a line's tokens, without recursion: the
    value, and where each top-level key's value lies (tokens [a, b)),
    or _Fail at the first error."""
    n = len(toks)
    first, last = toks[0], toks[-1]
    if first == "{" and last != "}" or first == "[" and last != "]":
        raise _Fail(MALFORMED)  # "starting brace unmatched", checked first
    stack = []   # [container, key] of each open array or object
    spans, start = {}, 0
    i, value, expect = 0, None, "value"
    while True:
        if expect == "key":
            if i + 1 >= n or toks[i][0] != '"' or toks[i + 1] != ":":
                raise _Fail(MALFORMED)
            stack[-1][1] = _string(toks[i])
            i += 2
            if len(stack) == 1:
                start = i
            expect = "value"
            continue
        if expect == "value":
            if i >= n:
                raise _Fail(MALFORMED)
            tok = toks[i]
            if tok in ("{", "["):
                close = "}" if tok == "{" else "]"
                if i + 1 < n and toks[i + 1] == close:  # empty: no depth
                    value = {} if tok == "{" else []
                    i += 2
                else:
                    if len(stack) + 1 >= DEPTH_MAX:
                        raise _Fail(DEPTH)
                    stack.append([{} if tok == "{" else [], None])
                    i += 1
                    expect = "key" if tok == "{" else "value"
                    continue
            else:
                value = _scalar(toks, i, glued)
                i += 1
        # A value is complete: into its container, then what follows.
        while True:
            if not stack:
                if i < n:
                    raise _Fail(MALFORMED)  # more after the document
                return value, spans
            top, key = stack[-1]
            if key is None:
                top.append(value)
            else:
                top[key] = value
                if len(stack) == 1:
                    spans[key] = (start, i)
            tok = toks[i] if i < n else None
            i += 1
            if tok == ",":
                expect = "key" if key is not None else "value"
                break
            if tok != ("}" if key is not None else "]"):
                raise _Fail(MALFORMED)
            stack.pop()
            value = top


def _jansson(text):
    """What jsonl.cc makes of simdjson's NUMBER_ERROR: it parses the line
    again with Jansson, and says RANGE when Jansson's first error is a
    number that overflows (an integer beyond int64, a real beyond a
    double), else MALFORMED, even if Jansson takes the line."""
    try:
        _jansson_parse(_jansson_tokens(text))
    except _Fail as e:
        return e.status
    return MALFORMED


def _jansson_tokens(text):
    """Jansson's lexer: operators, "s" a string, "v" a number or literal,
    "EOF"; _Fail at a token it refuses. Jansson refuses \\u0000 in a
    string, and ints outside int64; it puts back the character that ends
    a number or literal, and a NUL put back is lost, so skipped."""
    pos, n = 0, len(text)
    while True:
        pos = _JANSSON_SPACE.match(text, pos).end()
        if pos == n:
            yield "EOF"
            return
        c = text[pos]
        if c in "{}[]:,":
            pos += 1
            yield c
            continue
        if c == '"':
            m = _JANSSON_STRING.match(text, pos)
            if m is None or "\0" in _string(m.group()):
                raise _Fail(MALFORMED)
        elif c == "-" or "0" <= c <= "9":
            m = _JANSSON_NUMBER.match(text, pos)
            if (m is None or m.group(2) == "." or
                    m.group(3) and not m.group(3)[-1].isdigit() or
                    m.group(1) == "0" and "0" <= text[m.end(1):m.end(1) + 1] <= "9"):
                raise _Fail(MALFORMED)
            if m.group(2) or m.group(3):
                if math.isinf(float(m.group())):
                    raise _Fail(RANGE)
            elif len(m.group()) > 21 or not -2**63 <= int(m.group()) < 2**63:
                raise _Fail(RANGE)
        elif "a" <= c.lower() <= "z":
            m = _JANSSON_WORD.match(text, pos)
            if m.group() not in _ATOMS:
                raise _Fail(MALFORMED)
        else:
            raise _Fail(MALFORMED)
        pos = m.end()
        if c != '"' and text[pos:pos + 1] == "\0":
            pos += 1
        yield "s" if c == '"' else "v"


def _jansson_parse(toks):
    """Jansson's parser over its tokens, each lexed before its place is
    checked (so a bad token beats the grammar there); _Fail at its first
    error."""
    stack, tok = [], next(toks)
    while True:
        # A value starts at tok.
        if tok in ("{", "["):
            if len(stack) >= JANSSON_DEPTH:
                raise _Fail(MALFORMED)
            close = "}" if tok == "{" else "]"
            tok = next(toks)
            if tok != close:
                stack.append(close)
                if close == "}":
                    _jansson_key(tok, toks)
                    tok = next(toks)
                continue
        elif tok not in ("s", "v"):
            raise _Fail(MALFORMED)
        # A value is complete: what follows it.
        while True:
            tok = next(toks)
            if not stack:
                if tok != "EOF":
                    raise _Fail(MALFORMED)
                return
            if tok == stack[-1]:
                stack.pop()
                continue
            if tok != ",":
                raise _Fail(MALFORMED)
            tok = next(toks)
            if stack[-1] == "}":
                _jansson_key(tok, toks)
                tok = next(toks)
            break


def _jansson_key(tok, toks):
    if tok != "s" or next(toks) != ":":
        raise _Fail(MALFORMED)


def _minify(toks):
    """simdjson::minify of the value made of these tokens."""
    out = []
    for tok in toks:
        c = tok[0]
        if c == '"':
            out.append(json.dumps(json.loads(tok), ensure_ascii=False))
        elif c in "-0123456789":
            v = _scalar([tok], 0)
            out.append(_double(v) if type(v) is float else str(v))
        else:
            out.append(tok)
    return "".join(out).encode()


# ---- the workload -----------------------------------------------------

class Result:
    """Kept events folded (items, sum), lines seen, bad lines, and the
    first bad line (line number from 1, status) or None."""

    __slots__ = ("kept", "sum", "lines", "bad", "first_bad")

    def __init__(self, kept=0, s=0, lines=0, bad=0, first_bad=None):
        self.kept, self.sum, self.lines = kept, s, lines
        self.bad, self.first_bad = bad, first_bad

    def __reduce__(self):  # pickled back from a process pool
        return (Result, (self.kept, self.sum, self.lines, self.bad, self.first_bad))


def init():
    return Result()


def run(state, first, count):
    r = Result()
    want, sha256 = state.type, hashlib.sha256
    for i, line in enumerate(_lines(state, first, count), first):
        r.lines += 1
        status, ev = classify(line)
        if status:
            r.bad += 1
            if r.first_bad is None:
                r.first_bad = (i + 1, status)
        elif ev["event_type"] == want:
            digest = sha256(id_text(ev, line)).digest()
            r.sum = (r.sum + rng.fold_digests(i, [digest])) & rng.M64
            r.kept += 1
    return r


def merge(acc, p):
    acc.kept += p.kept
    acc.sum = (acc.sum + p.sum) & rng.M64
    acc.lines += p.lines
    acc.bad += p.bad
    if p.first_bad and (acc.first_bad is None or p.first_bad < acc.first_bad):
        acc.first_bad = p.first_bad
    return acc


def checksum(acc):
    # events_checksum: the bad lines and the lines count too.
    f = rng.Fold(acc.kept, acc.sum, acc.lines)
    f.sum = (f.sum + rng.mix64(acc.bad ^ rng.GOLDEN)
             + rng.mix64(acc.lines ^ 0xC2B2AE3D27D4EB4F)) & rng.M64
    return f.checksum()


def check(state, acc):
    """events_check: an --input file unchanged since prepare(), and with
    --strict, no bad line. A complaint, or None."""
    if state.fd is not None:
        why = input_file.changed(NAME, state.path, state.fd, state.stamp)
        if why:
            return why
    if state.strict and acc.bad:
        line, status = acc.first_bad
        return ("events: %s line %d: %s (--strict; %d bad line%s in all)"
                % (state.path, line, REASON[status], acc.bad, "" if acc.bad == 1 else "s"))
    return None


def _shown(text, most):
    """As printf's %.*s shows text: at most `most` bytes, up to a NUL."""
    return text[:most].split(b"\0", 1)[0].decode("utf-8", "replace")


def show_all(state, limit):
    """Each of the first `limit` lines' fate, as events_show_all prints it."""
    for i, line in enumerate(_lines(state, 0, min(limit, count(state)))):
        status, ev = classify(line)
        if status:
            yield "%d bad %s" % (i + 1, REASON[status])
        elif ev["event_type"] != state.type:
            yield "%d skipped %s" % (i + 1, _shown(ev["event_type"].encode(), 64))
        else:
            text = id_text(ev, line)
            yield "%d kept %s %s" % (i + 1, _shown(text, 256),
                                     hashlib.sha256(text).hexdigest())
