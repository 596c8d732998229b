"""Runs that `hn-jobs refresh` and `make demo` execute in their own process, recorded as runs
of a code location of workspace.yaml, as the daemon's are.

``JobDefinition.execute_in_process`` records a run without saying where its job lives: the
Overview's timeline has no row to put it in and shows "No runs", and the run page cannot
re-execute it. Here the run is created with the origin the webserver knows the job by (the
code location's name, the module it loads), then executed in this process.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

# Dagster has no public API for an in-process run with an origin: these are what
# execute_in_process and the run launcher use.
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.execution.api import execute_run
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

#: workspace.yaml's code locations: location name -> the module that loads its definitions.
WORKSPACE_FILE = Path(__file__).resolve().parents[2] / "workspace.yaml"
CODE_LOCATIONS = {
    "hn_assets": "hn_assets.defs.definitions",
    "rl_assets": "rl_assets.defs.definitions",
}
_REPOSITORY = "__repository__"  # the name Dagster gives the repository of a Definitions


def run_origin(location: str, job_name: str) -> RemoteJobOrigin:
    """Where the webserver finds ``job_name``: the code location ``location`` of
    workspace.yaml."""
    target = LoadableTargetOrigin(
        executable_path=sys.executable,
        module_name=CODE_LOCATIONS[location],
        working_directory=str(WORKSPACE_FILE.parent),
    )
    code_location = ManagedGrpcPythonEnvCodeLocationOrigin(target, location_name=location)
    return RemoteJobOrigin(RemoteRepositoryOrigin(code_location, _REPOSITORY), job_name)


def execute_job(
    defs: dg.Definitions,
    job_name: str,
    location: str,
    instance: dg.DagsterInstance,
    *,
    partition_key: str | None = None,
    asset_selection: Collection[dg.AssetKey] | None = None,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
):
    """Execute ``job_name`` of ``defs`` in this process as a run of ``location``; returns the
    run's result (``success``, events, materializations and check evaluations)."""
    job_def = defs.resolve_job_def(job_name)
    run_tags = {**job_def.run_tags, **(tags or {})}
    if partition_key is not None:
        run_tags["dagster/partition"] = partition_key
    selection = frozenset(asset_selection) if asset_selection else None
    # Every step in this process, one after another, as execute_in_process runs them; the
    # job itself is the code location's, so the webserver recognises its snapshot.
    config = {**(run_config or {}), "execution": {"config": {"in_process": {}}}}
    run = instance.create_run_for_job(
        job_def=job_def,
        run_config=config,
        tags=run_tags,
        asset_selection=selection,
        remote_job_origin=run_origin(location, job_name),
    )
    return execute_run(InMemoryJob(job_def), run, instance, raise_on_error=False)
