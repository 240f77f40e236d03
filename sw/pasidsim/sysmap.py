"""Address map of the system top's single register window (rtl/system/system_top.sv).

    0x00000 - 0x1FFFF   SMMU registers (SMMUv3 page 0 and page 1; pasidsim.regs)
    0x20000 - 0x20FFF   DMA accelerator registers (pasidsim.dma_regs)
"""

SMMU_BASE = 0x00000
SMMU_SIZE = 0x20000
DMA_BASE = 0x20000
DMA_SIZE = 0x1000
AXIL_ADDR_WIDTH = 18
