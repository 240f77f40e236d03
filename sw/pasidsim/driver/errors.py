"""Driver exceptions: each names the object and the reason, and carries a Linux-like errno name.

Every API entry point validates before it changes anything, so when one of these is raised the
tables, allocators and hardware are exactly as they were before the call.
"""

from __future__ import annotations


class DriverError(Exception):
    """Base class: ``obj`` is the thing that was misused, ``reason`` says why."""

    errno_name = "EIO"

    def __init__(self, obj: object, reason: str):
        self.obj = obj
        self.reason = reason
        super().__init__(f"{obj}: {reason} [{self.errno_name}]")


class InvalidArgument(DriverError, ValueError):
    errno_name = "EINVAL"


class Busy(DriverError):
    """The slot/ID is in use (attach to an occupied PASID, free a still-attached domain...)."""

    errno_name = "EBUSY"


class NoSpace(DriverError):
    """An ID space (ASID, PASID, queue) is exhausted."""

    errno_name = "ENOSPC"


class NoMemory(DriverError, MemoryError):
    """The physical page allocator cannot satisfy the request."""

    errno_name = "ENOMEM"


class AlreadyExists(DriverError):
    """Mapping over an existing mapping."""

    errno_name = "EEXIST"


class NotFound(DriverError):
    """Unmapping what is not mapped, detaching a domain that is not attached there..."""

    errno_name = "ENOENT"


class NotSupported(DriverError):
    errno_name = "EOPNOTSUPP"


class Closed(DriverError):
    """Use of a closed queue / released object."""

    errno_name = "EBADF"


class BadAddress(DriverError):
    """A CPU-side access to an address with no VMA or without the needed permission."""

    errno_name = "EFAULT"


class HardwareError(DriverError):
    """The hardware reported an error (CMDQ error, GERROR, event queue overflow...)."""

    errno_name = "EIO"


class Timeout(DriverError):
    errno_name = "ETIMEDOUT"
