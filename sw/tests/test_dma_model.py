"""Unit tests of the DMA formats and golden model (pure Python)."""

import random

import pytest

from pasidsim.dma_desc import (COMP_SIZE, DESC_SIZE, MAX_LEN, Completion, Descriptor, Flags,
                               Opcode, Status)
from pasidsim.dma_model import DmaModel, chunks, validate
from pasidsim.dma_regs import QErr, queue_reg


class Mem:
    def __init__(self):
        self.b = {}

    def read(self, a, n):
        return bytes(self.b.get(a + i, 0) for i in range(n))

    def write(self, a, data):
        for i, x in enumerate(data):
            self.b[a + i] = x


def test_descriptor_roundtrip_layout():
    d = Descriptor(Opcode.FILL, Flags.COMP_REQ | Flags.IRQ_REQ, 0x1234, 0x1111, 0x2222,
                   0x0807060504030201, 0x4440)
    raw = d.encode()
    assert len(raw) == DESC_SIZE
    assert raw[0] == 3 and raw[1] == 3 and raw[4:8] == (0x1234).to_bytes(4, "little")
    assert raw[0x18] == 1 and raw[0x20:0x28] == (0x4440).to_bytes(8, "little")
    assert Descriptor.decode(raw) == d


def test_completion_roundtrip_layout():
    c = Completion(Status.PAGE_FAULT, 1, 1, 77, 0xABCDEF)
    raw = c.encode()
    assert len(raw) == COMP_SIZE and raw[0] == 2 and raw[2] == 1
    assert raw[4:8] == (77).to_bytes(4, "little") and raw[8:16] == (0xABCDEF).to_bytes(8, "little")
    assert Completion.decode(raw) == c and c.fault_is_write


def test_encode_rejects_overflow_naming_field():
    with pytest.raises(ValueError, match="length"):
        Descriptor(length=1 << 32).encode()
    with pytest.raises(ValueError, match="Descriptor.decode"):
        Descriptor.decode(b"\0" * 63)


def test_queue_reg_resume_register():
    from pasidsim import dma_regs as R
    assert queue_reg(2, R.QRESUME, nqueues=4) == R.QUEUE_BASE + 2 * R.QUEUE_STRIDE + 0x2C
    with pytest.raises(ValueError, match="not a queue register"):
        queue_reg(0, 0x30)


def test_queue_reg_rejects_bad_queue():
    with pytest.raises(ValueError, match="queue 4"):
        queue_reg(4, 0, nqueues=4)


def test_chunks_split_at_both_pages():
    d = Descriptor(Opcode.MEMMOVE, 0, 10000, 0x1000 + 100, 0x8000 + 3000)
    cs = list(chunks(d))
    assert sum(n for _, n in cs) == 10000
    for off, n in cs:
        assert (d.src + off) // 4096 == (d.src + off + n - 1) // 4096
        assert (d.dst + off) // 4096 == (d.dst + off + n - 1) // 4096
    f = Descriptor(Opcode.FILL, 0, 10000, 0x1000 + 100, 0x8000)
    assert [n for _, n in chunks(f)] == [4096, 4096, 1808]


@pytest.mark.parametrize("op", [Opcode.MEMMOVE, Opcode.FILL])
def test_ops_effects(op):
    m = Mem()
    rnd = random.Random(1)
    src, dst, n = 0x10003, 0x20FF1, 9000
    m.write(src, rnd.randbytes(n))
    m.write(dst - 8, rnd.randbytes(n + 16))
    before = m.read(dst - 8, n + 16)
    r = DmaModel(m).execute(Descriptor(op, Flags.COMP_REQ, n, src, dst, 0x1122334455667788, 0x100))
    assert r.completion.status == Status.SUCCESS and r.completion.bytes_completed == n
    want = m.read(src, n) if op == Opcode.MEMMOVE else bytes(
        (0x1122334455667788).to_bytes(8, "little")[i % 8] for i in range(n))
    assert m.read(dst, n) == want
    assert m.read(dst - 8, 8) == before[:8] and m.read(dst + n, 8) == before[-8:]
    assert Completion.decode(m.read(0x100, 32)) == r.completion


def test_compare_reports_first_difference():
    m = Mem()
    m.write(0x1000, bytes(range(200)))
    m.write(0x5000, bytes(range(200)))
    model = DmaModel(m)
    r = model.execute(Descriptor(Opcode.COMPARE, 0, 200, 0x1000, 0x5000))
    assert (r.completion.result, r.completion.bytes_completed) == (0, 200)
    m.write(0x5000 + 150, b"\xff")
    r = model.execute(Descriptor(Opcode.COMPARE, 0, 200, 0x1000, 0x5000))
    assert (r.completion.result, r.completion.bytes_completed) == (1, 150)


def test_partial_completion_on_fault():
    m = Mem()
    m.write(0x1100, bytes([7]) * 10000)
    faulting = {0x15000 // 4096}
    model = DmaModel(m, fault=lambda va, w, p: w and va // 4096 in faulting)
    r = model.execute(Descriptor(Opcode.MEMMOVE, 0, 10000, 0x1100, 0x13800), pasid=5)
    c = r.completion
    assert c.status == Status.PAGE_FAULT and c.fault_is_write
    assert c.fault_addr == 0x15000 and c.bytes_completed == 0x15000 - 0x13800
    assert m.read(0x13800, c.bytes_completed) == bytes([7]) * c.bytes_completed
    assert m.read(0x15000, 16) == bytes(16)   # nothing at or past the fault


def test_validation_and_queue_errors():
    m = Mem()
    model = DmaModel(m)
    assert validate(Descriptor(Opcode.MEMMOVE, 0, MAX_LEN + 1, 0, 1 << 30)) == Status.INVALID_LENGTH
    assert validate(Descriptor(Opcode.MEMMOVE, 0, 10, 0, 5)) == Status.OVERLAP
    assert validate(Descriptor(7)) == Status.INVALID_OPCODE
    assert validate(Descriptor(Opcode.NOP, 0x80)) == Status.INVALID_FLAGS
    r = model.execute(Descriptor(Opcode.MEMMOVE, Flags.COMP_REQ, 8, 0, 64, 0, 0x1008))
    assert not r.comp_written and r.qerr == QErr.INVALID_DESC
    r = DmaModel(m, fault=lambda va, w, p: va == 0x2000).execute(
        Descriptor(Opcode.NOP, Flags.COMP_REQ, comp_addr=0x2000))
    assert r.halted and r.qerr == QErr.COMP_WRITE


def test_model_rejects_bad_use():
    with pytest.raises(TypeError, match="DmaModel"):
        DmaModel(object())
    with pytest.raises(ValueError, match="pasid"):
        DmaModel(Mem()).execute(Descriptor(), pasid=1 << 20)


def test_descriptor_remainder_keeps_every_byte():
    """A partial completion's remainder writes the same bytes the whole descriptor would."""
    from pasidsim.dma_desc import Descriptor, Opcode
    pat = 0x0807060504030201
    whole = Descriptor(Opcode.FILL, 0, 40, 0, 0x1000, pat, 0x2000)
    want = (pat.to_bytes(8, "little") * 5)[:40]
    for done in range(1, 40):
        r = whole.remainder(done)
        assert (r.length, r.dst, r.src) == (40 - done, 0x1000 + done, 0)
        assert (r.pattern.to_bytes(8, "little") * 6)[:r.length] == want[done:]
    mv = Descriptor(Opcode.MEMMOVE, 0, 100, 0x5000, 0x6000, 0, 0x2000).remainder(30)
    assert (mv.length, mv.src, mv.dst) == (70, 0x5000 + 30, 0x6000 + 30)
    import pytest
    with pytest.raises(ValueError, match="remainder"):
        whole.remainder(40)
