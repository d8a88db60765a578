"""A trainee's certificates, and the public verification page. Nothing here issues a certificate: that
happens when the course is completed (services.issue)."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from app.curriculum.models import Course
from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.roles import Role

from . import services
from .forms import VerifyForm

bp = Blueprint("certificates", __name__)


def _mine(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    certificate = services.certificate_of(current_user, course)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/certificates/<int:course_id>")
@roles_required(Role.TRAINEE)
def mine(course_id):
    certificate = _mine(course_id)
    return render_template("certificates/certificate.html", certificate=certificate,
                           validity=services.validity(certificate))


@bp.route("/certificates/<int:course_id>.pdf")
@roles_required(Role.TRAINEE)
def mine_pdf(course_id):
    certificate = _mine(course_id)
    verify_url = url_for(".verify", code=certificate.code, _external=True)
    return Response(services.pdf(certificate, verify_url), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=certificate-{certificate.code}.pdf"})


@bp.route("/verify")
def verify():
    """Public: confirms a certificate code, showing only name, course and date (and, where the course sets a
    validity period, until when the training counts)."""
    form = VerifyForm(request.args)
    certificate = None
    checked = bool(request.args.get("code"))
    if checked and form.validate():
        certificate = services.by_code(form.code.data)
    validity = services.validity(certificate) if certificate is not None else None
    return render_template("certificates/verify.html", form=form, certificate=certificate, checked=checked,
                           validity=validity), \
        (404 if checked and certificate is None else 200)
