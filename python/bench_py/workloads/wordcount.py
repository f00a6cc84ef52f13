"""wordcount - word count as map-reduce, in two stages run one after the
other in the same mode, as bench's C (bench/workloads/wordcount.c):

  map     one task per --chunk blocks of about 256 KiB (each ending
          between words): the words counted with collections.Counter (the
          combiner), then shuffled into PARTITIONS dicts by a stable hash
          of the word (zlib.crc32, as Hadoop's partitioner hashes a key);
  reduce  one task per partition: its dicts from every map task summed,
          each word folded into the result.

A word is a run of ASCII letters, lowercased (`tr -cs A-Za-z '\\n'`):
re.findall(rb"[a-z]+") over the block's bytes.lower(), which lowers only
ASCII, as the C's table does. The text is the --input file, read whole in
prepare() as the C reads it, or the text `bench gen text` writes for the
seed (gen.c's generator, ported below, byte for byte).

The shuffle travels as the map tasks' partials: a process pool pickles
them back to the parent, whose merge files them by partition, and stage()
hands them to the reduce stage before its pool forks, so its workers read
them copy-on-write. The result (words, distinct words, and a sum over
words of a hash of the word and its count) is the C's, whatever the
chunk, mode or worker count.
"""
import os
import re
import stat
import zlib
from collections import Counter

from .. import rng
from . import input_file

NAME = "wordcount"
SUMMARY = "word count as map-reduce: map, shuffle by key hash, reduce"
OPTIONS = {"input": None}
WAITS = False
DEPS = False
STAGES = 2
BLOCK = 256 << 10
PARTITIONS = 64
WORD = re.compile(rb"[a-z]+")
NOT_LETTER = re.compile(rb"[^A-Za-z]")
M64 = rng.M64

# ---- the generator (gen.c's put_text_line) ----------------------------

# Most frequent first: rank k is drawn with weight 1 / (k + 1) (Zipf).
WORDS = """the of and to a in is it that was for on are with as he be at by
this had not but from or have an they which one you were her all she there
would their we him been has when who will more no if out so said what up its
about into than them can only other new some could time these two may then do
first any my now such like our over man me even most made after also did many
before must through back years where much your way well down should because
each just those people how too little state good very make world still own
see men work long get here between both life being under never day same
another know while last might us great old year off come since against go
came right used take three data file line parallel process thread worker
queue batch event stream memory disk python spark pipeline generator lazy
filter group merge result error river mountain window garden letter morning
evening silver winter summer quickly slowly quietly bright dark heavy gentle
ancient modern strange café naïve résumé façade jalapeño über smörgåsbord
crème fiancée déjà""".encode().split()
# As written: plain, capitalised (the first byte, if a letter), shouted.
FORMS = [(w, w[:1].upper() + w[1:], w.upper()) for w in WORDS]
ENDS = (b".", b".", b".", b".", b".", b"!", b"?")


def _word_of():
    """The rank of each 16-bit draw: rank k owns a share of the 65536
    slots proportional to 1 / (k + 1), cut where gen.c cuts (the same
    double arithmetic)."""
    total = 0.0
    for k in range(len(WORDS)):
        total += 1.0 / (k + 1)
    table = bytearray(1 << 16)
    acc, slot = 0.0, 0
    for k in range(len(WORDS)):
        acc += 1.0 / (k + 1)
        end = len(table) if k + 1 == len(WORDS) else int(acc / total * len(table))
        if end > slot:
            table[slot:end] = bytes([k]) * (end - slot)
            slot = end
    return bytes(table)


WORD_OF = _word_of()


def _text_line(seed, i):
    """Line i of the generated text: 10 to 15 words, a sentence's first
    capitalised, now and then one shouted, commas and ends between."""
    r = rng.Stream(seed, i)
    n = r.range(10, 15)
    words, start = [], True
    for k in range(n):
        x = r.next()  # the word from the top 16 bits, its style from the low 32
        plain, capital, shout = FORMS[WORD_OF[x >> 48]]
        style = ((x & 0xFFFFFFFF) * 100) >> 32
        word = shout if style < 2 else capital if start or style < 7 else plain
        start = False
        if k + 1 == n:
            word += ENDS[r.range(0, len(ENDS) - 1)]
        elif style >= 90:
            word += b","
        elif style >= 85:
            word += b"?" if style == 85 else b"."
            start = True
        words.append(word)
    return b" ".join(words) + b"\n"


def generate(seed, lines):
    """The first `lines` lines of generated text, as bytes (bench gen text)."""
    return b"".join(_text_line(seed, i) for i in range(lines))


# ---- the input --------------------------------------------------------

class State:
    def __init__(self, text, path=None, fd=None, stamp=None):
        self.text = text
        self.path, self.fd, self.stamp = path, fd, stamp  # an --input file
        self.starts = _cut(text)   # block b is text[starts[b]:starts[b + 1]]
        self.stage = 0
        self.shuffle = None        # for the reduce: each partition's dicts


def _cut(text):
    """Block boundaries: every BLOCK bytes, moved on to just after the
    next byte that is not a letter, so that no word is cut."""
    starts, at = [], 0
    while at < len(text):
        starts.append(at)
        at += BLOCK
        if at < len(text):
            m = NOT_LETTER.search(text, at - 1)
            at = m.end() if m else len(text)
    starts.append(len(text))
    return starts


def prepare(size, seed, opts):
    path = opts["input"]
    if path is None:
        return State(generate(seed, size))
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError("wordcount: %s is not a regular file: expected a text file" % path)
    stamp = input_file.stamp(fd)
    with open(fd, "rb", closefd=False) as f:
        text = f.read()
    if len(text) != stamp[0] or input_file.stamp(fd) != stamp:
        raise OSError("wordcount: input '%s' changed while it was read" % path)
    return State(text, path, fd, stamp)


def stage(state, k, acc):
    """Before stage k: the map (0), or the reduce (1) of the shuffle that
    the map's merged result holds."""
    state.stage = k
    state.shuffle = acc.parts if k else None


def count(state):
    return len(state.starts) - 1 if state.stage == 0 else PARTITIONS


# ---- the stages -------------------------------------------------------

class Result:
    """A map task's shuffled counts (parts: a list of dicts, or of lists
    of dicts once merged, per partition), or a reduce's fold."""

    __slots__ = ("parts", "words", "distinct", "sum")

    def __init__(self, parts=None, words=0, distinct=0, s=0):
        self.parts = parts
        self.words, self.distinct, self.sum = words, distinct, s

    def __reduce__(self):  # pickled back from a process pool
        return (Result, (self.parts, self.words, self.distinct, self.sum))


def init():
    return Result([[] for _ in range(PARTITIONS)])


def _map(state, first, count):
    text = state.text[state.starts[first]:state.starts[first + count]]
    words = Counter(WORD.findall(text.lower()))
    parts = [{} for _ in range(PARTITIONS)]
    crc32 = zlib.crc32
    for word, n in words.items():
        parts[crc32(word) % PARTITIONS][word] = n
    return Result(parts)


def word_hash(word):
    """The C's word_hash: FNV-1a over the lowercase word, mixed."""
    h = 0xCBF29CE484222325
    for byte in word:
        h = ((h ^ byte) * 0x100000001B3) & M64
    return rng.mix64(h)


def _reduce(state, first, count):
    r = Result()
    mix64 = rng.mix64
    for p in range(first, first + count):
        total = Counter()
        for part in state.shuffle[p]:
            total.update(part)
        r.words += sum(total.values())
        r.distinct += len(total)
        r.sum += sum(mix64(word_hash(w) ^ mix64(n)) for w, n in total.items())
    r.sum &= M64
    return r


def run(state, first, count):
    return (_map if state.stage == 0 else _reduce)(state, first, count)


def merge(acc, p):
    if p.parts is not None:  # a map task's: filed by partition
        for mine, theirs in zip(acc.parts, p.parts):
            mine.append(theirs)
    acc.words += p.words
    acc.distinct += p.distinct
    acc.sum = (acc.sum + p.sum) & M64
    return acc


def checksum(acc):
    # wc_checksum: distinct words as the items, the words in the sum.
    f = rng.Fold(acc.distinct, acc.sum, 0)
    f.sum = (f.sum + rng.mix64(acc.words ^ rng.GOLDEN)) & M64
    return f.checksum()


def check(state, acc):
    """wc_check: an --input file unchanged since it was read."""
    if state.fd is None:
        return None
    return input_file.changed(NAME, state.path, state.fd, state.stamp)


def show_all(state, limit):
    """The top `limit` words, "count word", most frequent first, ties in
    byte order (wc_show_all's order), counted over the whole text."""
    stage(state, 0, None)
    words = Counter(WORD.findall(state.text.lower()))
    top = sorted(words.items(), key=lambda wn: (-wn[1], wn[0]))[:limit]
    return ["%d %s" % (n, w.decode("ascii")) for w, n in top]
