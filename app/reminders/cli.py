"""`flask reminders send`: run once a day (cron or a systemd timer); a second run the same day sends nothing."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.utils import utcnow

from . import services

reminders_cli = click.Group("reminders", help="E-mail reminders of due dates, overdue courses and weekly digests.")


@reminders_cli.command("send")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to send for (YYYY-MM-DD); default: today (UTC).")
@with_appcontext
def send_command(as_of):
    """Queue and send the reminders due today that were not sent before."""
    day: date = as_of.date() if as_of else utcnow().date()
    counts = services.send(day)
    db.session.commit()  # the messages go out once the context ends (app.mail)
    click.echo(f"{day.isoformat()}: {counts['due_soon']} before a due date, {counts['overdue']} overdue notices, "
               f"{counts['digest']} digests.")
