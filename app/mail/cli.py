"""`flask mail`: send what is waiting in the outbox (run it every few minutes), and see how it stands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import services

mail_cli = click.Group("mail", help="Send and inspect the e-mail outbox.")


@mail_cli.command("send")
@with_appcontext
def send_command():
    """Send pending messages and retry failed attempts that are due."""
    counts = services.send_pending()
    click.echo("Sent {sent}, to retry later {retry}, failed for good {failed}, left for later {skipped}, "
               "interrupted sends given up {stale}.".format(**counts))


@mail_cli.command("status")
@with_appcontext
def status_command():
    """How many messages are pending, being sent, sent and failed."""
    for status, count in services.status_counts().items():
        click.echo(f"{status}: {count}")
