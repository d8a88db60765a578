"""E-mail addresses, checked once for every way an address enters the platform (forms, the CSV import,
the command line): by email-validator, and refused with its reason in the reader's language, not just
"invalid".

Deliverability (DNS) is not checked: an academy's intranet addresses may not resolve from the server.
Special-use and reserved domains (.test, .local, .invalid, localhost …) are refused: no mail reaches them.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

MAX_LENGTH = 254

#: email-validator's messages (English only), as people read them here; {domain} and {chars} are filled in.
#: A message not listed is shown as email-validator wrote it.
_REASONS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"must have an @-sign"), _l("An e-mail address must have an @-sign (name@domain).")),
    (re.compile(r"something before the @-sign"), _l("There must be something before the @-sign.")),
    (re.compile(r"something after the @-sign"), _l("There must be something after the @-sign.")),
    (re.compile(r"special-use or reserved name"),
     _l("The domain name %(domain)s is a special-use or reserved name that cannot be used with e-mail.")),
    (re.compile(r"should have a period"),
     _l("The domain name %(domain)s is not valid: it should have a period, as in example.org.")),
    (re.compile(r"not within a valid top-level domain"),
     _l("The domain name %(domain)s is not valid: it does not end in a known top-level domain.")),
    (re.compile(r"two periods in a row"), _l("An e-mail address cannot have two periods in a row.")),
    (re.compile(r"cannot (start|end) with a period|period immediately (before|after) the @-sign"),
     _l("An e-mail address cannot start or end with a period, or have one next to the @-sign.")),
    (re.compile(r"invalid characters? before the @-sign(?:: (?P<chars>.+?))?\.?$"),
     _l("The part before the @-sign contains characters that are not allowed: %(chars)s.")),
    (re.compile(r"after the @-sign contains invalid characters(?:: (?P<chars>.+?))?\.?$"),
     _l("The domain name contains characters that are not allowed: %(chars)s.")),
    (re.compile(r"too long"), _l("The e-mail address is too long.")),
]


class EmailAddressInvalid(ValueError):
    """An address that cannot be used; `reason` says why, in the reader's language."""

    def __init__(self, address: str, reason: str):
        super().__init__(reason)
        self.address = address
        self.reason = reason


def _reason(message: str, address: str) -> str:
    domain = address.rpartition("@")[2] or address
    for pattern, text in _REASONS:
        found = pattern.search(message)
        if found:
            chars = (found.groupdict().get("chars") or "").strip() or "?"
            return str(text) % {"domain": domain, "chars": chars} if "%(" in str(text) else str(text)
    return message


def checked_email(address: str | None) -> str:
    """The address as stored (trimmed, lower-case), or EmailAddressInvalid with the reason."""
    address = (address or "").strip()
    if not address:
        raise EmailAddressInvalid(address, str(_l("The e-mail address is missing.")))
    if len(address) > MAX_LENGTH:
        raise EmailAddressInvalid(address, str(_l("The e-mail address is too long.")))
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise EmailAddressInvalid(address, _reason(str(exc), address)) from None
    return address.lower()


def email_problem(address: str | None) -> str | None:
    """Why the address cannot be used, or None when it can."""
    try:
        checked_email(address)
    except EmailAddressInvalid as exc:
        return exc.reason
    return None
