from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional


class ReminderSettingsForm(FlaskForm):
    days_before = StringField(_l("Remind trainees this many days before a due date"),
                              validators=[Optional(), Length(max=40)],
                              description=_l("Numbers of days separated by commas, e.g. 14, 3. Empty: no reminders "
                                             "before a due date."))
    overdue_notice = BooleanField(_l("Tell a trainee once when a course becomes overdue"))
    digest_weekday = SelectField(_l("Weekly list of overdue trainees to the academy's administrators"),
                                 validators=[Optional()])
    submit = SubmitField(_l("Save"))
