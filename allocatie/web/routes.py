"""The screens and their actions, one handler each; roles are checked here, on the server.

Paths carry proposal numbers and the ledger's internal household reference
(``/huishouden/17``), never a household id; row actions post the row number
and the CSRF token in the form body. A handler that works on the ledger or the
solver runs in a worker thread, so one slow re-solve does not hold up other
users' pages.

A row action sent by the page's script (header ``X-Requested-With: fetch``)
answers with the meeting part of the page only; without script the whole page
comes back, so every action works in a browser with JavaScript switched off.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from allocatie.inputs.errors import InputError, Problem
from allocatie.ledger.events import KIND_NL, history, local_time
from allocatie.ledger.periods import open_period
from allocatie.ledger.schema import HouseholdRecord
from allocatie.ledger.store import Ledger
from allocatie.report.why import SOLVED_KINDS, why_not
from allocatie.web import documents, meeting, screens
from allocatie.web.app import page
from allocatie.web.files import KINDS, MAX_FILE_BYTES, Upload, check_and_store, prune
from allocatie.web.security import Throttle, checked_form, current_user, headers
from allocatie.web.users import Role, User, authenticate

__all__ = ["routes"]


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def _today(request: Request) -> dt.date:
    return request.app.state.settings.today or dt.date.today()


def _user(request: Request, *roles: Role) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    if roles and user.role not in roles:
        raise HTTPException(403, "Dit mag u met uw rol niet.")
    return user


def _municipality(request: Request) -> str | None:
    value = request.session.get("municipality")
    return value if isinstance(value, str) else None


def _is_fetch(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


# --- login -----------------------------------------------------------------


async def login_form(request: Request) -> Response:
    return page(request, "login.html", {"error": None})


def _throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


async def login(request: Request) -> Response:
    form = await checked_form(request)
    username = str(form.get("username") or "").strip()[:100]
    password = str(form.get("password") or "")[:1000]
    if _throttle(request).locked(username):
        return page(
            request,
            "login.html",
            {"error": "Te vaak een verkeerd wachtwoord; probeer het over een minuut opnieuw."},
            status=429,
        )
    user = await run_in_threadpool(authenticate, _ledger(request), username, password)
    if user is None:
        _throttle(request).failed(username)
        return page(
            request,
            "login.html",
            {"error": "Onbekende gebruikersnaam of verkeerd wachtwoord."},
            status=401,
        )
    _throttle(request).passed(username)
    request.session.clear()  # a new session: no token of the anonymous one lives on
    request.session["user"] = user.username
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- start -------------------------------------------------------------------


async def start(request: Request) -> Response:
    user = _user(request)
    board = await run_in_threadpool(
        screens.dashboard, _ledger(request), user, _municipality(request), _today(request)
    )
    return page(request, "start.html", {"user": user, "board": board, "problems": []})


def _int(value: Any, name: str, problems: list[Problem], *, optional: bool = False) -> int | None:
    text = str(value or "").strip()
    if not text and optional:
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(Problem(name, None, None, "vul een geheel getal in"))
        return None


def _date(
    value: Any, name: str, problems: list[Problem], *, optional: bool = False
) -> dt.date | None:
    text = str(value or "").strip()
    if not text and optional:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, None, None, "vul een datum in als JJJJ-MM-DD"))
        return None


async def open_period_route(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    form = await checked_form(request)
    problems: list[Problem] = []
    municipality = str(form.get("municipality") or "").strip().upper()
    start = _date(form.get("start"), "begin", problems)
    end = _date(form.get("end"), "einde", problems)
    quota = _int(form.get("quota"), "taakstelling", problems)
    backlog = _int(form.get("backlog"), "achterstand", problems, optional=True)
    if not problems:
        assert start is not None and end is not None and quota is not None
        try:
            await run_in_threadpool(
                lambda: open_period(
                    _ledger(request),
                    municipality=municipality,
                    start=start,
                    end=end,
                    quota=quota,
                    backlog=backlog,
                    user=user.username,
                )
            )
        except InputError as error:
            problems = error.problems
    if problems:
        board = await run_in_threadpool(
            screens.dashboard, _ledger(request), user, None, _today(request)
        )
        return page(
            request, "start.html", {"user": user, "board": board, "problems": problems}, 422
        )
    request.session["municipality"] = municipality
    await run_in_threadpool(prune, _ledger(request), municipality)
    return RedirectResponse("/", status_code=303)


# --- upload ------------------------------------------------------------------


async def upload_form(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR, Role.CORPORATION)
    board = await run_in_threadpool(
        screens.dashboard, _ledger(request), user, _municipality(request), _today(request)
    )
    return page(
        request, "upload.html", {"user": user, "board": board, "problems": [], "done": False}
    )


async def upload(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR, Role.CORPORATION)
    form = await checked_form(request)
    files: list[Upload] = []
    allowed = ("dwellings",) if user.role is Role.CORPORATION else tuple(KINDS)
    for kind in allowed:
        item = form.get(kind)
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read(MAX_FILE_BYTES + 1)
            files.append(Upload(kind, item.filename, content))
    ledger = _ledger(request)
    found = await run_in_threadpool(screens.open_period, ledger, _municipality(request))
    if found is None:
        problems = [Problem("ledger", None, None, "er is geen open periode; open er eerst een")]
    else:
        problems, _ = await run_in_threadpool(
            lambda: check_and_store(
                ledger,
                found[0].municipality,
                files,
                user=user.username,
                corporation=user.corporation if user.role is Role.CORPORATION else None,
            )
        )
    board = await run_in_threadpool(
        screens.dashboard, ledger, user, _municipality(request), _today(request)
    )
    return page(
        request,
        "upload.html",
        {"user": user, "board": board, "problems": problems, "done": not problems},
        422 if problems else 200,
    )


# --- the proposal ----------------------------------------------------------------


async def new_proposal(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    form = await checked_form(request)
    problems: list[Problem] = []
    date = _date(form.get("date"), "datum", problems, optional=True)
    ledger = _ledger(request)
    found = await run_in_threadpool(screens.open_period, ledger, _municipality(request))
    if found is None:
        problems.append(Problem("ledger", None, None, "er is geen open periode"))
    if not problems:
        assert found is not None
        pid, problems = await run_in_threadpool(
            meeting.make_proposal, ledger, found[0].municipality, date, user.username
        )
        if pid is not None:
            return RedirectResponse(f"/voorstel/{pid}", status_code=303)
    board = await run_in_threadpool(
        screens.dashboard, ledger, user, _municipality(request), _today(request)
    )
    return page(request, "start.html", {"user": user, "board": board, "problems": problems}, 422)


async def latest(request: Request) -> Response:
    _user(request)
    found = await run_in_threadpool(screens.open_period, _ledger(request), _municipality(request))
    pid = None
    if found is not None:
        pid = await run_in_threadpool(
            meeting.latest_proposal, _ledger(request), found[0].municipality
        )
    return RedirectResponse(f"/voorstel/{pid}" if pid else "/", status_code=303)


def _meeting_context(
    request: Request,
    user: User,
    plan: meeting.Working | meeting.Stale,
    problems: list[Problem] | None = None,
    why: dict[str, Any] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "user": user,
        "plan": plan,
        "stale": isinstance(plan, meeting.Stale),
        "problems": problems or [],
        "why": why,
        "pid": (pid := plan.proposal_id),
        "map_version": int(time.time() * 1000),
    }
    if isinstance(plan, meeting.Working):
        rows = screens.plan_rows(plan, user)
        context.update(
            rows=rows if user.sees_households else [],
            summary=screens.summary(plan),
            changes=[c for c in plan.changes if c.household_id in {r["household_id"] for r in rows}]
            if user.sees_households
            else [],
            change_count=len(plan.changes),
            offer=_offer_choices(plan, user),
            confirmable=bool(plan.drafts),
        )
    else:
        flash = request.session.pop("confirmed", None)
        context.update(
            kept=user.is_coordinator
            and meeting.confirmed_plan(_ledger(request), plan.proposal_id) is not None,
            confirmed=flash if isinstance(flash, dict) and flash.get("proposal") == pid else None,
        )
    return context


def _offer_choices(plan: meeting.Working, user: User) -> list[dict[str, str]]:
    """The dwellings a user may ask "why not?" about: the offer of the month, own ones only."""
    dwellings = plan.outcome.instance.dwellings
    out = []
    for did, corp, rooms in zip(
        dwellings["dwelling_id"].astype(str),
        dwellings["corporation"].astype(str),
        dwellings["bedrooms"],
    ):
        if user.owns(corp):
            out.append({"id": did, "label": f"{did} ({corp}, {int(rooms)} slpk)"})
    for removed in plan.month.removed:
        if removed.kind == "dwelling" and user.is_coordinator:
            out.append({"id": removed.id, "label": f"{removed.id} (niet op tafel)"})
    return out


async def _plan(request: Request, pid: int) -> meeting.Working | meeting.Stale:
    plan = await run_in_threadpool(meeting.working, _ledger(request), pid)
    if isinstance(plan, meeting.Stale) and not plan.exists:
        raise HTTPException(404)
    return plan


def _meeting_response(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    name = "_meeting.html" if _is_fetch(request) else "proposal.html"
    return page(request, name, context, status)


async def proposal_page(request: Request) -> Response:
    user = _user(request)
    pid = int(request.path_params["pid"])
    try:
        plan = await _plan(request, pid)
    except Exception as error:  # noqa: BLE001 - stored files that no longer read
        if isinstance(error, HTTPException):
            raise
        raise HTTPException(409, "Dit voorstel kan niet opnieuw worden berekend.") from None
    return page(request, "proposal.html", _meeting_context(request, user, plan))


def _row(plan: meeting.Working, form_row: Any) -> dict[str, Any]:
    try:
        index = int(str(form_row))
    except ValueError:
        raise HTTPException(400, "Onbekende rij.") from None
    frame = plan.outcome.plan
    if not 0 <= index < len(frame):
        raise HTTPException(400, "Onbekende rij.")
    row = frame.iloc[index]
    corp = row["corporation"]
    return {
        "household_id": str(row["household_id"]),
        "dwelling_id": None if row.isna()["dwelling_id"] else str(row["dwelling_id"]),
        "corporation": None if row.isna()["corporation"] else str(corp),
    }


def _corporation_of(plan: meeting.Working, dwelling_id: str) -> str | None:
    dwellings = plan.outcome.instance.dwellings
    hit = dwellings[dwellings["dwelling_id"].astype(str) == dwelling_id]
    return None if hit.empty else str(hit["corporation"].iloc[0])


def _may_decide(user: User, plan: meeting.Working, row: dict[str, Any], target: str | None) -> bool:
    """A coordinator decides on every row; a corporation on rows of its own dwellings only."""
    if user.role is Role.VIEWER:
        return False
    if user.is_coordinator:
        return True
    draft = plan.draft_of(row["household_id"])
    dwellings = [row["dwelling_id"], target, draft.dwelling_id if draft else None]
    return all(user.owns(_corporation_of(plan, d)) for d in dwellings if d is not None)


async def decide_route(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR, Role.CORPORATION)
    pid = int(request.path_params["pid"])
    form = await checked_form(request)
    plan = await _plan(request, pid)
    if isinstance(plan, meeting.Stale):
        return _meeting_response(request, _meeting_context(request, user, plan), 409)
    row = _row(plan, form.get("row"))
    action = str(form.get("action") or "")
    target = str(form.get("dwelling") or "").strip() or None
    if not _may_decide(user, plan, row, target):
        raise HTTPException(403, "Over deze woning beslist een andere corporatie.")
    after, problems = await run_in_threadpool(
        meeting.decide, _ledger(request), pid, row["household_id"], action, user.username, target
    )
    return _meeting_response(
        request, _meeting_context(request, user, after, problems), 422 if problems else 200
    )


async def accept_all(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR, Role.CORPORATION)
    pid = int(request.path_params["pid"])
    await checked_form(request)
    after = await run_in_threadpool(
        meeting.accept_rest,
        _ledger(request),
        pid,
        user.username,
        lambda corporation: user.owns(None if corporation is None else str(corporation)),
    )
    return _meeting_response(request, _meeting_context(request, user, after))


async def why_route(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR, Role.CORPORATION)
    pid = int(request.path_params["pid"])
    form = await checked_form(request)
    plan = await _plan(request, pid)
    if isinstance(plan, meeting.Stale):
        return _meeting_response(request, _meeting_context(request, user, plan), 409)
    row = _row(plan, form.get("row"))
    target = str(form.get("dwelling") or "").strip()
    if not target:
        raise HTTPException(400, "Kies een woning.")
    if not user.is_coordinator and not (
        user.owns(row["corporation"]) and user.owns(_corporation_of(plan, target))
    ):
        raise HTTPException(403, "Over deze woning beslist een andere corporatie.")
    removed = {r.id: r.reason for r in plan.month.removed}
    # the screen names the household that has the dwelling: the user may ask only about
    # dwellings of its own (or, as coordinator, any); the losers only a coordinator sees
    answer = await run_in_threadpool(
        lambda: why_not(
            plan.outcome.instance,
            plan.outcome.result,
            row["household_id"],
            target,
            removed,
            others=True,
            lang="nl",
        )
    )
    why = {
        "row": int(str(form.get("row"))),
        "household_id": row["household_id"],
        "dwelling_id": target,
        "answer": answer,
        "eligible": answer.kind in SOLVED_KINDS,
    }
    if _is_fetch(request):
        return page(request, "_why.html", {"why": why, "pid": pid, "user": user})
    return page(request, "proposal.html", _meeting_context(request, user, plan, why=why))


async def confirm_route(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    pid = int(request.path_params["pid"])
    form = await checked_form(request)
    if str(form.get("proposal_id") or "") != str(pid):
        raise HTTPException(409, "Dit scherm hoort bij een ander voorstel; laad de pagina opnieuw.")
    done, problems = await run_in_threadpool(
        meeting.confirm_meeting, _ledger(request), pid, user.username
    )
    if done is None:
        plan = await _plan(request, pid)
        return page(request, "proposal.html", _meeting_context(request, user, plan, problems), 409)
    request.session["confirmed"] = {
        "proposal": pid,
        "accepted": done.accepted,
        "persons": done.persons_accepted,
        "refused": done.refused,
        "pinned": done.pinned,
        "undecided": done.undecided,
    }
    return RedirectResponse(f"/voorstel/{pid}", status_code=303)


async def map_route(request: Request) -> Response:
    user = _user(request)
    pid = int(request.path_params["pid"])
    plan = await _plan(request, pid)
    if isinstance(plan, meeting.Stale):
        return HTMLResponse(
            "<!DOCTYPE html><html lang=nl><meta charset=utf-8><p>Geen kaart: dit voorstel is "
            "niet meer actueel.</p></html>"
        )
    body = await run_in_threadpool(documents.map_page, plan, user)
    csp = (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )
    return headers(HTMLResponse(body), csp)


async def download(request: Request) -> Response:
    _user(request, Role.COORDINATOR)
    pid = int(request.path_params["pid"])
    name = str(request.path_params["name"])
    if name not in documents.DOWNLOADS:
        raise HTTPException(404)
    plan = await _plan(request, pid)
    if isinstance(plan, meeting.Stale):
        kept = meeting.confirmed_plan(_ledger(request), pid)
        if kept is None:
            raise HTTPException(404, "Deze bestanden zijn er niet meer; maak een nieuw voorstel.")
        plan = kept
    files = await run_in_threadpool(documents.plan_files, plan, name == "rapport.html")
    if name not in files:
        raise HTTPException(404)
    media = documents.DOWNLOADS[name][1]
    filename = f"voorstel-{pid}-{name}"
    return Response(
        files[name],
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- a household's history ------------------------------------------------------------


async def history_form(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    return page(request, "history.html", {"user": user, "lines": None, "error": None})


def _find_household(ledger: Ledger, household_id: str, municipality: str | None) -> int | None:
    from sqlalchemy import select

    with ledger.transaction() as session:
        statement = select(HouseholdRecord.id).where(HouseholdRecord.household_id == household_id)
        if municipality:
            statement = statement.where(HouseholdRecord.municipality == municipality)
        found = list(session.scalars(statement))
    return found[0] if len(found) == 1 else None


async def history_find(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    form = await checked_form(request)
    household_id = str(form.get("household_id") or "").strip()
    ref = await run_in_threadpool(
        _find_household, _ledger(request), household_id, _municipality(request)
    )
    if ref is None:
        return page(
            request,
            "history.html",
            {"user": user, "lines": None, "error": "Dit huishouden staat niet in de ledger."},
            404,
        )
    return RedirectResponse(f"/huishouden/{ref}", status_code=303)


def _history(ledger: Ledger, ref: int) -> tuple[str | None, list[dict[str, Any]]]:
    with ledger.transaction() as session:
        household = session.get(HouseholdRecord, ref)
        if household is None:
            return None, []
        label = household.household_id or "(vergeten)"
        lines = (
            history(
                session, household_id=household.household_id, municipality=household.municipality
            )
            if household.household_id
            else []
        )
    return label, [
        {
            "at": local_time(line.at),
            "kind": KIND_NL.get(line.kind, line.kind),
            "user": line.user,
            "proposal": line.proposal_id,
            "dwelling": line.dwelling_id or "",
            "message": line.message,
        }
        for line in lines
    ]


async def history_page(request: Request) -> Response:
    user = _user(request, Role.COORDINATOR)
    ref = int(request.path_params["ref"])
    label, lines = await run_in_threadpool(_history, _ledger(request), ref)
    if label is None:
        raise HTTPException(404)
    return page(
        request, "history.html", {"user": user, "lines": lines, "label": label, "error": None}
    )


def routes() -> list[Route]:
    """Every route of the app (the static files are mounted by the factory)."""
    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", start, methods=["GET"]),
        Route("/periode", open_period_route, methods=["POST"]),
        Route("/upload", upload_form, methods=["GET"]),
        Route("/upload", upload, methods=["POST"]),
        Route("/voorstel", latest, methods=["GET"]),
        Route("/voorstel", new_proposal, methods=["POST"]),
        Route("/voorstel/{pid:int}", proposal_page, methods=["GET"]),
        Route("/voorstel/{pid:int}/besluit", decide_route, methods=["POST"]),
        Route("/voorstel/{pid:int}/waarom", why_route, methods=["POST"]),
        Route("/voorstel/{pid:int}/alles-akkoord", accept_all, methods=["POST"]),
        Route("/voorstel/{pid:int}/bevestigen", confirm_route, methods=["POST"]),
        Route("/voorstel/{pid:int}/kaart", map_route, methods=["GET"]),
        Route("/voorstel/{pid:int}/{name}", download, methods=["GET"]),
        Route("/huishouden", history_form, methods=["GET"]),
        Route("/huishouden", history_find, methods=["POST"]),
        Route("/huishouden/{ref:int}", history_page, methods=["GET"]),
    ]
