"""`flask academies` and `flask users`: academies and accounts from the command line, through the same
services (and audit log) as the pages."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth.accounts import invite
from app.auth.models import User
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role

from . import services
from .models import ACADEMY_KINDS

users_cli = click.Group("users", help="Manage user accounts.")
academies_cli = click.Group("academies", help="Manage academies.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--country", required=True, help="Country code, e.g. AL.")
@click.option("--academy", help="Academy slug (trainees and academy administrators).")
@click.option("--category", type=click.Choice(PRONGS), help="Service category of a trainee.")
@click.option("--language", help="Preferred language (ISO 639); default: the country's first language.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of inviting.")
@with_appcontext
def create_user_command(email, name, role, country, academy, category, language, password_stdin):
    """Create a user account and e-mail an invitation to set a password (or take it from standard input)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = services.create_account(None, email=email, name=name, role=role, country=country, password=password,
                                       academy=academy, category=category, language=language)
        if password is None:
            invite(user, by=None)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    how = "password set" if password else "invitation e-mailed"
    click.echo(f"Created {user.role} {user.email} ({user.country_code}); {how}.")


@users_cli.command("invite")
@click.option("--email", required=True)
@with_appcontext
def invite_user_command(email):
    """E-mail a new invitation to a user who has not set a password yet (the previous link stops working)."""
    user = db.session.scalar(sa.select(User).filter_by(email=email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    try:
        invite(user, by=None)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"Invitation sent to {user.email}.")


def _service_change(email: str, suspended: bool, reason: str, on) -> str:
    user = db.session.scalar(sa.select(User).filter_by(email=email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    if user.active == (not suspended):
        return f"{user.email} is already {'suspended' if suspended else 'active'}; nothing changed."
    try:
        services.set_suspended(None, user.academy, user, suspended, reason=reason, on=on.date() if on else None)
        db.session.commit()
    except (ServiceError, ValueError) as exc:
        db.session.rollback()
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    what = ("left the service" if reason == "left" else "suspended") if suspended else "reactivated"
    return f"{user.email} {what}{f' on {on.date().isoformat()}' if on else ''}."


@users_cli.command("suspend")
@click.option("--email", required=True)
@click.option("--left", is_flag=True, help="The person left the service (not only suspended).")
@click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The first day out of service; default today.")
@with_appcontext
def suspend_user_command(email, left, on):
    """Suspend an account: it can no longer sign in, and the person's period of service ends (coverage counts
    them as trained staff lost if they completed their course). The training history is kept."""
    click.echo(_service_change(email, True, "left" if left else "suspended", on))


@users_cli.command("reactivate")
@click.option("--email", required=True)
@click.option("--on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day of return; default today.")
@with_appcontext
def reactivate_user_command(email, on):
    """Reactivate a suspended account: a new period of service begins; the earlier ones are kept."""
    click.echo(_service_change(email, False, "suspended", on))


@academies_cli.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--country", required=True)
@click.option("--kind", type=click.Choice(ACADEMY_KINDS), default="police_academy", show_default=True)
@with_appcontext
def create_academy_command(slug, name, country, kind):
    """Create an academy."""
    try:
        services.create_academy(None, slug=slug, name=name, country=country.upper(), kind=kind)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"Created academy {slug}.")
