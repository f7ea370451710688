"""Subcommand ``bibkg fetch-hf``: days of Hugging Face Daily Papers into a directory."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

from ..errors import BibkgError
from ..hf.fetch import DEFAULT_BASE_URL, DayFetcher, FetchSettings, days_between

_DEFAULTS = FetchSettings()


def _day(option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BibkgError(f"{option} {value!r}: not a day (YYYY-MM-DD)") from None


def _positive(option: str, value: float, minimum: float = 0.0) -> float:
    if not value >= minimum:  # also refuses NaN
        raise BibkgError(f"{option} {value}: must be at least {minimum:g}")
    return value


def cmd_fetch_hf(args: argparse.Namespace) -> int:
    first, last = _day("--from", args.first), _day("--to", args.last or args.first)
    days = days_between(first, last)
    if not args.base_url.startswith(("https://", "http://")):
        raise BibkgError(f"--base-url {args.base_url!r}: not an http(s) URL")
    settings = FetchSettings(
        base_url=args.base_url,
        interval=_positive("--interval", args.interval),
        retries=int(_positive("--retries", args.retries)),
        timeout=_positive("--timeout", args.timeout, 0.1),
    )
    directory = Path(args.directory)
    if directory.exists() and not directory.is_dir():
        raise BibkgError(f"{directory}: not a directory")
    outcomes: Counter[str] = Counter()
    fetcher = DayFetcher(settings)
    try:
        for result in fetcher.fetch(days, directory, force=args.force):
            outcomes[result.outcome] += 1
            if not args.quiet or result.outcome == "failed":
                print(
                    f"{result.day}  {result.outcome:<7}  {result.detail}",
                    file=sys.stderr if result.outcome == "failed" else sys.stdout,
                    flush=True,
                )
    finally:
        fetcher.close()
    summary = ", ".join(f"{outcomes[o]} {o}" for o in ("fetched", "kept", "empty", "failed"))
    print(f"{len(days)} days into {directory}: {summary}")
    if outcomes["failed"]:
        print(
            "bibkg: error: some days failed; run the same command again to fetch them (days already fetched are kept)",
            file=sys.stderr,
        )
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fetch-hf",
        help="download days of Hugging Face Daily Papers (needs the network) for 'bibkg ingest'",
        description="Download the Hugging Face Daily Papers of each day from --from to --to "
        "(/api/daily_papers?date=YYYY-MM-DD) into DIR/YYYY-MM-DD.json, one request at a time at a "
        "polite rate, retrying rate limits, server errors and timeouts with back-off. Each body is "
        "checked as 'bibkg ingest' will read it before it is written (atomically); days already in "
        "DIR are kept, so an interrupted run resumes where it stopped. Days without a listing "
        "(weekends) write no file. The only command of bibkg that uses the network.",
        epilog="examples:\n  bibkg fetch-hf --from 2024-06-01 --to 2024-06-30 ./hf-daily-papers\n"
        "  bibkg ingest ./hf-daily-papers --store ./store",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("directory", metavar="DIR", help="where the day files go (created if missing)")
    p.add_argument("--from", dest="first", required=True, metavar="DAY", help="the first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="DAY", help="the last day, YYYY-MM-DD (default: --from)")
    p.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=f"the API's origin (default {DEFAULT_BASE_URL}); a mirror may be named",
    )
    p.add_argument(
        "--interval",
        type=float,
        default=_DEFAULTS.interval,
        metavar="S",
        help="seconds between two requests (default %(default)s)",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=_DEFAULTS.retries,
        metavar="N",
        help="retries of a day after 429, 5xx, a timeout or a broken connection (default %(default)s)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.timeout,
        metavar="S",
        help="seconds for one request (default %(default)s)",
    )
    p.add_argument("--force", action="store_true", help="fetch days already in DIR again")
    p.add_argument("--quiet", action="store_true", help="print failed days and the summary only")
    p.set_defaults(func=cmd_fetch_hf)
