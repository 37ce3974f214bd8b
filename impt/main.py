"""Entry point of the impt console (filled in by the console work)."""


def main() -> int:
    return 0
