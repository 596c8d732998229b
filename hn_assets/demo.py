"""`make demo`: the whole platform, offline, on the bundled sample archive.

Discovers the sample threads, materializes every HN asset for every month into the Dagster
instance at DAGSTER_HOME (so `make ui` shows the history), prints the blog post's nested
search and a few generated postings, then (code location rl_assets) trains A3C on CartPole
until it is solved and plays the Pong policy the project trained and ships, each against
random play. Every run goes through a named job of the instance, as the daemon's would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

BLOG_QUERY = '("san francisco" OR "bay area") AND ("machine learning" OR "data analysis")'
DEMO_ENV = {
    "HN_SOURCE": "sample",
    # A small model for a few minutes on 2 cores: enough to beat the unigram baseline.
    "HN_LSTM_PROFILE": "small_cpu",
    "HN_LSTM_MAX_SECONDS": "150",
}


def _section(title: str) -> None:
    print(f"\n=== {title} ===\n", flush=True)


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", *args], check=True)


def main() -> int:
    for key, value in DEMO_ENV.items():
        os.environ.setdefault(key, value)
    from hn_assets.defs.definitions import build_definitions
    from hn_assets.market.report import report_path
    from hn_assets.refresh import default_instance, refresh, refresh_lock
    from hn_assets.storage import data_dir_from_env

    started = time.monotonic()
    _section("1. refresh: discover threads, ingest, index, alerts, train, generate")
    with refresh_lock():
        report = refresh(build_definitions(), default_instance())
    print(report.table())
    print(report.summary())
    if report.failed:
        print(f"demo: {len(report.failed)} step(s) failed (see the table)", file=sys.stderr)
        return report.exit_code

    _section(f"2. search: {BLOG_QUERY}")
    _cli("hn_assets.cli", "search", BLOG_QUERY, "--limit", "15")

    _section(f"3. the market, month by month (HTML report: {report_path(data_dir_from_env())})")
    _cli("hn_assets.cli", "trends", "--tech", "python,rust,go,kubernetes")

    _section("4. postings written by the char-LSTM")
    _cli("hn_assets.cli", "generate", "--n", "3", "--seed", "7", "--temperature", "0.5")

    _section("5. A3C (rl_assets): CartPole learned in a minute, Pong played by the shipped policy")
    if not all(_a3c(default_instance(), game, config) for game, config in A3C_DEMO.items()):
        return 1

    print(
        f"\ndemo finished in {time.monotonic() - started:.0f} s. Next: `make ui` shows every "
        "run, asset and check in the Dagster UI (http://127.0.0.1:3000)."
    )
    return 0


#: What the demo asks of each game's `a3c_policy` and `a3c_evaluation` (run config).
A3C_DEMO: dict[str, dict[str, dict]] = {
    # Trained here from scratch (the earlier run moves aside): with CartPole's defaults
    # (rl_assets/a3c/config.py GAME_DEFAULTS) A3C scores 500 after about half a minute.
    "CartPole-v1": {"a3c_policy": {"resume": False}, "a3c_evaluation": {"episodes": 10}},
    # Pong takes most of an hour on 2 cores: the demo installs and plays the policy the
    # project trained with its documented recipe and ships (rl_assets/policies/Pong.json
    # says how it was made and how it scored).
    "Pong": {"a3c_policy": {"source": "release"}, "a3c_evaluation": {"episodes": 2}},
}


def _a3c(instance, game: str, configs: dict[str, dict]) -> bool:
    from hn_assets.defs.launch import execute_job
    from hn_assets.defs.recovery import failure_reason
    from hn_assets.defs.sensors import TRIGGER_TAG
    from rl_assets.defs.definitions import A3C_JOB
    from rl_assets.defs.definitions import defs as rl_defs

    result = execute_job(
        rl_defs,
        A3C_JOB,
        "rl_assets",
        instance,
        partition_key=game,
        run_config={
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
            "ops": {op: {"config": config} for op, config in configs.items()},
        },
        tags={TRIGGER_TAG: "demo"},
    )
    if not result.success:
        reason = failure_reason(result.all_events, result.run_id)
        print(f"demo: the A3C run for {game} failed: {reason}", file=sys.stderr)
        return False
    meta = result.asset_materializations_for_node("a3c_evaluation")[0].metadata
    episodes = configs["a3c_evaluation"]["episodes"]
    print(
        f"{game}: policy mean score {meta['policy_mean_score'].value:.1f} vs random play "
        f"{meta['random_mean_score'].value:.1f} over {episodes} games"
    )
    print(f"  GIF of a game played by the policy: {meta['episode_gif_path'].value}")
    return True


if __name__ == "__main__":
    sys.exit(main())
