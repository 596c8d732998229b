"""`make demo`: the whole platform, offline, on the bundled sample archive.

Discovers the sample threads, materializes every HN asset for every month into the Dagster
instance at DAGSTER_HOME (so `make ui` shows the history), prints the blog post's nested
search and a few generated postings, then trains and evaluates a one-minute A3C Pong run
(code location rl_assets), also recorded in the instance.
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
    from hn_assets.refresh import default_instance, refresh, refresh_lock

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

    _section("3. postings written by the char-LSTM")
    _cli("hn_assets.cli", "generate", "--n", "3", "--seed", "7", "--temperature", "0.5")

    _section("4. A3C on Pong: train for one minute on every core, then play (rl_assets)")
    if not _a3c_pong(default_instance()):
        return 1

    print(
        f"\ndemo finished in {time.monotonic() - started:.0f} s. Next: `make ui` shows every "
        "run, asset and check in the Dagster UI (http://127.0.0.1:3000)."
    )
    return 0


def _a3c_pong(instance) -> bool:
    import dagster as dg

    from hn_assets.defs.recovery import failure_reason
    from hn_assets.defs.sensors import TRIGGER_TAG
    from rl_assets.defs.definitions import defs as rl_defs

    # One minute shows A3C train and play; winning at Pong (+18) takes about 45 minutes on
    # 2 cores (bench/RESULTS.md).
    result = dg.materialize(
        [rl_defs.get_assets_def("a3c_policy"), rl_defs.get_assets_def("a3c_evaluation")],
        instance=instance,
        partition_key="Pong",
        run_config={
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
            "ops": {
                "a3c_policy": {"config": {"max_minutes": 1.0}},
                "a3c_evaluation": {"config": {"episodes": 2}},
            },
        },
        tags={TRIGGER_TAG: "demo"},
        raise_on_error=False,
    )
    if not result.success:
        reason = failure_reason(result.all_events, result.run_id)
        print(f"demo: the A3C run failed: {reason}", file=sys.stderr)
        return False
    meta = result.asset_materializations_for_node("a3c_evaluation")[0].metadata
    print(
        f"policy mean score {meta['mean_score'].value:.1f} vs random play "
        f"{meta['random_mean_score'].value:.1f} over 2 games"
    )
    print(f"GIF of a game played by the policy: {meta['episode_gif_path'].value}")
    return True


if __name__ == "__main__":
    sys.exit(main())
