"""The reminder settings of an academy, for its administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.academy.services import academy_for
from app.extensions import db
from app.foundation.decorators import roles_required
from app.foundation.errors import ServiceError
from app.foundation.roles import Role

from . import services
from .forms import ReminderSettingsForm

bp = Blueprint("reminders", __name__)


def _weekday_choices():
    names = get_locale().days["format"]["wide"]
    return [("", _("No weekly list"))] + [(str(day), names[day]) for day in range(7)]


@bp.route("/academies/<slug>/reminders", methods=["GET", "POST"])
@roles_required(Role.ACADEMY_ADMIN, Role.PLATFORM_ADMIN)
def settings(slug):
    academy = academy_for(current_user, slug)
    if academy is None:
        abort(404)
    form = ReminderSettingsForm()
    form.digest_weekday.choices = _weekday_choices()
    if form.validate_on_submit():
        weekday = form.digest_weekday.data
        try:
            services.update_settings(current_user, academy, days=form.days_before.data or "",
                                     overdue_notice=form.overdue_notice.data,
                                     digest_weekday=int(weekday) if weekday not in (None, "") else None)
        except ServiceError as exc:
            db.session.rollback()
            form.days_before.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Reminder settings saved."), "success")
            return redirect(url_for(".settings", slug=slug))
    elif not form.is_submitted():
        form.days_before.data = ", ".join(str(d) for d in services.days_before(academy))
        form.overdue_notice.data = academy.overdue_notice
        form.digest_weekday.data = "" if academy.digest_weekday is None else str(academy.digest_weekday)
    return render_template("reminders/settings.html", academy=academy, form=form), (422 if form.errors else 200)
