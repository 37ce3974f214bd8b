"""The simulated hardware a device's code reaches: SPI flash, pins, buses; and when a boot is warm.

The numbers come from Electric Imp's API reference (imp API, `hardware.*`): flash sectors are 4 KiB
and erase to 0xFF, a write can only clear bits (the result is the AND of old and new), an address
that is not on a sector boundary is an error; `deepsleepfor` takes 0-2,419,198 seconds; `nv` is kept
through deep sleep and restarts, not through a power cycle or new code.
"""

from __future__ import annotations

SECTOR = 4096
ERASED = 0xFF
MAX_DEEP_SLEEP = 2_419_198  # seconds (28 days minus two seconds: imp.deepsleepfor in the imp API reference)
NV_BYTES = 4096  # "just under 4KB" of memory stays powered in deep sleep (Device Data Persistence guide)
# The SPI flash a product fits (imp003 and later take an external chip; the imp001/002 have none the
# imp API exposes): the emulator fits a 4 MiB chip, 8 MiB on the imp005 and imp006.
FLASH_BYTES = {"imp003": 4 << 20, "imp004m": 4 << 20, "imp005": 8 << 20, "imp006": 8 << 20}
FLASH_CHIP_ID = 0xC22016  # the JEDEC id `spiflash.chipid()` reports (a 4 MiB-class part; the emulator's choice)
# Wake reasons after which `nv` is still there (deep sleep, restarts); power-on and new code clear it.
WARM_WAKES = {1, 2, 3, 5, 7, 10}


def flash_bytes(imp_type: str) -> int:
    """Size of the simulated SPI flash for an imp type (0: that imp has no `hardware.spiflash`)."""
    return FLASH_BYTES.get(imp_type, 0)


class Flash:
    """A SPI flash kept as the sectors that were ever written (the rest reads as erased)."""

    def __init__(self, size: int, sectors: dict[int, bytes] | None = None) -> None:
        self.size = size
        self.sectors: dict[int, bytearray] = {k: bytearray(v) for k, v in (sectors or {}).items()}

    def check(self, address: int, length: int) -> str | None:
        if address < 0 or length < 0 or address + length > self.size:
            return f"the range {address:#x}+{length} is outside the flash ({self.size} bytes)"
        return None

    def read(self, address: int, length: int) -> bytes:
        out = bytearray()
        while length > 0:
            index, offset = divmod(address, SECTOR)
            take = min(length, SECTOR - offset)
            sector = self.sectors.get(index)
            out += sector[offset : offset + take] if sector is not None else bytes([ERASED]) * take
            address += take
            length -= take
        return bytes(out)

    def write(self, address: int, data: bytes) -> None:
        """Program `data` at `address`: bits can only go from 1 to 0 (old AND new)."""
        position = 0
        while position < len(data):
            index, offset = divmod(address + position, SECTOR)
            take = min(len(data) - position, SECTOR - offset)
            sector = self.sectors.get(index)
            if sector is None:
                sector = self.sectors[index] = bytearray([ERASED]) * SECTOR
            old = int.from_bytes(sector[offset : offset + take], "big")
            new = int.from_bytes(data[position : position + take], "big")
            sector[offset : offset + take] = (old & new).to_bytes(take, "big")
            position += take

    def erase(self, address: int) -> None:
        """Back to 0xFF: the sector is forgotten."""
        self.sectors.pop(address // SECTOR, None)

    def snapshot(self) -> dict[int, bytes]:
        return {k: bytes(v) for k, v in self.sectors.items()}
