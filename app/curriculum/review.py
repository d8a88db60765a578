"""The per-country review sheet of national claims, and recording a legal expert's confirmations back into
the content files.

A national coordinator downloads the sheet (CSV or XLSX: every claim of the country's national passages and
profile, with its status, its source and the sentence it supports), sends it to a legal expert, and the
expert fills in, for each fact checked against the law's own text, the law, article and official
publication, with their name and the date. `flask curricula confirm-claims SHEET.csv` then writes those
confirmations into the passage and profile files (status `law`, with `confirmed_by` and `confirmed_on`),
checks the whole tree, and writes nothing if any row or the result has a problem.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from app.foundation import spreadsheets

from .definitions import CLAIM_REF_RE, Claim, Curriculum
from .source import parse_markdown
from .tree import read_curriculum

COLUMNS = ["country", "file", "module", "claim", "status", "statement", "source", "confirm",
           "law", "article", "publication", "confirmed_by", "confirmed_on"]


@dataclass
class Row:
    country: str
    file: str
    module: str
    claim: str
    status: str
    statement: str
    source: str
    confirm: str
    law: str
    article: str
    publication: str
    confirmed_by: str
    confirmed_on: str

    def values(self) -> list[str]:
        return [getattr(self, c) for c in COLUMNS]


def _statement(text: str, key: str) -> str:
    """The sentence (or clause) a claim mark follows, without marks or Markdown emphasis."""
    flat = " ".join(text.split())
    at = flat.find(f"[[{key}]]")
    if at < 0:
        return ""
    before = flat[:at].rstrip()
    start = max(before.rfind(". "), before.rfind("]] "), before.rfind("; ")) + 1
    sentence = before[start:].strip(" ]")
    return CLAIM_REF_RE.sub("", sentence).replace("**", "").strip()[:400]


def _row(country: str, path: str, module: str, claim: Claim, statement: str) -> Row:
    f = claim.fields
    return Row(country, path, module, claim.key, claim.status, statement,
               claim.citation if claim.status != "unconfirmed" else "", f.get("confirm", ""),
               f.get("law", ""), f.get("article", ""), f.get("publication", ""),
               f.get("confirmed_by", ""), f.get("confirmed_on", ""))


def rows(cur: Curriculum, country: str | None = None) -> list[Row]:
    """Every claim of the English national passages and the profiles, for one country or all."""
    out = []
    for passage in sorted(cur.passages, key=lambda p: (p.country, p.module_id)):
        if passage.language != "en" or (country and passage.country != country):
            continue
        text = "\n".join(chunk.text for chunk in passage.passages.values())
        for claim in passage.claims.values():
            out.append(_row(passage.country, passage.path, passage.module_id, claim, _statement(text, claim.key)))
    for code, profile in sorted(cur.profiles.items()):
        if country and code != country:
            continue
        for ref in profile.legal_references.values():
            if ref.claim is not None:
                out.append(_row(code, profile.path, "", ref.claim, f"{ref.citation}: {ref.description}".strip(": ")))
    return out


def to_csv(sheet: list[Row]) -> str:
    return spreadsheets.to_csv(COLUMNS, (row.values() for row in sheet))


def to_xlsx(sheet: list[Row], title: str) -> bytes:
    return spreadsheets.to_xlsx(COLUMNS, (row.values() for row in sheet), title or "Claims")


# --- recording confirmations --------------------------------------------------------------------


class SheetError(ValueError):
    """A review sheet that cannot be applied; the message names the row."""


def _confirmations(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("file", "claim", "law", "article", "publication", "confirmed_by", "confirmed_on")
               if c not in (reader.fieldnames or [])]
    if missing:
        raise SheetError(f"line 1: missing column(s): {', '.join(missing)}")
    wanted = []
    for row in reader:
        if not (row.get("confirmed_by") or "").strip():
            continue  # not (yet) confirmed by the expert
        line = reader.line_num
        for column in ("law", "article", "publication", "confirmed_on"):
            if not (row.get(column) or "").strip():
                raise SheetError(f"line {line}: a confirmed claim needs '{column}' (the law's text it was checked against)")
        try:
            date.fromisoformat(row["confirmed_on"].strip())
        except ValueError:
            raise SheetError(f"line {line}: confirmed_on '{row['confirmed_on']}' is not a date (YYYY-MM-DD)") from None
        wanted.append({**{k: (v or "").strip() for k, v in row.items() if k}, "line": line})
    if not wanted:
        raise SheetError("no row has a confirmed_by: nothing to record")
    return wanted


def _law_fields(row: dict) -> dict:
    return {"status": "law", "law": row["law"], "article": row["article"], "publication": row["publication"],
            "confirmed_by": row["confirmed_by"], "confirmed_on": row["confirmed_on"]}


def _yaml_value(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def _rewrite_passage(path: Path, updates: dict[str, dict]) -> None:
    doc = parse_markdown(path.read_text("utf-8"), str(path))
    lines = doc.raw.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    meta = dict(doc.meta)
    claims = {str(k): dict(v) for k, v in (meta.get("claims") or {}).items()}
    for key, fields in updates.items():
        if key not in claims:
            raise SheetError(f"{path}: no claim '{key}'")
        claims[key] = fields
    front = []
    for key, value in meta.items():
        if key == "claims":
            front.append("claims:")
            for ckey, fields in claims.items():
                front.append(f"  {ckey}:")
                front += [f"    {name}: {_yaml_value(v)}" for name, v in fields.items()]
        else:
            front.append(f"{key}: {_yaml_value(value)}")
    path.write_text("\n".join(["---", *front, "---", *lines[end + 1:]]), "utf-8")


def _rewrite_profile(path: Path, updates: dict[str, dict]) -> None:
    """Replace the status fields of each named legal reference, keeping everything else of the file."""
    lines = path.read_text("utf-8").split("\n")
    for key, fields in updates.items():
        start = next((i for i, line in enumerate(lines) if line.rstrip() == f"  {key}:"), None)
        if start is None:
            raise SheetError(f"{path}: no legal reference '{key}'")
        end = start + 1
        while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
            end += 1
        kept = [line for line in lines[start + 1:end]
                if line.strip().split(":", 1)[0] in ("citation", "description")]
        lines[start + 1:end] = kept + [f"    {name}: {_yaml_value(v)}" for name, v in fields.items()]
    path.write_text("\n".join(lines), "utf-8")


def apply(sheet_text: str, curricula: Path, assessments: Path) -> list[str]:
    """Record the confirmed rows of a sheet into the files; returns the files changed. All or nothing."""
    wanted = _confirmations(sheet_text)
    root = curricula.resolve().parent
    by_file: dict[str, dict[str, dict]] = {}
    for row in wanted:
        by_file.setdefault(row["file"], {})[row["claim"]] = _law_fields(row)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / curricula.name
        shutil.copytree(curricula, staged)
        for rel, updates in by_file.items():
            rel_path = Path(rel)
            if rel_path.is_absolute() or ".." in rel_path.parts or not rel.startswith(curricula.name + "/"):
                raise SheetError(f"file '{rel}' is not a file of {curricula.name}/")
            target = staged / Path(*rel_path.parts[1:])
            if not target.is_file():
                raise SheetError(f"file '{rel}' does not exist")
            (_rewrite_profile if target.suffix == ".yml" else _rewrite_passage)(target, updates)
        checked = read_curriculum(staged, assessments)
        structural = [str(p) for p in checked.problems]
        if structural:
            raise SheetError("the confirmed files would have problems: " + "; ".join(structural[:5]))
        for rel in by_file:
            shutil.copyfile(staged / Path(*Path(rel).parts[1:]), root / rel)
    return sorted(by_file)
