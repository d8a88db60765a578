from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


class SectionReadForm(FlaskForm):
    """'Continue' at the end of a section: records it as read."""

    submit = SubmitField(_l("Continue"))


class QuizForm(FlaskForm):
    """CSRF and the attempt token; answers are checked by `services.submit_quiz` against the draw."""

    attempt = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Submit answers"))
