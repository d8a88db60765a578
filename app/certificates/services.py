"""Course certificates: issued when a trainee completes a course (on the learning area's
`course_completed` signal), verifiable by code without signing in."""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa
from fpdf import FPDF

from app.auth.models import User
from app.curriculum.models import Course
from app.extensions import db
from app.learning.progress import RefresherState, course_completed, refresher_state
from app.utils import utcnow

from .models import Certificate

#: No 0/O or 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else ""


def certificate_of(user: User, course: Course) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).filter_by(user_id=user.id, course_id=course.id))


@course_completed.connect
def issue(course: Course, user: User, **_extra) -> Certificate:
    """The trainee's certificate for the course they have just completed (once; a second call finds it)."""
    existing = certificate_of(user, course)
    if existing is not None:
        return existing
    certificate = Certificate(code=new_code(), user_id=user.id, course_id=course.id, holder_name=user.name,
                              course_title=course.title, issued_at=utcnow())
    db.session.add(certificate)
    db.session.flush()
    return certificate


def validity(certificate: Certificate) -> RefresherState | None:
    """Whether the training the certificate attests is still valid (the holder's latest completion, renewals
    included); None where the course sets no validity period."""
    state = refresher_state(db.session.get(User, certificate.user_id), db.session.get(Course, certificate.course_id))
    return state if state is not None and state.valid_until is not None else None


def by_code(code: str) -> Certificate | None:
    code = normalise_code(code)
    return db.session.scalar(sa.select(Certificate).filter_by(code=code)) if code else None


def pdf(certificate: Certificate, verify_url: str) -> bytes:
    doc = FPDF(orientation="landscape", format="A4")
    doc.set_title(f"Certificate {certificate.code}")
    doc.add_page()
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        doc.add_font("DejaVu", "", str(regular))
        doc.add_font("DejaVu", "B", str(bold))
        family = "DejaVu"
    else:  # core fonts cover Latin-1 only
        family = "Helvetica"

    def text(value: str) -> str:
        return value if family == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    doc.set_draw_color(11, 79, 138)
    doc.set_line_width(1.2)
    doc.rect(10, 10, 277, 190)
    doc.set_y(35)
    doc.set_font(family, "B", 28)
    doc.cell(0, 14, text("Certificate of completion"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, "", 14)
    doc.cell(0, 16, text("This certifies that"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, "B", 24)
    doc.cell(0, 14, text(certificate.holder_name), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, "", 14)
    doc.cell(0, 14, text("has completed the course"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, "B", 18)
    doc.multi_cell(0, 10, text(certificate.course_title), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(family, "", 13)
    doc.ln(6)
    doc.cell(0, 10, text(f"on {certificate.issued_at.date().isoformat()} on THB Academy."), align="C",
             new_x="LMARGIN", new_y="NEXT")
    doc.set_y(165)
    doc.set_font(family, "", 11)
    doc.cell(0, 7, text(f"Verification code: {certificate.code}"), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.cell(0, 7, text(f"Verify at {verify_url}"), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
