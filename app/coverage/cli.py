"""`flask api-tokens`: tokens for automation, through the same service (and audit log) as the pages."""

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.foundation.errors import ServiceError

from .tokens import create_scoped

api_tokens_cli = click.Group("api-tokens", help="API tokens for the coverage API.")


@api_tokens_cli.command("create")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--country", help="Scope: a country code.")
@click.option("--academy", help="Scope: an academy short name.")
@with_appcontext
def create_command(name, country, academy):
    """Create a token scoped to a country or an academy and print it once."""
    try:
        _token, secret = create_scoped(name, country=country, academy_slug=academy)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(secret)
