"""Forms shared by several areas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ActionForm(FlaskForm):
    """A button that changes something: CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))
