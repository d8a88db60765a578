from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class AccountForm(FlaskForm):
    """An account's identity, role and scope; the academy area's services check the combination."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    academy = SelectField(_l("Academy"), description=_l("Trainees and academy administrators belong to one."))
    category = SelectField(_l("Service category"), description=_l("Trainees only."))
    language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    submit = SubmitField(_l("Save"))
