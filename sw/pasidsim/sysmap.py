"""Address map of the system top's single register window (rtl/system/system_top.sv).

    0x00000 - 0x1FFFF   SMMU registers (SMMUv3 page 0 and page 1; pasidsim.regs)
    0x20000 - 0x20FFF   accelerator 0 registers (pasidsim.dma_regs), StreamID DMA_SID
    0x21000 - 0x21FFF   accelerator 1 registers, StreamID DMA_SID + 1
    ...                 accelerator k at DMA_BASE + k * DMA_STRIDE, StreamID DMA_SID + k

system_top's NDEV parameter (default 2) sets the number of accelerators. Window slots between
NDEV and the next power of two answer DECERR (reads return 0). Accelerator k raises
irq_dev[k] (irq_dma is irq_dev[0]). The driver names accelerator k's register block
``dma_block(k)``: "dma", "dma1", "dma2", ... and its interrupt line the same way.
"""

SMMU_BASE = 0x00000
SMMU_SIZE = 0x20000
DMA_BASE = 0x20000
DMA_SIZE = 0x1000
DMA_STRIDE = 0x1000
NDEV = 2          # system_top default
AXIL_ADDR_WIDTH = 18


def dma_base(k: int) -> int:
    """Window base of accelerator ``k``."""
    if not 0 <= k < (SMMU_SIZE // DMA_STRIDE):
        raise ValueError(f"sysmap: accelerator index {k} outside the window")
    return DMA_BASE + k * DMA_STRIDE


def dma_block(k: int) -> str:
    """The driver's register-block (and interrupt-line) name of accelerator ``k``."""
    if k < 0:
        raise ValueError(f"sysmap: accelerator index {k} is negative")
    return "dma" if k == 0 else f"dma{k}"
