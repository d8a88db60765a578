from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from app.foundation.prongs import category_choices


class TargetForm(FlaskForm):
    place = SelectField(_l("Where"), validators=[DataRequired()])
    prong = SelectField(_l("Prong"), choices=category_choices, validators=[DataRequired()])
    target = IntegerField(_l("People who should be trained"), validators=[DataRequired(), NumberRange(min=0, max=10_000_000)])
    effective_from = DateField(_l("Applies from"), validators=[DataRequired()])
    submit = SubmitField(_l("Save target"))


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Create token"))
