"""Certificates: issued on course completion, shown to the holder, verifiable by anyone (docs/architecture.md)."""
