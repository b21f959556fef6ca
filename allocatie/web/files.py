"""The month's files in the web app: checked on upload, kept, laid out for a run.

A coordinator uploads the households, the offer and the policy (and, if there
are any, amenities); a corporation's planner uploads its own offer. Each
upload is checked the way ``allocatie month propose`` checks files — the same
readers, the same messages, every problem of every file at once with its line
and column — together with the files already stored, and is stored only when
nothing is wrong. File names in the problems are the names the user uploaded,
never the temporary paths the readers saw.

The offer of the month is the coordinator's dwellings file with, for every
corporation that uploaded its own, that corporation's rows replaced by its
file. When more than one file makes up the offer they are joined into one
canonical CSV (typed values written plainly: ISO dates, decimal points,
``true``/``false``) and each of its lines remembers where it came from, so a
problem of the joined table still points at the file and line the user knows.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from allocatie.inputs.errors import InputError, Problem
from allocatie.inputs.io import read_table
from allocatie.inputs.schema import parse_dwellings
from allocatie.ledger.events import now
from allocatie.ledger.monthly import MonthFiles, read_month
from allocatie.ledger.store import Ledger
from allocatie.match import Inputs
from allocatie.web.tables import WebUpload

__all__ = [
    "KINDS",
    "LaidOut",
    "MAX_FILE_BYTES",
    "MonthSet",
    "Upload",
    "check_and_store",
    "current_set",
    "laid_out",
    "prune",
    "read_set",
]

#: What may be uploaded, with the file types each kind accepts.
KINDS: dict[str, tuple[str, ...]] = {
    "households": (".csv", ".xlsx", ".txt", ".tsv"),
    "dwellings": (".csv", ".xlsx", ".txt", ".tsv"),
    "policy": (".toml",),
    "amenities": (".csv", ".xlsx", ".txt", ".tsv"),
}
#: Dutch names of the kinds, for the screens and the messages.
KIND_NL = {
    "households": "huishoudens",
    "dwellings": "aanbod",
    "policy": "beleid",
    "amenities": "voorzieningen",
}
#: The largest file accepted (a city's month is a few kilobytes; a national file a few MB).
MAX_FILE_BYTES = 5 * 1024 * 1024
_REQUIRED = ("households", "dwellings", "policy")
_SAFE_NAME = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class Upload:
    """One file as received: its kind, the name the user's computer gave it, its bytes."""

    kind: str
    filename: str
    content: bytes
    corporation: str | None = None

    @property
    def suffix(self) -> str:
        return Path(self.filename).suffix.lower()


def clean_name(name: str) -> str:
    """The base name of an uploaded file, without folders or odd characters (shown on screens)."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    return (_SAFE_NAME.sub("_", base) or "bestand")[:120]


@dataclass(frozen=True)
class MonthSet:
    """The stored uploads a run reads: at most one per kind, several offers."""

    households: WebUpload | None = None
    policy: WebUpload | None = None
    amenities: WebUpload | None = None
    dwellings: tuple[WebUpload, ...] = ()

    @property
    def ids(self) -> list[int]:
        rows = [self.households, self.policy, self.amenities, *self.dwellings]
        return sorted(r.id for r in rows if r is not None and r.id is not None)

    @property
    def missing(self) -> list[str]:
        """Required kinds not uploaded yet."""
        present = {
            "households": self.households,
            "policy": self.policy,
            "dwellings": self.dwellings or None,
        }
        return [k for k in _REQUIRED if present[k] is None]

    def replaced(self, uploads: Sequence[WebUpload]) -> MonthSet:
        """This set with ``uploads`` in place of what they supersede."""
        out = self
        for up in uploads:
            if up.kind == "dwellings":
                kept = tuple(d for d in out.dwellings if d.corporation != up.corporation)
                out = MonthSet(out.households, out.policy, out.amenities, (*kept, up))
            else:
                values = {"households": out.households, "policy": out.policy}
                values["amenities"] = out.amenities
                values[up.kind] = up
                out = MonthSet(
                    values["households"], values["policy"], values["amenities"], out.dwellings
                )
        return out


def current_set(session: Session, municipality: str) -> MonthSet:
    """The uploads in force for ``municipality`` (not superseded)."""
    rows = session.scalars(
        select(WebUpload)
        .where(WebUpload.municipality == municipality, WebUpload.superseded.is_(False))
        .order_by(WebUpload.id)
    )
    found: dict[str, WebUpload] = {}
    offers: list[WebUpload] = []
    for row in rows:
        if row.kind == "dwellings":
            offers.append(row)
        else:
            found[row.kind] = row
    return MonthSet(
        found.get("households"),
        found.get("policy"),
        found.get("amenities"),
        tuple(sorted(offers, key=lambda r: (r.corporation is not None, r.corporation or ""))),
    )


def read_set(session: Session, ids: Sequence[int]) -> MonthSet:
    """The set a proposal was made from, by upload ids (superseded or not)."""
    rows = list(session.scalars(select(WebUpload).where(WebUpload.id.in_(list(ids)))))
    empty = MonthSet()
    return empty.replaced(sorted(rows, key=lambda r: r.id))


@dataclass
class LaidOut:
    """A set written to a private temporary folder: the paths for a run, and back again.

    ``names`` maps each path the readers see to the file name the user knows;
    ``lines`` maps a line of the joined offer to (file name, line).
    """

    inputs: Inputs | None
    names: dict[str, str] = field(default_factory=dict)
    lines: dict[int, tuple[str, int]] = field(default_factory=dict)
    joined: str | None = None
    offer: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def translate(self, problems: Sequence[Problem]) -> list[Problem]:
        """``problems`` with the user's file names and lines instead of temporary ones."""
        out = []
        for p in problems:
            file = self.names.get(p.file, p.file)
            line = p.line
            if self.joined is not None and p.file == self.joined and line in self.lines:
                file, line = self.lines[line]
            for path, name in self.names.items():  # a path quoted inside a message
                if path in p.message:
                    p = Problem(p.file, p.line, p.column, p.message.replace(path, name))
            out.append(Problem(file, line, p.column, p.message))
        return out


def _display(upload: WebUpload) -> str:
    who = f", {upload.corporation}" if upload.corporation else ""
    return f"{upload.filename} ({KIND_NL[upload.kind]}{who})"


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """A typed dwellings table as plain text a reader takes back unchanged."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column == "source_line" or column.startswith("_"):
            continue
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
        elif pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(values):
            text = values.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        else:
            text = values.map(lambda v: "" if v is None or pd.isna(v) else str(v))
        out[column] = text.fillna("").astype(str)
    return out


def _join_offers(offers: Sequence[WebUpload], folder: Path, laid: LaidOut) -> Path | None:
    """The month's offer as one file (see the module docstring); ``None`` if a part is broken."""
    own = {o.corporation for o in offers if o.corporation is not None}
    parts: list[pd.DataFrame] = []
    origin: list[tuple[str, int]] = []
    for k, offer in enumerate(offers):
        path = folder / f"aanbod-{k}{Path(offer.filename).suffix.lower()}"
        path.write_bytes(offer.content)
        name = _display(offer)
        laid.names[str(path)] = name
        try:
            raw = read_table(path, display_name=str(path), required=("dwelling_id", "rent"))
        except InputError as error:
            laid.problems += error.problems
            continue
        frame, found = parse_dwellings(raw)
        if found:
            laid.problems += found
            continue
        if offer.corporation is None and own and "corporation" in frame.columns:
            frame = frame[~frame["corporation"].isin(own)]
        parts.append(_canonical(frame))
        origin += [(name, int(line)) for line in frame["source_line"]]
    if laid.problems:
        return None
    joined = pd.concat(parts, ignore_index=True).fillna("") if parts else pd.DataFrame()
    target = folder / "aanbod.csv"
    joined.to_csv(target, index=False)
    laid.joined = str(target)
    laid.names[str(target)] = "aanbod (samengevoegd)"
    laid.lines = {i + 2: where for i, where in enumerate(origin)}
    return target


@contextmanager
def laid_out(month: MonthSet) -> Iterator[LaidOut]:
    """Write ``month`` into a private temporary folder (removed afterwards) for the readers."""
    with tempfile.TemporaryDirectory(prefix="allocatie-web-") as tmp:
        folder = Path(tmp)
        laid = LaidOut(None)
        paths: dict[str, Path] = {}
        for kind in ("households", "policy", "amenities"):
            upload: WebUpload | None = getattr(month, kind)
            if upload is None:
                continue
            path = folder / f"{kind}{Path(upload.filename).suffix.lower()}"
            path.write_bytes(upload.content)
            laid.names[str(path)] = _display(upload)
            paths[kind] = path
        if len(month.dwellings) == 1:
            offer = month.dwellings[0]
            path = folder / f"dwellings{Path(offer.filename).suffix.lower()}"
            path.write_bytes(offer.content)
            laid.names[str(path)] = _display(offer)
            paths["dwellings"] = path
            laid.offer = str(path)
        elif month.dwellings:
            joined = _join_offers(month.dwellings, folder, laid)
            if joined is not None:
                paths["dwellings"] = joined
                laid.offer = str(joined)
        if all(k in paths for k in _REQUIRED):
            laid.inputs = Inputs(
                households=paths["households"],
                dwellings=paths["dwellings"],
                policy=paths["policy"],
                amenities=paths.get("amenities"),
            )
        yield laid


def _first_checks(uploads: Sequence[Upload], corporation: str | None) -> list[Problem]:
    """What is wrong with the files themselves, before they are read."""
    problems = []
    for up in uploads:
        name = clean_name(up.filename)
        if up.kind not in KINDS:
            problems.append(Problem(name, None, None, "onbekend soort bestand"))
        elif up.suffix not in KINDS[up.kind]:
            allowed = ", ".join(KINDS[up.kind])
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    f"een bestand met {KIND_NL[up.kind]} moet {allowed} zijn (Excel: sla op als "
                    "'Excel-werkmap' of 'CSV UTF-8')",
                )
            )
        elif len(up.content) > MAX_FILE_BYTES:
            problems.append(
                Problem(name, None, None, f"het bestand is groter dan {MAX_FILE_BYTES // 2**20} MB")
            )
        elif not up.content:
            problems.append(Problem(name, None, None, "het bestand is leeg"))
        if corporation is not None and up.kind != "dwellings":
            problems.append(
                Problem(name, None, None, "een corporatie kan alleen haar eigen aanbod uploaden")
            )
    return problems


def _own_rows(upload: Upload, path: Path, corporation: str) -> list[Problem]:
    """A corporation's file may hold only dwellings of that corporation."""
    name = clean_name(upload.filename)
    try:
        raw = read_table(path, display_name=name, required=("dwelling_id", "corporation"))
    except InputError as error:
        return error.problems
    if "corporation" not in raw.frame.columns:
        return []  # the schema reports the missing column
    other = raw.frame["corporation"].fillna("") != corporation
    return [
        Problem(
            name,
            int(line),
            "corporation",
            f"deze woning is niet van {corporation}; u kunt alleen uw eigen aanbod uploaden",
        )
        for line in raw.frame.loc[other, "source_line"]
    ]


def _check_offer_alone(laid: LaidOut) -> list[Problem]:
    """The offer alone, when households and policy are not there yet."""
    path = laid.offer
    if laid.problems or path is None:
        return laid.problems
    try:
        raw = read_table(path, display_name=path, required=("dwelling_id", "rent"))
    except InputError as error:
        return error.problems
    return parse_dwellings(raw)[1]


def check_and_store(
    ledger: Ledger,
    municipality: str,
    uploads: Sequence[Upload],
    *,
    user: str,
    corporation: str | None = None,
) -> tuple[list[Problem], MonthFiles | None]:
    """Check ``uploads`` with the stored files; store them only when nothing is wrong.

    Parameters
    ----------
    corporation
        Set for a corporation's planner: only a dwellings file, only its rows.

    Returns
    -------
    problems
        Every problem found, with the user's file names; empty when stored.
    files
        The month as read (for the screen), or ``None`` when not all files are
        there yet or something was wrong.
    """
    problems = _first_checks(uploads, corporation)
    if not uploads:
        problems.append(Problem("upload", None, None, "kies eerst een bestand"))
    if problems:
        return problems, None
    staged = [
        WebUpload(
            municipality=municipality,
            kind=u.kind,
            corporation=corporation if u.kind == "dwellings" else None,
            filename=clean_name(u.filename),
            content=u.content,
            sha256=hashlib.sha256(u.content).hexdigest(),
            uploaded_at=now(),
            uploaded_by=user,
            superseded=False,
        )
        for u in uploads
    ]
    with ledger.transaction() as session:
        stored = current_set(session, municipality)
        session.expunge_all()
    month = stored.replaced(staged)
    files: MonthFiles | None = None
    with laid_out(month) as laid:
        if corporation is not None:
            for up in uploads:
                with tempfile.NamedTemporaryFile(suffix=Path(up.filename).suffix.lower()) as tmp:
                    tmp.write(up.content)
                    tmp.flush()
                    problems += _own_rows(up, Path(tmp.name), corporation)
        if laid.inputs is None:
            problems += laid.translate(_check_offer_alone(laid))
        else:
            try:
                files = read_month(laid.inputs)
            except InputError as error:
                problems += laid.translate(error.problems)
            else:
                if files.policy.municipality not in (None, municipality):
                    problems.append(
                        Problem(
                            laid.names[str(laid.inputs.policy)],
                            None,
                            "municipality",
                            f"het beleid is voor {files.policy.municipality}, de open periode "
                            f"voor {municipality}",
                        )
                    )
    if problems:
        return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message)), None
    with ledger.transaction() as session:
        for row in session.scalars(
            select(WebUpload).where(
                WebUpload.municipality == municipality, WebUpload.superseded.is_(False)
            )
        ):
            if any(
                row.kind == s.kind and (row.kind != "dwellings" or row.corporation == s.corporation)
                for s in staged
            ):
                row.superseded = True
        session.add_all(staged)
    return [], files


def prune(ledger: Ledger, municipality: str) -> int:
    """Delete the uploads made before the municipality's latest period was closed.

    The uploaded files hold the month's households (personal data); once the
    half year is closed the ledger keeps what the counts and the history need,
    and the files have no further use here. Returns how many were deleted.
    """
    from sqlalchemy import delete

    from allocatie.ledger.schema import PeriodRecord

    with ledger.transaction() as session:
        closed = session.scalars(
            select(PeriodRecord.closed_at)
            .where(PeriodRecord.municipality == municipality, PeriodRecord.closed_at.is_not(None))
            .order_by(PeriodRecord.closed_at.desc())
        ).first()
        if closed is None:
            return 0
        gone = session.execute(
            delete(WebUpload).where(
                WebUpload.municipality == municipality, WebUpload.uploaded_at < closed
            )
        )
        return int(getattr(gone, "rowcount", 0) or 0)


def set_summary(month: MonthSet) -> list[dict[str, str]]:
    """What is uploaded, for the upload screen: kind, file, by whom, when."""
    rows = []
    for up in [month.households, month.policy, month.amenities, *month.dwellings]:
        if up is None:
            continue
        rows.append(
            {
                "kind": KIND_NL[up.kind],
                "corporation": up.corporation or "",
                "filename": up.filename,
                "by": up.uploaded_by,
                "at": up.uploaded_at.isoformat(),
                "sha256": up.sha256[:12],
            }
        )
    return rows


def ids_json(month: MonthSet) -> str:
    return json.dumps(month.ids)
