from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.academy.models import ACADEMY_KINDS, Academy
from app.auth.models import User
from app.enrolment.models import Cohort
from app.foundation.forms import EmailAddress
from app.foundation.limits import column_length
from app.foundation.prongs import category_choices
from app.foundation.stages import (
    DEFAULT_TRAINING_STAGE,
    curriculum_choices,
    sex_choices,
    stage_choices,
)


class AcademyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=column_length(Academy, "name"))])
    slug = StringField(_l("Short name (used in addresses)"), validators=[
        DataRequired(), Length(max=column_length(Academy, "slug")), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and '-' only."))])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[(k, k.replace("_", " ")) for k in ACADEMY_KINDS])
    submit = SubmitField(_l("Create academy"))


class TraineeForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=column_length(User, "name"))])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=column_length(User, "email")),
                                                 EmailAddress()])
    category = SelectField(_l("Service category"), choices=category_choices, validators=[DataRequired()])
    unit = StringField(_l("Unit or region"), validators=[Optional(), Length(max=column_length(User, "unit"))])
    personnel_number = StringField(_l("Personnel number"), validators=[
        Optional(), Length(max=column_length(User, "personnel_number"))])
    language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    training_stage = SelectField(_l("Training stage"), choices=stage_choices, default=DEFAULT_TRAINING_STAGE,
                                 validators=[DataRequired()])
    #: Removed by the route where the academy does not collect it.
    sex = SelectField(_l("Sex"), choices=sex_choices, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])
    submit = SubmitField(_l("Check the file"))


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=column_length(Cohort, "name"))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Create cohort"))


class MembersForm(FlaskForm):
    identifiers = TextAreaField(_l("E-mails or personnel numbers, one per line"), validators=[DataRequired()])
    submit = SubmitField(_l("Add to cohort"))


class BulkForm(FlaskForm):
    """"With selected": the ticked trainees, the action and what it needs. Choices are set by the route."""

    ids = SelectMultipleField(_l("Selected trainees"), coerce=int, validate_choice=False)
    action = SelectField(_l("With selected"), validators=[DataRequired()])
    cohort = SelectField(_l("Cohort (to add to)"), coerce=int, validators=[Optional()])
    course = SelectField(_l("Course (to assign)"), coerce=int, validators=[Optional()])
    due_date = DateField(_l("Due date (to assign; optional)"), validators=[Optional()])
    #: Set by the confirmation page.
    confirmed = HiddenField()
    #: Where to go back to (the list with its filters); only a path of this site is followed.
    next = HiddenField()
    submit = SubmitField(_l("Apply to selected"))


class AssignmentForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    module = SelectField(_l("Only this module (optional)"), coerce=int, validators=[Optional()])
    cohort = SelectField(_l("Cohort"), coerce=int, validators=[Optional()])
    trainee = StringField(_l("Or one trainee (e-mail or personnel number)"), validators=[Optional(), Length(max=254)])
    due_date = DateField(_l("Due date (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Assign"))


class MandatoryForm(FlaskForm):
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("For every trainee of the category"), choices=category_choices, validators=[DataRequired()])
    stage = SelectField(_l("Part of which curriculum"), choices=curriculum_choices, default="in_service",
                        validators=[DataRequired()])
    since = DateField(_l("Since"), validators=[Optional()])
    due_within_days = IntegerField(_l("Days to complete after joining (optional)"),
                                   validators=[Optional(), NumberRange(min=1, max=3650)])
    submit = SubmitField(_l("Make mandatory"))


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only lookup by GET

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Verify"))


class AcademySettingsForm(FlaskForm):
    collects_sex = BooleanField(_l("Record trainees' sex (optional for each trainee; \"not stated\" allowed)"))
    submit = SubmitField(_l("Save"))
