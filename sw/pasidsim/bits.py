"""Bit-field helpers shared by every format definition.

A `Field` names a bit range inside one 64-bit word of a multi-word little-endian
structure. Two flavours:

* value fields: `get` returns the bits shifted down to bit 0 (``word[msb:lsb]``);
* address fields (``addr=True``): the value keeps its bit positions, as SMMUv3
  pointer fields do (e.g. STE.S1ContextPtr holds PA[51:6] in word0[51:6]); `get`
  returns ``word & mask`` and `set` rejects values with bits outside the mask
  (misaligned or too-wide addresses).

`Struct` turns a dataclass whose attributes are named after its `FIELDS` into a
fixed-size record with validated encode/decode.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar, Iterable, Sequence

U64 = (1 << 64) - 1


@dataclass(frozen=True)
class Field:
    name: str
    word: int
    lsb: int
    width: int
    addr: bool = False

    def __post_init__(self) -> None:
        if self.word < 0 or self.width < 1 or self.lsb < 0 or self.lsb + self.width > 64:
            raise ValueError(f"Field {self.name}: bad geometry word={self.word} "
                             f"lsb={self.lsb} width={self.width}")

    @property
    def msb(self) -> int:
        return self.lsb + self.width - 1

    @property
    def mask(self) -> int:
        """Mask of the field inside its word."""
        return ((1 << self.width) - 1) << self.lsb

    @property
    def bit(self) -> int:
        """Absolute bit position of the field's lsb in the whole structure."""
        return self.word * 64 + self.lsb

    @property
    def max(self) -> int:
        """Largest legal value."""
        return self.mask if self.addr else (1 << self.width) - 1

    def check(self, value: int) -> int:
        """Return `value` as an int, or raise ValueError naming the field."""
        if isinstance(value, bool):
            value = int(value)
        if not isinstance(value, int):
            raise ValueError(f"{self.name}: expected an int, got {type(value).__name__}")
        if value < 0:
            raise ValueError(f"{self.name}: negative value {value:#x}")
        if self.addr:
            if value & ~self.mask:
                raise ValueError(f"{self.name}: address {value:#x} has bits outside "
                                 f"[{self.msb}:{self.lsb}] (misaligned or too wide)")
        elif value > self.max:
            raise ValueError(f"{self.name}: value {value:#x} does not fit in "
                             f"{self.width} bit(s) (max {self.max:#x})")
        return value

    def get(self, word: int) -> int:
        """Extract this field from the value of its own word."""
        if self.addr:
            return word & self.mask
        return (word >> self.lsb) & ((1 << self.width) - 1)

    def set(self, word: int, value: int) -> int:
        """Return `word` with this field replaced by `value` (validated)."""
        value = self.check(value)
        bits = value if self.addr else value << self.lsb
        return (word & ~self.mask & U64) | bits

    def get_from(self, words: Sequence[int]) -> int:
        return self.get(words[self.word])

    def set_in(self, words: list[int], value: int) -> None:
        words[self.word] = self.set(words[self.word], value)


def words_to_bytes(words: Iterable[int]) -> bytes:
    return b"".join(int(w).to_bytes(8, "little") for w in words)


def bytes_to_words(data: bytes, nwords: int, what: str = "record") -> list[int]:
    data = bytes(data)
    if len(data) != nwords * 8:
        raise ValueError(f"{what}: expected {nwords * 8} bytes, got {len(data)}")
    return [int.from_bytes(data[i * 8:(i + 1) * 8], "little") for i in range(nwords)]


class Struct:
    """Mixin for dataclasses describing a fixed-size record of 64-bit words.

    Subclasses set NWORDS and FIELDS; every Field name is also a dataclass attribute
    (a trailing underscore in the attribute, e.g. ``class_``, maps to the field name
    without it). Values are plain ints; bools are accepted on input.
    """

    NWORDS: ClassVar[int]
    FIELDS: ClassVar[tuple[Field, ...]]

    @classmethod
    def _attr(cls, f: Field) -> str:
        return f.name + "_" if f.name in ("class", "range") else f.name

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        for f in self.FIELDS:
            f.check(getattr(self, self._attr(f)))

    def words(self) -> list[int]:
        w = [0] * self.NWORDS
        for f in self.FIELDS:
            f.set_in(w, getattr(self, self._attr(f)))
        return w

    def encode(self) -> bytes:
        return words_to_bytes(self.words())

    @classmethod
    def from_words(cls, words: Sequence[int]):
        if len(words) != cls.NWORDS:
            raise ValueError(f"{cls.__name__}: expected {cls.NWORDS} words, got {len(words)}")
        return cls(**{cls._attr(f): f.get_from(words) for f in cls.FIELDS})

    @classmethod
    def decode(cls, data: bytes):
        return cls.from_words(bytes_to_words(data, cls.NWORDS, cls.__name__))

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)
