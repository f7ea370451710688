"""The write doors of corrections over HTTP: a JSON API, the "Fix paper assignments" mode of a
person page and the maintainers' review page.

Mounted only when the operator enables corrections (``bibkg serve --corrections`` or
``BIBKG_CORRECTIONS=1``); otherwise the service stays read-only and none of these paths exist.

* JSON: ``GET /corrections`` (list: ``status``, ``person``, ``paper``, ``proposer``),
  ``GET /corrections/{id}``, ``POST /corrections`` (``Authorization: Bearer bkt_…``; body
  ``{change, reason, evidence, apply}``), ``POST /corrections/{id}/{approve|reject|apply|revert}``
  (maintainers; body ``{note}``).  Errors: ``{error, status, message, field}`` with the status of
  :mod:`bibkg.corrections.errors`; 429 carries ``Retry-After``.
* HTML: ``/corrections/fix/{person id}`` — tick the papers that do not belong, pick who they
  belong to (name search in any script or order, a new person, or "I don't know"), say why,
  submit; the page then lists the person's pending proposals.  ``/corrections/review`` — pending
  proposals with the evidence of both persons side by side (papers, coauthors, venues), approve /
  reject / apply.  Forms carry the token in a password field and a CSRF token (double submit:
  a ``SameSite=Strict`` cookie and a hidden field that must be equal).

Every write goes through :class:`~bibkg.corrections.service.CorrectionService` (one set of checks
for every door); applying runs in a worker thread and the server serves the new snapshot when it
is published (``server.follow``).

:mod:`.routes` mounts the doors, :mod:`.forms` reads the HTML forms (CSRF included),
:mod:`.pages` renders the pages.
"""
