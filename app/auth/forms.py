from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=500)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), EqualTo("password")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send me a link"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    language = SelectField(_l("Language"), validators=[DataRequired()],
                           description=_l("Of the pages and e-mails, and of the course text where it is translated."))
    submit = SubmitField(_l("Save"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=500)],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=500)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), EqualTo("password")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class EmailChangeForm(FlaskForm):
    # Own ids: the profile page shows this form with the password form, whose fields share these names.
    email = EmailField(_l("New e-mail address"), validators=[DataRequired(), Length(max=254)], id="new-email",
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=500)],
                             id="email-change-password", render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Send a confirmation link"))
