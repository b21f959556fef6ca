"""The coordinator's web app: the monthly meeting on one screen, on top of the ledger.

``allocatie serve --ledger URL`` starts it; ``allocatie users add`` makes its
users. The modules, from the bottom up:

- :mod:`~allocatie.web.tables` — the app's own ``web_`` tables in the ledger's database;
- :mod:`~allocatie.web.users` — roles and Argon2 password hashes;
- :mod:`~allocatie.web.files` — uploads, checked as ``month propose`` checks files;
- :mod:`~allocatie.web.meeting` — propose, decide row by row with a re-solve, confirm;
- :mod:`~allocatie.web.screens` — what each role sees on each screen;
- :mod:`~allocatie.web.documents` — plan.xlsx, the report, the map page;
- :mod:`~allocatie.web.security` — login, CSRF, size limits, headers;
- :mod:`~allocatie.web.routes` and :mod:`~allocatie.web.app` — the HTTP side.

The app holds no rule of its own: every rule, cap and check is the engine's or
the ledger's, called through their public functions ("why not this dwelling?" is
:mod:`allocatie.report.why`, shared with ``allocatie why``). Nothing is imported
here, so the engine's modules can be used without the web stack loaded.
"""
