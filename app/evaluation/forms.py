"""The two questionnaires as forms, built from the questions defined once in questions.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, SubmitField, TextAreaField, widgets
from wtforms.validators import Length, Optional

from .questions import (
    FREQUENCY,
    FREQUENCY_LABEL,
    IDENTIFIED,
    IDENTIFIED_LABEL,
    LIKERT,
    OBSTACLES_LABEL,
    REACTION_ITEMS,
    REFERRALS,
    REFERRED_LABEL,
)
from .services import MAX_COMMENT


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReactionForm(FlaskForm):
    comment = TextAreaField(_l("Anything else you would like to tell us about the course? (optional)"),
                            validators=[Optional(), Length(max=MAX_COMMENT)])
    submit = SubmitField(_l("Send my answers"))


for _key, _label in REACTION_ITEMS:
    setattr(ReactionForm, _key, RadioField(_label, choices=[(str(v), text) for v, text in LIKERT],
                                           validators=[Optional()], validate_choice=True))


class FollowUpForm(FlaskForm):
    identified = RadioField(IDENTIFIED_LABEL, choices=list(IDENTIFIED), validators=[Optional()])
    referred = _Checkboxes(REFERRED_LABEL, choices=list(REFERRALS), validators=[Optional()])
    frequency = RadioField(FREQUENCY_LABEL, choices=list(FREQUENCY), validators=[Optional()])
    obstacles = TextAreaField(OBSTACLES_LABEL, validators=[Optional(), Length(max=MAX_COMMENT)])
    submit = SubmitField(_l("Send my answers"))
