"""Model version strings (major.minor.patch): parsing and ordering, free of the database."""


def parse(version: str) -> "tuple[int, int, int]":
    parts = version.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{version!r} is not major.minor.patch")
    major, minor, patch = (int(p) for p in parts)
    return major, minor, patch


def newest(versions: "list[str]") -> str:
    if not versions:
        raise ValueError("no versions")
    return max(versions, key=parse)
