"""`flask curricula ...`: check and import the curriculum files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db

from . import cues, review, reviewfiles
from .loader import load_curriculum
from .status import as_text, claim_counts, claims_text, course_translations, matrix
from .tree import read_curriculum


@click.group("curricula")
def curricula_cli():
    """Check and import the curriculum (curricula/ and assessments/)."""


def _read(curricula: str | None, assessments: str | None):
    return read_curriculum(
        Path(curricula) if curricula else Path(current_app.config["CURRICULA_DIR"]),
        Path(assessments) if assessments else Path(current_app.config["ASSESSMENTS_DIR"]),
    )


_dirs = [
    click.option("--curricula", type=click.Path(file_okay=False, exists=True), help="Curricula directory."),
    click.option("--assessments", type=click.Path(file_okay=False, exists=True), help="Assessments directory."),
]


def _with_dirs(func):
    for option in reversed(_dirs):
        func = option(func)
    return func


@curricula_cli.command("validate")
@_with_dirs
@click.option("--cue-tables", is_flag=True, help="Print the cue linter's table for every bank and course, not only failing ones.")
@with_appcontext
def validate_command(curricula, assessments, cue_tables):
    """Check every module, profile, passage, translation and question bank; print `path:line: message`.

    Then run the cue linter (docs/cue-linter.md): can a bank be passed without reading the module?
    """
    cur = _read(curricula, assessments)
    for problem in cur.problems:
        click.echo(str(problem))
    if cur.problems:
        click.echo(f"{len(cur.problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    report = cues.lint(cur)
    banks = report.banks if cue_tables else [m for m in report.banks if m.failures]
    course_rows = report.courses if cue_tables else [m for m in report.courses if m.failures]
    if banks:
        click.echo(cues.table(banks))
    if course_rows:
        click.echo(cues.table(course_rows))
    for problem in report.problems:
        click.echo(str(problem))
    if report.failed:
        click.echo(f"{len(report.problems)} cue problem(s) found (docs/cue-linter.md).", err=True)
        raise SystemExit(1)
    questions = sum(len(b.questions) for b in cur.banks.values())
    click.echo(
        f"OK: {len(cur.modules)} modules in {len(cur.courses)} courses, {len(cur.profiles)} country profiles, "
        f"{len(cur.passages)} national passage files, {len(cur.translations)} translations, "
        f"{len(cur.banks)} question banks with {questions} questions."
    )


@curricula_cli.command("load")
@_with_dirs
@with_appcontext
def load_command(curricula, assessments):
    """Validate, then import into the database; nothing is written if anything is wrong."""
    cur = _read(curricula, assessments)
    if cur.problems:
        for problem in cur.problems:
            click.echo(str(problem))
        click.echo(f"{len(cur.problems)} problem(s) found; nothing was loaded.", err=True)
        raise SystemExit(1)
    try:
        report = load_curriculum(cur)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"Loaded {report.countries} countries, {report.courses} courses; "
        f"{len(report.new_versions)} new module versions, {len(report.unchanged_modules)} unchanged; "
        f"{len(report.new_banks)} new question banks; renditions: {report.renditions_written} written, "
        f"{report.renditions_unchanged} unchanged."
    )
    for line in report.new_versions:
        click.echo(f"  new version: {line}")
    for slug in report.retired:
        click.echo(f"  retired (file removed): {slug}")


@curricula_cli.command("status")
@_with_dirs
@with_appcontext
def status_command(curricula, assessments):
    """Print, per course and module, which countries have a national passage and which languages a translation."""
    cur = _read(curricula, assessments)
    click.echo(as_text(matrix(cur), sorted(cur.profiles), course_translations(cur)))
    click.echo()
    click.echo(claims_text(claim_counts(cur)))
    if cur.problems:
        click.echo(f"Note: {len(cur.problems)} validation problem(s); run 'flask curricula validate'.", err=True)


@curricula_cli.command("review-sheet")
@_with_dirs
@click.option("--country", help="Country code (e.g. AL); default: every country.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True)
@with_appcontext
def review_sheet_command(curricula, assessments, country, fmt, output):
    """Write the review sheet of national claims (status, source, the sentence each supports) for a legal expert."""
    cur = _read(curricula, assessments)
    sheet = review.rows(cur, country.upper() if country else None)
    if fmt == "csv":
        Path(output).write_text(review.to_csv(sheet), "utf-8")
    else:
        Path(output).write_bytes(review.to_xlsx(sheet, country or "all countries"))
    click.echo(f"Wrote {len(sheet)} claims to {output}.")


@curricula_cli.command("confirm-claims")
@_with_dirs
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def confirm_claims_command(curricula, assessments, sheet):
    """Record a filled review sheet: rows with confirmed_by become claims on the law's text. All or nothing."""
    curricula_dir = Path(curricula) if curricula else Path(current_app.config["CURRICULA_DIR"])
    assessments_dir = Path(assessments) if assessments else Path(current_app.config["ASSESSMENTS_DIR"])
    try:
        changed = review.apply(Path(sheet).read_text("utf-8"), curricula_dir, assessments_dir)
    except (review.SheetError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{sheet}: {exc}; nothing was changed") from None
    for path in changed:
        click.echo(f"Updated {path}")
    click.echo("Run 'flask curricula load' to publish the confirmations.")


def _dirs_of(curricula, assessments) -> tuple[Path, Path]:
    return (Path(curricula) if curricula else Path(current_app.config["CURRICULA_DIR"]),
            Path(assessments) if assessments else Path(current_app.config["ASSESSMENTS_DIR"]))


@curricula_cli.command("export-review")
@_with_dirs
@click.argument("module")
@click.argument("language")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
def export_review_command(curricula, assessments, module, language, output):
    """Export MODULE's translation into LANGUAGE (text, national passages, bank) as a PO file for a reviewer."""
    try:
        po = reviewfiles.export_po(*_dirs_of(curricula, assessments), module, language)
    except reviewfiles.ReviewFileError as exc:
        raise click.ClickException(str(exc)) from None
    text = str(po)
    if output:
        Path(output).write_text(text, "utf-8")
        click.echo(f"Wrote {len(po)} entries ({len(po.untranslated_entries())} untranslated, "
                   f"{len(po.fuzzy_entries())} to review) to {output}.", err=True)
    else:
        click.echo(text)


@curricula_cli.command("import-review")
@_with_dirs
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--reviewer", required=True, help="The native reviewer's name, recorded in the files.")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date of the review (default: today).")
@with_appcontext
def import_review_command(curricula, assessments, file, reviewer, on):
    """Write a reviewed PO file back into the translation's files (marked reviewed), all or nothing."""
    try:
        text = Path(file).read_text("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file}: not UTF-8 text") from None
    try:
        report = reviewfiles.import_po(*_dirs_of(curricula, assessments), text, reviewer=reviewer,
                                       on=on.date() if on else date.today())
    except reviewfiles.ReviewFileError as exc:
        raise click.ClickException(f"{file}: nothing was changed:\n" + "\n".join(f"  {p}" for p in exc.problems)) from None
    click.echo(f"Imported {report.entries} reviewed entries of {report.module_id} ({report.language}) into: "
               + ", ".join(report.files) + ". Run `flask curricula load` to publish them.")
