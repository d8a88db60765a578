"""Where a request may send the browser back to: paths on this site only."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_safe_path(target: str | None) -> bool:
    """True for a path on this site ('/learn/?x=1'); False for anything that could leave it
    ('//evil.example', 'https://…', '/\\\\evil', control characters)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
