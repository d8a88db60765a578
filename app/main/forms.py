from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from app.foundation.languages import UI_LANGUAGES


class LanguageForm(FlaskForm):
    """The language switcher: one button per interface language, each sending its code."""

    language = SelectField(_l("Language"), choices=[(code, code) for code in UI_LANGUAGES],
                           validators=[DataRequired()])
    next = HiddenField()
