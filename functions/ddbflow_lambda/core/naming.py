import hashlib
import re


def execution_name(*parts: str) -> str:
    """A Step Functions execution name (≤ 80 of [A-Za-z0-9_-]) determined by its parts, so duplicate
    deliveries of the same event start the same execution name and the second start is refused."""
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", "-".join(parts)).strip("-")
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
    return f"{readable[: 80 - len(digest) - 1]}-{digest}"
