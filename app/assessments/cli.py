"""`flask assessments export|import`: question exchange with Moodle."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.curriculum import cues
from app.curriculum.tree import PRONGS, read_curriculum

from . import exchange

FORMATS = ("gift", "moodle-xml")


@click.group("assessments", cls=AppGroup)
def assessments_cli():
    """Exchange question banks with Moodle (GIFT and Moodle XML)."""


def _dirs():
    return Path(current_app.config["CURRICULA_DIR"]), Path(current_app.config["ASSESSMENTS_DIR"])


@assessments_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--module", "modules", multiple=True, help="Module id (repeatable); default: every bank.")
@click.option("--prong", type=click.Choice(PRONGS), help="Only this course's banks.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True,
              help="File to write (UTF-8).")
def export_command(fmt, modules, prong, output):
    """Write banks as a GIFT or Moodle XML file, one Moodle category per module."""
    curricula, assessments = _dirs()
    cur = read_curriculum(curricula, assessments)
    if cur.problems:
        for problem in cur.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the curriculum has problems; fix them before exporting")
    banks = [b for key, b in sorted(cur.banks.items())
             if (not modules or key in modules) and (not prong or cur.modules[key].prong == prong)]
    unknown = [m for m in modules if m not in cur.banks]
    if unknown:
        raise click.ClickException(f"no question bank for module(s): {', '.join(unknown)}")
    if fmt == "gift":
        Path(output).write_text(exchange.write_gift(banks), "utf-8")
    else:
        Path(output).write_bytes(exchange.write_moodle_xml(banks))
    click.echo(f"Wrote {sum(len(b.questions) for b in banks)} questions of {len(banks)} bank(s) to {output}.")


@assessments_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the file name (.gift/.txt, .xml).")
@click.option("--module", help="Module id for a file without categories (or to put a single category's questions).")
@click.option("--accept-cues", is_flag=True, help="Write the bank even if the cue linter finds test-taking cues.")
def import_command(source, fmt, module, accept_cues):
    """Read a GIFT or Moodle XML file into the YAML banks, validated and cue-linted.

    Each Moodle category becomes the bank of the module it is named after. The bank's pass mark, draw
    and retake rules are kept from the existing bank (new bank: 70% and 6). Nothing is written if the
    result has any problem.
    """
    fmt = fmt or ("moodle-xml" if source.lower().endswith(".xml") else "gift")
    raw = Path(source).read_bytes()
    try:
        if fmt == "gift":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise exchange.ExchangeError(f"the file is not UTF-8 (byte {exc.start})") from None
            imported = exchange.read_gift(text, module)
        else:
            imported = exchange.read_moodle_xml(raw, module)
        for bank in imported:
            exchange.check_translations(bank)
    except exchange.ExchangeError as exc:
        raise click.ClickException(f"{source}: {exc}") from None
    curricula, assessments = _dirs()
    current = read_curriculum(curricula, assessments)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "assessments"
        shutil.copytree(assessments, staged)
        written = []
        for bank in imported:
            module_def = current.modules.get(bank.module)
            if module_def is None:
                raise click.ClickException(f"{source}: category '{bank.module}' names no module of the curriculum")
            old = current.banks.get(bank.module)
            statuses = {lang: tr["status"] for lang, tr in old.translations.items()} if old else {}
            # What Moodle has no field for stays as the existing bank has it: countries per question.
            limited = {q.key: q.countries for q in old.questions if q.countries} if old else {}
            for question in bank.questions:
                if question["id"] in limited:
                    question["countries"] = list(limited[question["id"]])
            text = exchange.bank_yaml(bank, pass_mark=old.pass_mark if old else 70, draw=old.draw if old else 6,
                                      retake=old.retake if old else None, statuses=statuses)
            target = staged / module_def.prong / f"{bank.module}.yml"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
            written.append((target, assessments / module_def.prong / f"{bank.module}.yml"))
        cur = read_curriculum(curricula, staged)
        if cur.problems:
            for problem in cur.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(f"{source}: the imported banks have problems; nothing was written")
        report = cues.lint(cur, {cur.banks[b.module].path for b in imported})
        click.echo(cues.table(report.banks))
        for problem in report.problems:
            click.echo(str(problem))
        if report.failed and not accept_cues:
            raise click.ClickException(f"{source}: the cue linter found {len(report.problems)} problem(s); nothing "
                                       f"was written (--accept-cues writes anyway)")
        for staged_file, final in written:
            final.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged_file, final)
            click.echo(f"Wrote {final}")
