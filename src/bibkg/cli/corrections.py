"""Subcommands ``bibkg token``, ``bibkg correct`` and ``bibkg corrections``.

The command line acts with a token (``--token`` or ``$BIBKG_TOKEN``) when one is given; without
one it acts as the operator — whoever can write the store directory can change it anyway — with
the maintainer role, logged as ``operator:<user>``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from ..corrections.errors import CorrectionError
from ..corrections.model import LinkDecision, Role
from ..errors import BibkgError
from .stores import _store_dir, store_option


class CliError(BibkgError):
    pass


def _service(args: argparse.Namespace):  # noqa: ANN202
    from ..corrections.service import CorrectionService

    root = _store_dir(args)
    if not (root / "current").exists():
        raise CliError(f"no graph in store {root}: ingest first")
    return CorrectionService(root, Path(args.data) if getattr(args, "data", None) else None)


def _actor(service, args: argparse.Namespace):  # noqa: ANN001, ANN202
    from ..corrections.service import Actor

    secret = getattr(args, "token", None) or os.environ.get("BIBKG_TOKEN")
    if secret:
        return service.authenticate(secret)
    return Actor(f"operator:{getpass.getuser()}", Role.MAINTAINER)


def _run(func):  # noqa: ANN001, ANN202
    """Correction errors as one line naming the field, with the HTTP status they map to."""

    def wrapper(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except CorrectionError as exc:
            raise CliError(f"{exc} ({exc.status} {exc.code})") from None

    return wrapper


def _print_entry(entry, as_json: bool = False) -> None:  # noqa: ANN001
    if as_json:
        print(json.dumps(entry.to_dict(), ensure_ascii=False, indent=2))
        return
    c = entry.correction
    link = isinstance(c.change, LinkDecision)
    moved = f", {len(entry.effect.moved)} moved" if entry.effect and not link else ""
    what = f"{c.change.decision.value}: {c.change.statement}" if link else ", ".join(sorted(c.persons()))
    print(f"{c.id}  {entry.status.value:<9} {c.change.kind:<22} by {c.proposer}  {c.created}{moved}")
    print(f"    {what}: {c.reason[:120]}")


# --- token ----------------------------------------------------------------------------------------


@_run
def cmd_token(args: argparse.Namespace) -> int:
    from ..corrections.tokens import TokenStore

    tokens = TokenStore(_store_dir(args))
    if args.action == "create":
        if not args.role:
            raise CliError("token create needs --role contributor|maintainer")
        secret = tokens.create(args.name, args.role)
        print(secret)
        print(f"token {args.name} ({args.role}) created; it is shown only now", file=sys.stderr)
    elif args.action == "revoke":
        tokens.revoke(args.name)
        print(f"token {args.name} revoked", file=sys.stderr)
    else:
        for t in sorted(tokens.tokens().values(), key=lambda t: t.name):
            state = f"revoked {t.revoked}" if t.revoked else "active"
            print(f"{t.name:<24} {t.role.value:<12} created {t.created}  {state}")
    return 0


# --- correct --------------------------------------------------------------------------------------


def _target(args: argparse.Namespace) -> dict:
    chosen = [x for x in (args.to, args.new, args.unknown or None) if x]
    if len(chosen) != 1:
        raise CliError("say where the authorships go: exactly one of --to PERSON, --new 'Last, First', --unknown")
    if args.to:
        return {"type": "person", "id": args.to}
    if args.new:
        target = {"type": "new", "name": args.new}
        for key in ("orcid", "disambiguator", "degree"):
            if getattr(args, key):
                target[key] = getattr(args, key)
        return target
    return {"type": "unknown"}


@_run
def cmd_correct(args: argparse.Namespace) -> int:
    service = _service(args)
    actor = _actor(service, args)
    if args.kind == "json":
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        try:
            request = json.loads(text)
        except ValueError as exc:
            raise CliError(f"{args.file}: not JSON: {exc}") from None
    else:
        if args.kind == "reassign":
            authorships = []
            with service.facts() as facts:
                for index, ref in enumerate(args.authorship):
                    paper, _, pos = ref.rpartition(":")
                    if not paper or not pos.isdigit():
                        raise CliError(f"authorship {index + 1}: write PAPER:POSITION, e.g. 2025.acl-long.1141:10")
                    name = None
                    if args.name:
                        name = args.name
                    else:
                        authors = facts.authors(paper) or []
                        if 1 <= int(pos) <= len(authors):
                            n = authors[int(pos) - 1].name
                            name = {"first": n.first, "last": n.last}
                    authorships.append({"paper": paper, "position": int(pos), "name": name or {"last": "?"}})
            change = {"kind": "reassign", "from": args.source, "authorships": authorships, "to": _target(args)}
        elif args.kind == "split":
            change = {"kind": "split", "person": args.person, "papers": args.papers, "to": _target(args)}
        elif args.kind == "merge":
            change = {"kind": "merge", "source": args.source, "into": args.into}
        elif args.kind == "verify":
            change = {"kind": "verify", "person": args.person}
            for key in ("orcid", "disambiguator", "degree"):
                if getattr(args, key):
                    change[key] = getattr(args, key)
        elif args.kind == "link":
            change = {"kind": "link", "preprint": args.preprint, "decision": "reject" if args.reject else "confirm"}
            if args.paper:
                change["paper"] = args.paper
            else:
                change |= {"position": args.author, "person": args.person}
        else:
            change = {"kind": "disable-name-matching", "person": args.person}
        request = {"change": change, "reason": args.reason, "evidence": args.evidence}
    entry = service.propose(actor, request, apply=args.apply)
    _print_entry(entry, args.json)
    return 0


# --- corrections ----------------------------------------------------------------------------------


@_run
def cmd_corrections(args: argparse.Namespace) -> int:
    service = _service(args)
    if args.action == "list":
        entries = service.list(status=args.status, person=args.person, paper=args.paper, proposer=args.proposer)
        if args.json:
            print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        else:
            for entry in entries:
                _print_entry(entry)
        return 0
    if args.action == "export":
        from ..corrections.export import export

        result = export(service.log.view(), service.datadir())
        patch = result.patch()
        if args.output in (None, "-"):
            sys.stdout.write(patch)
        else:
            Path(args.output).write_text(patch, encoding="utf-8")
        if args.commands:
            Path(args.commands).write_text(result.commands, encoding="utf-8")
        if args.apply_to:
            result.write_to(Path(args.apply_to))
        for pin in result.stale:
            print(
                f"bibkg: warning: {pin.item} {pin.role} {pin.position} no longer prints "
                f"'{pin.name.full}': left out of the patch",
                file=sys.stderr,
            )
        print(f"{len(result.files)} file(s) changed", file=sys.stderr)
        return 0
    if args.action == "sync":
        published = service.sync()
        print(
            "published the log's applied corrections" if published else "the current snapshot is up to date",
            file=sys.stderr,
        )
        return 0
    actor = _actor(service, args)
    if not args.id:
        raise CliError(f"corrections {args.action} needs a correction id")
    method = getattr(service, args.action)
    entry = (
        method(actor, args.id, args.note) if args.action in ("approve", "reject", "revert") else method(actor, args.id)
    )
    _print_entry(entry, args.json)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("token", help="create, revoke or list the bearer tokens of the correction doors")
    p.add_argument("action", choices=("create", "revoke", "list"))
    p.add_argument("name", nargs="?", default="", help="the token's name (who holds it)")
    p.add_argument("--role", choices=("contributor", "maintainer"))
    store_option(p)
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("correct", help="propose (or, as a maintainer, apply) a correction of paper assignments")
    kinds = p.add_subparsers(dest="kind", required=True)
    common = argparse.ArgumentParser(add_help=False)
    store_option(common)
    common.add_argument(
        "--data", metavar="DIR", help="the Anthology data directory (default: the one the store was ingested from)"
    )
    common.add_argument("--token", help="act with this token (default: $BIBKG_TOKEN, else as the operator)")
    common.add_argument("--apply", action="store_true", help="approve and apply at once (maintainers)")
    common.add_argument("--json", action="store_true", help="print the correction as JSON")
    why = argparse.ArgumentParser(add_help=False)
    why.add_argument("--reason", required=True, help="why (free text)")
    why.add_argument("--evidence", action="append", default=[], metavar="URL")
    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--to", metavar="PERSON", help="an existing verified person id")
    target.add_argument("--new", metavar="'LAST, FIRST'", help="a new person with this name")
    target.add_argument("--unknown", action="store_true", help="not this person; who is not known")
    for key in ("orcid", "disambiguator", "degree"):
        target.add_argument(f"--{key}")
    k = kinds.add_parser("reassign", parents=[common, why, target], help="authorships PAPER:POSITION of person --from")
    k.add_argument("authorship", nargs="+", metavar="PAPER:POSITION")
    k.add_argument("--from", dest="source", required=True, metavar="PERSON")
    k.add_argument("--name", metavar="'LAST, FIRST'", help="the printed name (default: as the graph has it)")
    k = kinds.add_parser("split", parents=[common, why, target], help="the papers PAPER… of PERSON")
    k.add_argument("person")
    k.add_argument("--papers", nargs="+", required=True)
    k = kinds.add_parser("merge", parents=[common, why], help="every paper of SOURCE goes to INTO")
    k.add_argument("source")
    k.add_argument("into")
    k = kinds.add_parser("verify", parents=[common, why], help="an unverified page becomes a verified person")
    k.add_argument("person")
    for key in ("orcid", "disambiguator", "degree"):
        k.add_argument(f"--{key}")
    k = kinds.add_parser("disable-name-matching", parents=[common, why], help="PERSON keeps its explicit papers only")
    k.add_argument("person")
    k = kinds.add_parser(
        "link",
        parents=[common, why],
        help="a Daily Papers link: ARXIV_ID is (--confirm) or is not (--reject) --paper PAPER, "
        "or its --author POSITION is or is not --person PERSON",
    )
    k.add_argument("preprint", metavar="ARXIV_ID")
    decision = k.add_mutually_exclusive_group(required=True)
    decision.add_argument("--confirm", action="store_true", help="link it, whatever the score")
    decision.add_argument("--reject", action="store_true", help="never link it")
    what = k.add_mutually_exclusive_group(required=True)
    what.add_argument("--paper", metavar="PAPER", help="an Anthology paper id")
    what.add_argument(
        "--author", type=int, metavar="POSITION", help="the preprint's author at this position (with --person)"
    )
    k.add_argument("--person", metavar="PERSON", help="an Anthology person id")
    k = kinds.add_parser("json", parents=[common], help="a request as JSON ({change, reason, evidence}) from FILE or -")
    k.add_argument("file")
    p.set_defaults(func=cmd_correct)

    p = sub.add_parser("corrections", help="list, review, apply, revert and export corrections")
    p.add_argument("action", choices=("list", "approve", "reject", "apply", "revert", "export", "sync"))
    p.add_argument("id", nargs="?", help="the correction id (approve, reject, apply, revert)")
    p.add_argument("--note", help="a note for the log (approve, reject, revert)")
    p.add_argument("--status", choices=("proposed", "approved", "applied", "rejected", "reverted"))
    p.add_argument("--person")
    p.add_argument("--paper")
    p.add_argument("--proposer")
    p.add_argument("--json", action="store_true")
    p.add_argument("--token")
    p.add_argument("--data", metavar="DIR")
    p.add_argument("-o", "--output", help="export: the patch file (default: stdout)")
    p.add_argument("--commands", metavar="FILE", help="export: write the bin/correct command lines here")
    p.add_argument("--apply-to", metavar="DIR", help="export: write the changed files into this copy of the data")
    store_option(p)
    p.set_defaults(func=cmd_corrections)
