"""pasidsim: software side of the PASID-tagging DMA + SMMUv3 testbench.

Pure-Python modules (no cocotb import): register maps, SMMUv3 format encoders,
golden models of the SMMU and the accelerator, and the driver.
"""

__version__ = "0.1.0"
