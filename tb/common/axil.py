"""cocotbext-axi AXI-Lite master bound to pasidsim's register access layer."""

from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pasidsim.regaccess import RegisterAccess


class AxilRegs(RegisterAccess):
    """Named register access through an AxiLiteMaster on the DUT's ``s_axil_*`` port."""

    def __init__(self, dut, clk, rst, prefix="s_axil", base=0, lookup=None):
        self.master = AxiLiteMaster(AxiLiteBus.from_prefix(dut, prefix), clk, rst)
        kw = {} if lookup is None else {"lookup": lookup}
        super().__init__(self.read32, self.write32, base=base, **kw)

    async def read32(self, addr: int) -> int:
        return await self.master.read_dword(addr)

    async def write32(self, addr: int, value: int) -> None:
        await self.master.write_dword(addr, value)

    def set_pause(self, gen_factory) -> None:
        """Idle/backpressure on every AXI-Lite channel; gen_factory() -> iterator of bools,
        or None to remove the generators."""
        w, r = self.master.write_if, self.master.read_if
        for ch in (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel):
            ch.set_pause_generator(gen_factory() if gen_factory else None)
