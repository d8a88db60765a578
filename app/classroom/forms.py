from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    modules = SelectMultipleField(_l("Modules taught (none chosen: the whole course)"), coerce=int,
                                  validators=[Optional()])
    starts_on = DateField(_l("First day"), validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    pass_mark = IntegerField(_l("Pass mark of the paper test (%)"), default=70,
                             validators=[DataRequired(), NumberRange(min=1, max=100)])
    trainers = SelectMultipleField(_l("Trainers"), coerce=int, validators=[DataRequired()])
    partners = SelectMultipleField(_l("Partner academies and agencies (their trainees may join)"), coerce=int,
                                   validators=[Optional()])
    submit = SubmitField(_l("Schedule the session"))


class ParticipantsForm(FlaskForm):
    identifiers = TextAreaField(_l("E-mails or personnel numbers, one per line"), validators=[DataRequired()])
    submit = SubmitField(_l("Add participants"))


class ResultsUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])
    submit = SubmitField(_l("Record from the file"))
