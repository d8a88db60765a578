"""Queueing, rendering and sending e-mail.

A message is rendered in the recipient's language when it is queued and stored in the outbox in the same
transaction as the change that causes it, so a refused change sends nothing. Once the session commits, the
messages it queued are sent; whatever could not be sent stays pending for `flask mail send`, which retries
with a doubling wait up to MAIL_MAX_ATTEMPTS and then marks the message failed. A sender claims a message
(pending -> sending, guarded by its status) before handing it to the server, so no message goes out twice.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import threading
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.extensions import db
from app.foundation.languages import UI_LANGUAGES
from app.utils import utcnow

from .models import FAILED, PENDING, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)
#: A message claimed longer ago than this was being sent when its sender stopped.
STALE_CLAIM = timedelta(hours=1)
_SESSION_KEYS = "mail_keys"
SCRUBBED = "(The text is not kept once the message is sent or given up.)"


# --- queueing ------------------------------------------------------------------------------------


def mail_language(language: str | None) -> str:
    """The interface language a message to someone preferring `language` is written in."""
    return language if language in UI_LANGUAGES else "en"


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, always on BASE_URL: a link built from the request's Host header
    could be pointed at another site by whoever sends the request (password-reset poisoning)."""
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def render(template: str, language: str, **context) -> tuple[str, str, str | None]:
    """(subject, text, html or None) of `templates/mail/<template>.txt` (and `.html` if there is one), in the
    interface language for `language`. The text template defines the subject in `{% macro subject() %}`."""
    with force_locale(UI_LANGUAGES[mail_language(language)]):
        env = current_app.jinja_env
        module = env.get_template(f"mail/{template}.txt").make_module({**context, "external_url": external_url})
        subject = " ".join(str(module.subject()).split())
        text = str(module).strip() + "\n"
        html = None
        if f"mail/{template}.html" in env.list_templates(filter_func=lambda n: n.startswith("mail/")):
            html = render_template(f"mail/{template}.html", external_url=external_url, **context)
    return subject, text, html


def queue(*, to: str, language: str, template: str, kind: str, key: str, new_key: bool = False,
          **context) -> OutboxMessage | None:
    """Add a message to the outbox (only adds to the session; the caller commits). It is sent after commit.

    `key` makes it idempotent: a message whose key is already in the outbox is not queued again (None).
    `new_key=True` says the key cannot be there yet (it holds a fresh random token): no lookup, for bulk.
    """
    session = db.session()
    keys = session.info.setdefault(_SESSION_KEYS, [])
    if not new_key and (key in keys or db.session.scalar(
            sa.select(OutboxMessage.id).filter_by(idempotency_key=key)) is not None):
        return None
    subject, text, html = render(template, language, **context)
    message = OutboxMessage(recipient=to, subject=subject[:300], body_text=text, body_html=html,
                            language=mail_language(language), kind=kind, idempotency_key=key, status=PENDING,
                            attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    keys.append(key)
    return message


# --- after commit --------------------------------------------------------------------------------


def _after_commit(session) -> None:
    keys = session.info.pop(_SESSION_KEYS, None)
    if keys and has_app_context():
        g.setdefault("_mail_keys", []).extend(keys)
        if has_request_context():
            g._mail_from_request = True


def _after_rollback(session) -> None:
    session.info.pop(_SESSION_KEYS, None)


_senders: list[threading.Thread] = []


def _send_when_context_ends(exc) -> None:
    """At the end of a request or command: send what its commits queued (in the background for a request)."""
    keys = g.pop("_mail_keys", None)
    if not keys:
        return
    app = current_app._get_current_object()
    if g.pop("_mail_from_request", False) and app.config["MAIL_SEND_ASYNC"]:
        thread = threading.Thread(target=_send_in_thread, args=(app, keys), name="mail-sender")
        _senders[:] = [t for t in _senders if t.is_alive()] + [thread]
        thread.start()
        return
    try:
        send_keys(keys)
    except Exception:  # the messages stay pending for `flask mail send`; the change itself is committed
        log.exception("Sending %d queued message(s) failed; they stay in the outbox.", len(keys))


def _send_in_thread(app, keys) -> None:
    with app.app_context():
        try:
            send_keys(keys)
        except Exception:
            log.exception("Sending %d queued message(s) failed; they stay in the outbox.", len(keys))


def wait_for_senders(timeout: float = 30) -> None:
    """Wait until the background senders started so far are done (tests, and a clean shutdown)."""
    for thread in list(_senders):
        thread.join(timeout)


def init_app(app) -> None:
    """Send after commit: listen to the application's session and to the end of each app context."""
    if not getattr(init_app, "_listening", False):
        sa.event.listen(db.session, "after_commit", _after_commit)
        sa.event.listen(db.session, "after_rollback", _after_rollback)
        init_app._listening = True
    app.teardown_appcontext(_send_when_context_ends)


# --- sending -------------------------------------------------------------------------------------


class TransportDown(Exception):
    """The mail server cannot be reached: stop this round, try the rest later."""


class SmtpTransport:
    """One connection to the configured SMTP server, opened on the first message and reused."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def _connect(self):
        c = self.config
        try:
            if c["MAIL_USE_SSL"]:
                smtp = smtplib.SMTP_SSL(c["MAIL_SERVER"], c["MAIL_PORT"] or 465, timeout=c["MAIL_TIMEOUT"],
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"] or (587 if c["MAIL_USE_TLS"] else 25),
                                    timeout=c["MAIL_TIMEOUT"])
                if c["MAIL_USE_TLS"]:
                    smtp.starttls(context=ssl.create_default_context())
            if c["MAIL_USERNAME"]:
                smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportDown(f"{type(exc).__name__}: {exc}") from exc
        return smtp

    def send(self, message: EmailMessage) -> str:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.smtp = None
            raise TransportDown(f"{type(exc).__name__}: {exc}") from exc
        return f"SMTP {self.config['MAIL_SERVER']}"

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None


class FolderTransport:
    """No mail server configured: each message is written as an .eml file (and named in the log)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{message['X-THB-Outbox-Id']}.eml"
        path.write_bytes(bytes(message))
        return str(path)

    def close(self):
        pass


def transport():
    config = current_app.config
    return SmtpTransport(config) if config.get("MAIL_SERVER") else FolderTransport(config["MAIL_FOLDER"])


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail of an outbox row. Its Message-ID comes from the idempotency key, so that a receiving
    server can recognise a duplicate even in the unlikely case of a retry after a lost answer."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "thb-academy.local"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-THB-Outbox-Id"] = str(row.id)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    message["Content-Language"] = row.language  # after the content: setting it clears Content-* headers
    return message


def _claim(session: Session, message_id: int) -> bool:
    """pending -> sending, only if still pending: of two senders, exactly one gets the message."""
    result = session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(status=SENDING, claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1))
    session.commit()
    return result.rowcount == 1


def _scrub(row: OutboxMessage) -> None:
    """A message that will not be sent again keeps its envelope (who, what, when) but not its body, which may
    hold a sign-in link: the database keeps only the hash of a token once its message is gone."""
    row.body_text, row.body_html = SCRUBBED, None


def _record_failure(session: Session, row: OutboxMessage, error: str) -> None:
    config = current_app.config
    row.last_error = error[:2000]
    if row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        row.status = FAILED
        _scrub(row)
        log.error("Mail %s to %s failed for good after %d attempts: %s", row.kind, row.recipient, row.attempts, error)
    else:
        row.status = PENDING
        row.next_attempt_at = utcnow() + timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** (row.attempts - 1))
        log.warning("Mail %s to %s not sent (attempt %d), retried after %s: %s", row.kind, row.recipient,
                    row.attempts, row.next_attempt_at, error)
    session.commit()


def deliver(message_ids) -> dict[str, int]:
    """Claim and send each message; return how many were sent, retried later, failed, and skipped
    (claimed by another sender, or left for later because the server could not be reached)."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    ids = list(message_ids)
    if not ids:
        return counts
    sender = transport()
    with Session(db.engine, expire_on_commit=False) as session:
        try:
            for index, message_id in enumerate(ids):
                if not _claim(session, message_id):
                    counts["skipped"] += 1
                    continue
                row = session.get(OutboxMessage, message_id)
                try:
                    where = sender.send(build_message(row, current_app.config["MAIL_FROM"]))
                except TransportDown as exc:
                    _record_failure(session, row, str(exc))
                    counts["failed" if row.status == FAILED else "retry"] += 1
                    counts["skipped"] += len(ids) - index - 1
                    break
                except (smtplib.SMTPException, ValueError) as exc:  # refused recipient, bad address ...
                    _record_failure(session, row, f"{type(exc).__name__}: {exc}")
                    counts["failed" if row.status == FAILED else "retry"] += 1
                    continue
                row.status, row.sent_at, row.last_error = SENT, utcnow(), None
                _scrub(row)
                session.commit()
                counts["sent"] += 1
                log.info("Mail %s to %s sent (%s): %s", row.kind, row.recipient, where, row.subject)
        finally:
            sender.close()
    return counts


def send_keys(keys) -> dict[str, int]:
    """Send the pending messages with these idempotency keys (those a request or command just queued)."""
    ids = db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.idempotency_key.in_(list(keys)), OutboxMessage.status == PENDING).order_by(OutboxMessage.id))
    return deliver(list(ids))


def give_up_stale_claims() -> int:
    """Messages claimed long ago whose sender stopped mid-send: marked failed, not retried, since they
    may have been delivered (never twice). Logged, so that someone can check."""
    stale = list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.status == SENDING, OutboxMessage.claimed_at < utcnow() - STALE_CLAIM)))
    for row in stale:
        row.status = FAILED
        _scrub(row)
        row.last_error = "The sender stopped while sending; not retried so that it is never sent twice."
        log.error("Mail %s to %s (outbox %d) was interrupted while sending; marked failed.", row.kind,
                  row.recipient, row.id)
    return len(stale)


def send_pending(now=None) -> dict[str, int]:
    """Send every pending message that is due (new ones and retries); `flask mail send` runs this."""
    stale = give_up_stale_claims()
    db.session.commit()
    ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= (now or utcnow()))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)))
    counts = deliver(ids)
    counts["stale"] = stale
    return counts


def status_counts() -> dict[str, int]:
    rows = db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status))
    return {status: 0 for status in (PENDING, SENDING, SENT, FAILED)} | dict(rows.all())
