"""Enrolment: who must take which course or module, and by when (docs/architecture.md)."""
