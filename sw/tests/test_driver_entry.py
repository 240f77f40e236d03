"""The used-bits entry update rule (driver/entry.py) on a synthetic 4-word entry."""

import asyncio

from pasidsim.driver.entry import EntryWriter

V = 1


def used(words):
    """Toy format: word0 bit0 = V, bits[3:1] = cfg. cfg 1 uses word1 only, cfg 2 uses words 1+2,
    word3 is never used."""
    if not words[0] & V:
        return [V, 0, 0, 0]
    cfg = (words[0] >> 1) & 7
    m = (1 << 64) - 1
    return [0xF, m if cfg in (1, 2) else 0, m if cfg == 2 else 0, 0]


class Mem:
    def __init__(self):
        self.d = {}

    def read64(self, a):
        return self.d.get(a, 0)

    def write64(self, a, v):
        self.d[a] = v


def run(cur, target):
    mem = Mem()
    for i, w in enumerate(cur):
        mem.write64(0x100 + 8 * i, w)
    views = []
    w = EntryWriter(mem, 0x100, 4, used, V, sync=lambda: _record(views, w))
    kind = asyncio.run(w.write(target))
    assert w.read() == list(target)
    return kind, w.steps


async def _record(views, w):
    views.append(w.read())


def interp(words):
    """What the hardware would use: only the used bits."""
    u = used(words)
    return tuple(w & m for w, m in zip(words, u))


def test_invalid_to_valid_two_words_sets_v_last():
    kind, steps = run([0, 0, 0, 0], [V | 2 << 1, 0xAA, 0xBB, 0])
    # An invalid entry uses only V, so words 1..3 are filled in first and V=1 comes last.
    assert kind == "hitless" and len(steps) == 2
    assert all(not s[0] & V for s in steps[:-1])
    assert steps[-1][0] & V


def test_hitless_single_word():
    old = [V | 1 << 1, 0x11, 0, 0]
    new = [V | 1 << 1, 0x22, 0, 0]
    kind, steps = run(old, new)
    assert kind == "hitless" and len(steps) == 1
    assert {interp(s) for s in steps} <= {interp(old), interp(new)}


def test_hitless_when_other_words_unused_by_current():
    # cfg1 -> cfg2: word2 is unused by cfg1, so it is written first, then word0 flips config.
    old = [V | 1 << 1, 0x11, 0, 0]
    new = [V | 2 << 1, 0x11, 0x33, 0]
    kind, steps = run(old, new)
    assert kind == "hitless"
    # Every intermediate state is interpreted as old or new, never a mix.
    assert all(interp(s) in (interp(old), interp(new)) for s in steps)


def test_breaking_when_two_used_words_change():
    old = [V | 2 << 1, 0x11, 0x22, 0]
    new = [V | 2 << 1, 0x33, 0x44, 0]
    kind, steps = run(old, new)
    assert kind == "breaking"
    for s in steps:
        assert interp(s) in (interp(old), interp(new)) or not s[0] & V


def test_nop():
    assert run([V, 0, 0, 0], [V, 0, 0, 0]) == ("nop", [])
