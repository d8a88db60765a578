from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only lookup by GET

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Verify"))
