"""`flask evaluation send-follow-ups`: run once a day (cron or a systemd timer), like `flask reminders send`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.utils import utcnow

from . import services

evaluation_cli = click.Group("evaluation", help="Evaluation questionnaires.")


@evaluation_cli.command("send-follow-ups")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to send for (YYYY-MM-DD); default: today (UTC).")
@with_appcontext
def send_follow_ups_command(as_of):
    """Queue the follow-up questionnaires due and the one reminder of each unanswered one."""
    day = as_of.date() if as_of else utcnow().date()
    counts = services.send_follow_ups(day)
    db.session.commit()  # the messages go out once the context ends (app.mail)
    click.echo(f"{day.isoformat()}: {counts['invitations']} follow-up invitations, {counts['reminders']} reminders.")
