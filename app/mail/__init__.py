"""E-mail: an outbox written in the same transaction as the change that causes a message, sent after commit.

Services call `queue(...)` (it only adds to the session); once the session commits, what it queued is sent
(`services.send_after_commit`), and `flask mail send` sends or retries whatever is still pending.
"""

from .services import queue

__all__ = ["queue"]
