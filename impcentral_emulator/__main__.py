"""Entry point of the impCentral emulator (filled in by the emulator work)."""


def main() -> int:
    return 0
