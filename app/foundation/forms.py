"""Forms shared by several areas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.validators import ValidationError

from .emails import email_problem


class ActionForm(FlaskForm):
    """A button that changes something: CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))


class EmailAddress:
    """WTForms validator: the address as `foundation.emails` accepts it, refused with email-validator's reason
    (e.g. "The domain name x.test is a special-use or reserved name …") instead of "Invalid email address."."""

    def __call__(self, form, field):
        problem = email_problem(field.data)
        if problem:
            raise ValidationError(problem)
