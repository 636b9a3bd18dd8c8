from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(lazy_gettext("New password"), validators=[DataRequired(), Length(max=500)])
    repeat = PasswordField(
        lazy_gettext("The new password again"),
        validators=[DataRequired(), EqualTo("password", message=lazy_gettext("The two passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(lazy_gettext("Current password"), validators=[DataRequired(), Length(max=500)])
