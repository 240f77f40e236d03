"""pasidsim.driver: a Linux-style SMMUv3 + accelerator driver that runs on any Platform.

Layers (each module has one job):
  platform      the hardware interface (registers, physical memory, interrupts), async
  alloc         ID allocators (ASID, PASID) and the physical page allocator
  pgtable       stage-1 page tables in SMMU format (the project's one builder)
  mm            host RAM, processes, address spaces (mmap/munmap, fault-in)
  entry         safe multi-word STE/CD updates
  cdtable       a device's PASID (CD) table, linear or two-level
  cmdq / evtq   command queue producer, event queue consumer + typed faults
  domain        paging / SVA / identity / blocked domains
  device        a master: StreamID, PASID width, RID domain, PASID slots
  smmu          probe, devices, domains, the attach transaction, invalidation
  sva / faults  SVA bind/unbind; event routing, I/O page faults (mixins of ArmSmmu)
  uacce         accelerator queues per process
  system        bring-up of SMMU + accelerator on any Platform
  scenario      backend-independent scenarios and outcome comparison
  model_backend Platform over the golden models (no simulator); model_dma: its DMA side
  bus_backend   Platform over any 32-bit register bus (shape of the RTL and FPGA backends)
"""

from .alloc import IdAllocator, PageAllocator
from .domain import BlockedDomain, IdentityDomain, IommuDomain, PagingDomain, SvaDomain
from .errors import (AlreadyExists, BadAddress, Busy, Closed, DriverError, HardwareError,
                     InvalidArgument, NoMemory, NoSpace, NotFound, NotSupported, Timeout)
from .evtq import (AccessFlagFault, ConfigFault, EventQueueOverflow, GlobalError, IoFault, PageFault,
                   PermissionFault, TranslationFault)
from .mm import IOMMU_NO_PASID, Host, Mm, Process
from .pgtable import PROT_EXEC, PROT_READ, PROT_WRITE, SZ_1G, SZ_2M, SZ_4K, PageTable
from .platform import Platform, run_sync
from .smmu import ArmSmmu, Device, SvaBond
from .uacce import Accel, AccelQueue

__all__ = [n for n in dir() if not n.startswith("_")]
