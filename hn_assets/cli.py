"""`hn-jobs`: refresh the data, search it, and generate postings from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from hn_assets.config_adapter import add_arguments, from_arguments
from hn_assets.errors import run_command
from hn_assets.textgen.sampling import GenerateSettings

#: A few postings for a terminal; the asset writes GenerateSettings' default number.
CLI_GENERATE_SETTINGS = GenerateSettings(n=3)

EPILOG = """\
environment:
  HN_SOURCE          api (default) or sample (the bundled archive, offline)
  HN_API_URL         base URL of the HN API (default the official v0 API)
  HN_DATA_DIR        where tables, the index and models live (default ./data)
  ELASTICSEARCH_URL  use Elasticsearch instead of the embedded tantivy index
                     (auth: ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/_PASSWORD)
  DAGSTER_HOME       the Dagster instance that records runs (default ./.dagster_home)
  HN_LOG_LEVEL       show Dagster's event log at this level (DEBUG adds tracebacks)

exit codes:
  0    done (a refresh whose only problems are warnings says so in one line)
  1    some work failed: a summary says what, and the next run retries it
  2    usage or configuration error: the message says what to fix
  130  interrupted (Ctrl-C)
"""

QUERY_HELP = """\
query syntax:
  terms and "quoted phrases"         python "machine learning"
  AND, OR, NOT and parentheses       ("san francisco" OR "bay area") AND NOT onsite
  field:value, field:"two words"     company:stripe  location:"new york"  remote:true
  month:YYYY-MM                      month:2026-11
  parsed fields                      tech:rust country:DE city:berlin level:senior role:ml
  numbers                            salary>=150k  salary_min:>=120000  (per year / as stated)
  adjacent terms mean AND
"""


VERBOSE_HELP = "show tracebacks and Dagster's event log (as HN_LOG_LEVEL=DEBUG)"


def _refresh(args: argparse.Namespace) -> int:
    from hn_assets.defs.definitions import build_definitions
    from hn_assets.refresh import console_log_level, default_instance, refresh, refresh_lock
    from hn_assets.settings import check_writable
    from hn_assets.storage import data_dir_from_env

    check_writable(data_dir_from_env(), "HN_DATA_DIR")
    with refresh_lock():
        report = refresh(
            build_definitions(),
            default_instance(),
            month=args.month,
            log_level=console_log_level(args.verbose),
        )
    print(report.table())
    print(report.summary())
    if report.failed:
        print(
            f"hn-jobs refresh: {len(report.failed)} step(s) failed (see the table); "
            "the next refresh retries them",
            file=sys.stderr,
        )
    elif report.warnings:
        print(
            f"hn-jobs refresh: warning: {len(report.warnings)} step(s) finished with warnings "
            "(see the table); the data of every month is kept",
            file=sys.stderr,
        )
    return report.exit_code


def _search(args: argparse.Namespace) -> int:
    from rich.console import Console

    from hn_assets.defs.resources import search_index_from_env
    from hn_assets.search.elastic_index import elasticsearch_request
    from hn_assets.search.parser import parse_query
    from hn_assets.search.render import hit_json, hits_table

    query = parse_query(args.query)
    if args.explain:
        request = elasticsearch_request(query, args.month, args.limit, args.sort)
        print(json.dumps(request, indent=2))
        return 0
    with search_index_from_env().process_config_and_initialize().open() as index:
        hits = index.search(query, size=args.limit, sort=args.sort, months=args.month)
    if args.json:
        for hit in hits:
            print(json.dumps(hit_json(hit), default=str))
    else:
        # Piped output has no terminal width; keep links on one line rather than wrap at 80.
        console = Console() if sys.stdout.isatty() else Console(width=200)
        console.print(hits_table(hits, title=f"{len(hits)} hits for {args.query}"))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from hn_assets.storage import data_dir_from_env, published_model
    from hn_assets.textgen.sampling import generate_postings

    checkpoint = args.checkpoint or str(published_model(data_dir_from_env()))
    settings = from_arguments(GenerateSettings, args, CLI_GENERATE_SETTINGS)
    postings = generate_postings(checkpoint, settings)
    for number, posting in enumerate(postings, start=1):
        ending = "" if posting.terminated else f" (cut at {settings.max_chars} characters)"
        print(f"--- posting {number}{ending}\n{posting.text.strip()}\n")
    return 0


def _trends(args: argparse.Namespace) -> int:
    from rich.console import Console

    from hn_assets.market import terminal
    from hn_assets.storage import ParquetStore, data_dir_from_env

    store = ParquetStore(data_dir_from_env())
    console = Console() if sys.stdout.isatty() else Console(width=120)
    if args.company:
        history = terminal.company_history(store, args.company)
        if args.json:
            print(history.to_json(orient="records"))
        else:
            console.print(terminal.company_table(args.company, history))
        return 0
    stats = terminal.load_stats(store, terminal.parse_since(args.since))
    technologies = [name.strip() for name in (args.tech or "").split(",") if name.strip()]
    view = terminal.trends_view(stats, technologies)
    if args.json:
        print(json.dumps(terminal.view_json(view)))
        return 0
    console.print(terminal.market_table(view))
    moving = terminal.rising_table(view)
    if moving is not None and not technologies:
        console.print(moving)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hn-jobs",
        description="Hacker News 'Who is hiring?' posts: keep them fresh, search them, "
        "and generate new postings in their style.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--verbose", "-v", action="store_true", help=VERBOSE_HELP)
    # Also accepted after the command; SUPPRESS keeps `hn-jobs -v refresh` from being reset.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    refresh = commands.add_parser(
        "refresh",
        help="discover new threads and materialize what is stale (what the sensors do)",
        description="Discover new 'Who is hiring?' threads, add their months, fetch new posts for "
        "new and open months, then materialize exactly the assets that are stale. Runs are "
        "recorded in the Dagster instance at DAGSTER_HOME, so `make ui` shows them.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    refresh.add_argument("--month", metavar="YYYY-MM", help="refresh only this month")
    refresh.set_defaults(func=_refresh)

    search = commands.add_parser(
        "search",
        help="search posts with a nested boolean query",
        description="Search every month's posts. Prints a table by default.",
        epilog=QUERY_HELP + "\n" + EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    search.add_argument("query", help='for example: \'("san francisco" OR "bay area") AND python\'')
    search.add_argument(
        "--month", action="append", metavar="YYYY-MM", help="only this month (repeat for several)"
    )
    search.add_argument("--limit", type=int, default=20, help="hits to show (default 20)")
    search.add_argument(
        "--sort",
        choices=["score", "time"],
        default="score",
        help="order by relevance (default) or newest first",
    )
    search.add_argument("--json", action="store_true", help="one JSON object per hit")
    search.add_argument(
        "--explain",
        action="store_true",
        help="print the Elasticsearch query JSON instead of searching",
    )
    search.set_defaults(func=_search)

    trends = commands.add_parser(
        "trends",
        help="the market month by month: posts, work modes, visas, salaries, technologies",
        description="Every month's statistics (the monthly_stats asset) as sparklines, with "
        "the shares that rose or fell: the last 3 months against the 12 before, a "
        "two-proportion z-test with the Benjamini-Hochberg correction at a 5% false discovery "
        "rate. Reads the data dir; `hn-jobs refresh` keeps it up to date.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    trends.add_argument(
        "--tech",
        metavar="A,B",
        help="technologies to show, comma-separated (default: the 10 most named)",
    )
    trends.add_argument("--since", metavar="YYYY-MM", help="only months from this one on")
    trends.add_argument(
        "--company", metavar="NAME", help="one company's posts over the months instead"
    )
    trends.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    trends.set_defaults(func=_trends)

    generate = commands.add_parser(
        "generate",
        help="write new postings with the trained character LSTM",
        description="Sample postings from the job_posting_lstm checkpoint, from the start "
        "character until the end character or --max-chars.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    add_arguments(generate, GenerateSettings, CLI_GENERATE_SETTINGS)
    generate.add_argument(
        "--checkpoint",
        default=None,
        help="a checkpoint file (default: the latest job_posting_lstm)",
    )
    generate.set_defaults(func=_generate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    verbose = args.verbose or os.environ.get("HN_LOG_LEVEL", "").strip().upper() == "DEBUG"

    def command() -> int:
        from hn_assets.settings import check_environment

        check_environment()
        return args.func(args)

    return run_command("hn-jobs", args.command, command, verbose=verbose)


if __name__ == "__main__":
    sys.exit(main())
