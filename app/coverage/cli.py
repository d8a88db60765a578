"""`flask api-tokens`: tokens for automation."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.academy.models import Academy
from app.curriculum.models import Country
from app.extensions import db

from .tokens import create_token

api_tokens_cli = click.Group("api-tokens", help="API tokens for the coverage API.")


@api_tokens_cli.command("create")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--country", help="Scope: a country code.")
@click.option("--academy", help="Scope: an academy short name.")
@with_appcontext
def create_command(name, country, academy):
    """Create a token scoped to a country or an academy and print it once."""
    if bool(country) == bool(academy):
        raise click.UsageError("Give exactly one of --country or --academy.")
    academy_row = None
    if academy:
        academy_row = db.session.scalar(sa.select(Academy).filter_by(slug=academy))
        if academy_row is None:
            raise click.ClickException(f"Unknown academy '{academy}'.")
    if country and db.session.get(Country, country.upper()) is None:
        raise click.ClickException(f"Unknown country '{country}'.")
    _token, secret = create_token(name, country=country.upper() if country else None, academy=academy_row)
    db.session.commit()
    click.echo(secret)
