"""Airflow DAG ``massfetch``: copy the images a manifest lists into object storage, in batches.

Tasks, in order:

``prepare``
    Renders the run's params (so ``{{ ds }}`` and ``{{ var.value... }}`` work inside them), picks
    the jar for the runner, lists the manifest's part files (a folder, a list, a glob or one file)
    and builds one set of Beam pipeline options per part file: a batch.
``download`` (mapped, one task instance per batch)
    ``MassfetchBatchOperator`` (the Beam provider's ``BeamRunJavaPipelineOperator``) runs
    ``massfetch.pipeline.MassfetchMain`` on the DirectRunner or submits it to a Flink cluster,
    one Beam job per batch, at most ``MASSFETCH_MAX_ACTIVE_BATCHES`` at once. Each attempt writes
    its results to a folder of its own and resumes from every result file of the run's batches
    recorded so far (``--previousResults``). Killing the task cancels its Flink job.
``check`` (mapped, one per batch)
    Reads the batch's ``summary.json`` and fails that batch when ``failed / total >
    max_failure_ratio``, naming the top error classes and the results files of the failed entries.
``summary``
    Adds up the latest attempt of every batch into ``<results>/summary.json`` (runs even when a
    batch failed), and fails the run when any batch failed its check or wrote no summary.

Clearing one batch's ``download`` re-runs only that batch: the entries it recorded as stored are
``skipped / done_before`` without a request, only its failed entries are fetched again.

The file has no module-level side effects besides building the DAG: no Variable, connection or
file-system access at parse time. See docs/airflow.md for installation and the Variables it reads.
"""

from __future__ import annotations

import glob
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

import pendulum
from airflow.sdk.exceptions import AirflowFailException
from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator
from airflow.sdk import DAG, Connection, ObjectStoragePath, Param, Variable, get_current_context, task

DAG_ID = "massfetch"
JOB_CLASS = "massfetch.pipeline.MassfetchMain"
RUNNERS: dict[str, str] = {"DirectRunner": "direct", "FlinkRunner": "flink"}

# Where the jars are when the DAG runs from a massfetch checkout (dags/ beside runners/). A copy
# of the DAG in another Airflow points at its jars with the jar_dir param or a Variable instead.
REPO_ROOT = Path(__file__).resolve().parent.parent

# Variables read at run time (never at parse time). All optional.
VAR_JAR_DIR = "massfetch_jar_dir"
VAR_STORAGE_CONN_ID = "massfetch_storage_conn_id"

# Retries of the download task. A retry is cheap (stored images are skipped), so one is on by
# default; the test suite sets MASSFETCH_DOWNLOAD_RETRIES=0 so that a broken run fails at once
# instead of waiting out the retry delay.
DOWNLOAD_RETRIES = int(os.environ.get("MASSFETCH_DOWNLOAD_RETRIES", "1"))

# Batches (Beam jobs) of one DAG run at once. Fixed when the DAG is parsed (Airflow reads task
# concurrency then): set the environment variable on the scheduler and workers to change it.
MAX_ACTIVE_BATCHES = int(os.environ.get("MASSFETCH_MAX_ACTIVE_BATCHES", "2"))

# Options the DAG sets itself for each batch; extra_options may not replace them.
MANAGED_OPTIONS = frozenset(
    {"manifest", "output", "results", "previousResults", "jobName", "runner", "flinkMaster", "filesToStage"}
)

# A header value from Airflow reaches the job as this environment variable (plus an index) of the
# Beam process, never as an option or a conf value.
HEADER_ENV_PREFIX = "MASSFETCH_HEADER_"

# Rendering stops after this many passes: a param may hold a template whose value is a template
# (a Variable holding "{{ ds }}"), but never loop forever on a value that renders to itself.
MAX_RENDER_PASSES = 3


def jar_name(runner: str) -> str:
    """File name of the runnable jar for RUNNER (``massfetch-direct.jar``, ``massfetch-flink.jar``)."""
    return f"massfetch-{RUNNERS[runner]}.jar"


def resolve_jar(runner: str, jar_dir: str | None, repo_root: Path = REPO_ROOT) -> Path:
    """The jar for RUNNER: ``<jar_dir>/massfetch-<runner>.jar``, else the checkout's build output."""
    if runner not in RUNNERS:
        raise AirflowFailException(f"runner must be one of {sorted(RUNNERS)}, got {runner!r}")
    if jar_dir:
        return Path(jar_dir).expanduser() / jar_name(runner)
    module = RUNNERS[runner]
    return repo_root / "runners" / module / "target" / jar_name(runner)


def is_url(path: str) -> bool:
    """True for ``gs://…``, ``s3://…``, ``file://…``: paths the worker cannot check with os.path."""
    return "://" in path


def default_results(output: str, run_tag: str) -> str:
    """One results folder per DAG run, so a run's shards never mix with another run's."""
    return f"{output.rstrip('/')}/_results/{run_tag}"


def build_pipeline_options(
    *,
    runner: str,
    jar: str,
    manifest: str,
    output: str,
    results: str,
    base_url: str | None,
    flink_master: str | None,
    parallelism: int | None,
    max_in_flight: int | None,
    max_requests_per_second: float | None = None,
    allowed_hosts: str | None = None,
    header_from_env: list[str] | None = None,
    only_failed: bool = False,
    extra_options: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Beam options for MassfetchMain, as the provider will pass them (``--key=value``).

    Every value is a string on purpose: the provider turns ``True`` into a bare ``--key`` and
    drops ``False`` altogether, and passes ``None`` as nothing, so an unset param is simply left
    out and massfetch's own default applies. Flink-only options are only passed to the
    FlinkRunner: Beam rejects options no registered interface declares.
    """
    options: dict[str, str] = {
        "manifest": manifest,
        "output": output,
        "results": results,
        # Explicit although it is massfetch's default: a retried or cleared run must never
        # download (and pay for) an image that is already stored.
        "skipExisting": "true",
    }
    if base_url:
        options["baseUrl"] = base_url
    if max_in_flight is not None:
        options["maxInFlight"] = str(int(max_in_flight))
    if max_requests_per_second is not None:
        options["maxRequestsPerSecond"] = str(max_requests_per_second)
    if allowed_hosts:
        options["allowedHosts"] = allowed_hosts
    if header_from_env:
        # Beam reads a list option from one comma-separated value.
        options["headerFromEnv"] = ",".join(header_from_env)
    if only_failed:
        options["onlyFailed"] = "true"
    for name, val in (extra_options or {}).items():
        if name in MANAGED_OPTIONS:
            raise AirflowFailException(f"massfetch: extra_options may not set {name}: the DAG sets it per batch")
        options[str(name)] = str(val).lower() if isinstance(val, bool) else str(val)
    if runner == "FlinkRunner":
        if not flink_master:
            raise AirflowFailException("runner=FlinkRunner needs flink_master (host:port of the JobManager)")
        options["flinkMaster"] = flink_master
        # The Flink client uploads these to the cluster; without it the TaskManagers have no code.
        options["filesToStage"] = jar
        if parallelism is not None:
            options["parallelism"] = str(int(parallelism))
    elif parallelism is not None:
        options["targetParallelism"] = str(int(parallelism))
    return options


def evaluate_summary(summary: Mapping[str, Any], max_failure_ratio: float, results: str) -> tuple[dict[str, Any], str | None]:
    """Counts to publish, and the failure message when the run failed too many images (else None).

    The message names the top error classes and where the failed entries are, e.g.::

        massfetch: 190 of 200 images failed (95.00% > max_failure_ratio 1.00%).
        Top errors: http_404=180, timeout=10. Failed entries: lines with "status":"failed"
        in /data/out/_results/2026-11-25/results-*.jsonl
    """
    try:
        total = int(summary["total"])
        ok = int(summary["ok"])
        skipped = int(summary["skipped"])
        failed = int(summary["failed"])
    except (KeyError, TypeError, ValueError) as e:
        raise AirflowFailException(f"massfetch: {results}/summary.json is not a massfetch summary ({e!r})") from e
    errors: dict[str, int] = {str(k): int(v) for k, v in (summary.get("errors") or {}).items()}
    ratio = failed / total if total else 0.0
    counts: dict[str, Any] = {
        "total": total,
        "ok": ok,
        "skipped": skipped,
        "failed": failed,
        "bytes": int(summary.get("bytes") or 0),
        "failure_ratio": ratio,
        "errors": errors,
        "results": results,
    }
    if ok + skipped + failed != total:
        return counts, (
            f"massfetch: {results}/summary.json does not add up: ok {ok} + skipped {skipped} "
            f"+ failed {failed} != total {total}"
        )
    if ratio <= max_failure_ratio:
        return counts, None
    top = sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    top_text = ", ".join(f"{name}={n}" for name, n in top) or "none recorded"
    return counts, (
        f"massfetch: {failed} of {total} images failed ({ratio:.2%} > max_failure_ratio "
        f"{max_failure_ratio:.2%}). Top errors: {top_text}. Failed entries: lines with "
        f'"status":"failed" in {results}/results-*.jsonl'
    )


def read_summary(results: str, conn_id: str | None) -> dict[str, Any]:
    """Parses ``<results>/summary.json`` from a local folder or object storage (gs://, s3://)."""
    if is_url(results):
        path = ObjectStoragePath(f"{results.rstrip('/')}/summary.json", conn_id=conn_id)
        if not path.exists():
            raise AirflowFailException(f"massfetch: no summary at {path}: did the download task write its results there?")
        return json.loads(path.read_text())
    local = Path(results) / "summary.json"
    if not local.is_file():
        raise AirflowFailException(f"massfetch: no summary at {local}: did the download task write its results there?")
    return json.loads(local.read_text())


def list_parts(manifest: str | list[str], conn_id: str | None = None) -> list[str]:
    """The manifest's part files, one batch each, in a stable order.

    A list is taken as given; a local folder gives its files (hidden and ``_``-prefixed ones left
    out); a local glob its matches; a gs:// or s3:// folder (ending in ``/``) the objects in it; any
    other value (a file, an object-store glob) is one batch.
    """
    if isinstance(manifest, list):
        parts = [str(m) for m in manifest if str(m).strip()]
    elif is_url(manifest):
        if manifest.endswith("/"):
            folder = ObjectStoragePath(manifest, conn_id=conn_id)
            parts = sorted(
                str(p) for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_"))
            )
        else:
            parts = [manifest]
    elif any(ch in manifest for ch in "*?["):
        parts = sorted(glob.glob(manifest))
    elif os.path.isdir(manifest):
        parts = sorted(
            str(p) for p in Path(manifest).iterdir() if p.is_file() and not p.name.startswith((".", "_"))
        )
    else:
        parts = [manifest]
    if not parts:
        raise AirflowFailException(f"massfetch: the manifest {manifest!r} holds no part files")
    return parts


def batch_results(results: str, index: int) -> str:
    """The folder of batch INDEX's attempts: ``<results>/batch-0003``."""
    return f"{results.rstrip('/')}/batch-{index:04d}"


def run_results_glob(results: str) -> str:
    """Every result file of the run's batches, all attempts: what a batch resumes from."""
    return f"{results.rstrip('/')}/batch-*/attempt-*/results-*.jsonl"


def job_name(run_tag: str, index: int) -> str:
    """The Flink job's name: unique per run and batch, so on_kill finds it."""
    tag = re.sub(r"[^a-z0-9]+", "-", run_tag.lower()).strip("-")
    return f"massfetch-{tag}-batch-{index:04d}"


def header_sources(specs: list[str] | None, runner: str) -> tuple[list[str], dict[str, str]]:
    """``--headerFromEnv`` values and, per environment variable, where its value comes from.

    A spec is ``Name:conn:CONN_ID`` (the Connection's password), ``Name:var:VARIABLE`` (an Airflow
    Variable) or ``Name:ENV`` (a variable already set where the job's workers run). Values are
    looked up only in the download task, right before the job starts, and handed to it in its
    environment: never in the run's conf, XCom or the command line. On Flink the TaskManagers read
    their own environment, so only ``Name:ENV`` works there.
    """
    values: list[str] = []
    sources: dict[str, str] = {}
    for i, spec in enumerate(specs or []):
        name, _, ref = spec.partition(":")
        if not name.strip() or not ref.strip():
            raise AirflowFailException(f"massfetch: header_from_env entry {spec!r} is not Name:conn:ID, Name:var:KEY or Name:ENV")
        kind, _, key = ref.partition(":")
        if kind in ("conn", "var") and key:
            if runner != "DirectRunner":
                raise AirflowFailException(
                    f"massfetch: header_from_env {name}:{kind}:… needs the DirectRunner; on {runner} the workers read "
                    f"their own environment: set the variable there and pass {name}:VARIABLE"
                )
            env = f"{HEADER_ENV_PREFIX}{i}"
            sources[env] = f"{kind}:{key}"
            values.append(f"{name.strip()}:{env}")
        else:
            values.append(f"{name.strip()}:{ref.strip()}")
    return values, sources


def secret_value(source: str) -> str:
    """The value behind a ``conn:ID`` or ``var:KEY`` source (read at run time only)."""
    kind, _, key = source.partition(":")
    if kind == "conn":
        value = Connection.get(key).password
    else:
        value = Variable.get(key)
    if not value:
        raise AirflowFailException(f"massfetch: header source {source} is empty")
    return value


def results_exist(pattern: str, conn_id: str | None) -> bool:
    """Whether PATTERN (a results glob) matches a file yet: massfetch refuses a --previousResults that matches none."""
    if not is_url(pattern):
        return bool(glob.glob(pattern))
    root = pattern.split("/batch-*", 1)[0]
    base = ObjectStoragePath(root, conn_id=conn_id)
    return base.exists() and any(p.name.startswith("results-") for p in base.rglob("results-*.jsonl"))


def latest_attempts(results: str, conn_id: str | None) -> dict[str, str]:
    """Per batch folder, its newest attempt folder holding a summary.json."""
    root: Path | ObjectStoragePath = ObjectStoragePath(results, conn_id=conn_id) if is_url(results) else Path(results)
    latest: dict[str, str] = {}
    if not root.exists():
        return latest
    for batch in sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("batch-")):
        attempts = sorted(a for a in batch.iterdir() if a.is_dir() and (a / "summary.json").exists())
        if attempts:
            latest[batch.name] = str(attempts[-1])
    return latest


def flink_cancel(flink_master: str, name: str) -> list[str]:
    """Cancels the running Flink jobs called NAME through the REST API; returns their ids."""
    base = flink_master if flink_master.startswith("http") else f"http://{flink_master}"
    with urllib.request.urlopen(f"{base}/jobs/overview", timeout=10) as r:
        jobs = json.load(r).get("jobs", [])
    cancelled = []
    for job in jobs:
        if job.get("name") == name and job.get("state") not in ("FINISHED", "FAILED", "CANCELED", "CANCELLING"):
            req = urllib.request.Request(f"{base}/jobs/{job['jid']}?mode=cancel", method="PATCH")
            urllib.request.urlopen(req, timeout=10).close()
            cancelled.append(job["jid"])
    return cancelled


class MassfetchBatchOperator(BeamRunJavaPipelineOperator):
    """One batch's Beam job: a results folder per attempt, resume from the run's results, header
    values from Airflow in the job's environment, and on_kill cancelling the Flink job."""

    def __init__(self, *, batch: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch = batch

    def execute(self, context: Any) -> dict[str, Any]:
        conn_id = Variable.get(VAR_STORAGE_CONN_ID, default=None)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        results = f"{self.batch['folder']}/attempt-{stamp}"
        options = dict(self.pipeline_options or {})
        options["results"] = results
        resume = self.batch.get("previous_results") or run_results_glob(self.batch["root"])
        if results_exist(resume, conn_id):
            options["previousResults"] = resume
        self.pipeline_options = options
        for env, source in self.batch.get("header_sources", {}).items():
            os.environ[env] = secret_value(source)
        print(f"massfetch: batch {self.batch['index']} ({self.batch['manifest']}) -> {results}"
              + (f", resuming from {options['previousResults']}" if "previousResults" in options else ""))
        try:
            super().execute(context)
        finally:
            for env in self.batch.get("header_sources", {}):
                os.environ.pop(env, None)
        return {"index": self.batch["index"], "manifest": self.batch["manifest"], "results": results}

    def on_kill(self) -> None:
        master = (self.pipeline_options or {}).get("flinkMaster")
        if self.runner == "FlinkRunner" and master:
            try:
                cancelled = flink_cancel(master, self.pipeline_options["jobName"])
                self.log.info("massfetch: cancelled Flink job(s) %s", cancelled)
            except (OSError, urllib.error.URLError, ValueError) as e:
                self.log.error("massfetch: could not cancel the Flink job %s: %s", self.pipeline_options.get("jobName"), e)
        super().on_kill()


def _render(value: Any, context: Mapping[str, Any]) -> Any:
    """Renders a param value with the task's context until it holds no more templates."""
    task_obj = context["task"]
    for _ in range(MAX_RENDER_PASSES):
        if not isinstance(value, str) or "{{" not in value:
            break
        value = task_obj.render_template(value, context)
    return value


def _blank_to_none(value: Any) -> Any:
    """The trigger form sends "" for a cleared field; treat it as unset."""
    return None if isinstance(value, str) and not value.strip() else value


def _run_tag(context: Mapping[str, Any]) -> str:
    """``ds`` when the run has a logical date; a manual run without one uses its run_id."""
    ds = context.get("ds")
    if ds:
        return str(ds)
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(context["run_id"]))


with DAG(
    dag_id=DAG_ID,
    description="Copy the images a manifest lists into object storage with the massfetch Beam job",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    # Two runs writing the same output would race for the same keys and double the load on the
    # image server; runs queue instead.
    max_active_runs=1,
    tags=["massfetch", "beam"],
    doc_md=__doc__,
    default_args={"owner": "massfetch"},
    params={
        "manifest": Param(
            "{{ var.value.get('massfetch_manifest', '/data/massfetch/manifests/{{ ds }}/manifest.txt') }}",
            type=["string", "array"],
            title="Manifest",
            description="Manifest: a folder of part files (one batch each), a list of part files, a glob or one file;"
            " local, gs:// or s3:// (an object-store folder ends in /), .gz allowed. Templated: {{ ds }} is the run's date.",
        ),
        "base_url": Param(
            "{{ var.value.get('massfetch_base_url', '') }}",
            type=["null", "string"],
            title="Base URL",
            description="Prefix for relative manifest paths (<base_url>/<path>). Empty when the manifest holds absolute URLs.",
        ),
        "output": Param(
            "{{ var.value.get('massfetch_output', '/data/massfetch/images') }}",
            type="string",
            minLength=1,
            title="Output",
            description="Where the images go: local folder, gs://bucket/prefix or s3://bucket/prefix. Object key = manifest path.",
        ),
        "results": Param(
            "",
            type=["null", "string"],
            title="Results",
            description="Folder for results-*.jsonl and summary.json. Empty: <output>/_results/<ds>.",
        ),
        "runner": Param(
            "DirectRunner",
            type="string",
            enum=sorted(RUNNERS),
            title="Runner",
            description="DirectRunner: in the Airflow worker's JVM (small manifests). FlinkRunner: submit to flink_master.",
        ),
        "flink_master": Param(
            "{{ var.value.get('massfetch_flink_master', 'localhost:8081') }}",
            type=["null", "string"],
            title="Flink master",
            description="host:port of the Flink JobManager's REST endpoint (FlinkRunner only).",
        ),
        "parallelism": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            title="Parallelism",
            description="Flink job parallelism (must fit the cluster's task slots) or DirectRunner threads. Empty: the runner's default.",
        ),
        "max_in_flight": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            title="Max in flight",
            description="HTTP requests in flight per worker JVM (--maxInFlight). Empty: massfetch's default.",
        ),
        "max_failure_ratio": Param(
            0.01,
            type="number",
            minimum=0,
            maximum=1,
            title="Max failure ratio",
            description="The check task fails the run when failed/total is above this.",
        ),
        "max_requests_per_second": Param(
            None,
            type=["null", "number"],
            exclusiveMinimum=0,
            title="Max requests per second",
            description="The provider's rate limit for the whole DAG run: each of the batches running at once gets its share (--maxRequestsPerSecond).",
        ),
        "allowed_hosts": Param(
            None,
            type=["null", "string"],
            title="Allowed hosts",
            description="Hosts requests may go to, comma-separated, *.cdn.example allowed (--allowedHosts). Empty: the base URL's host.",
        ),
        "header_from_env": Param(
            [],
            type="array",
            items={"type": "string"},
            title="Headers from secrets",
            description="Name:conn:CONN_ID (the Connection's password), Name:var:VARIABLE (an Airflow Variable; DirectRunner only)"
            " or Name:ENV (a variable set on the workers). Values never appear in the conf.",
        ),
        "previous_results": Param(
            "",
            type=["null", "string"],
            title="Previous results",
            description="Results of an earlier run (glob of results-*.jsonl): what it stored is not fetched again."
            " Empty: each batch resumes from this run's own results.",
        ),
        "only_failed": Param(
            False,
            type="boolean",
            title="Only failed",
            description="The manifest is an earlier run's results-*.jsonl: only its failed records become entries (--onlyFailed).",
        ),
        "extra_options": Param(
            {},
            type="object",
            title="Extra options",
            description='Any other massfetch option, e.g. {"maxAttempts": 5, "resultsFileSeconds": 60}.',
        ),
        "jar_dir": Param(
            "{{ var.value.get('massfetch_jar_dir', '') }}",
            type=["null", "string"],
            title="Jar folder",
            description="Folder holding massfetch-direct.jar / massfetch-flink.jar. Empty: this checkout's runners/*/target.",
        ),
    },
) as dag:

    @task
    def prepare() -> list[dict[str, Any]]:
        """Renders the params, picks the jar, lists the batches and builds each batch's Beam options."""
        context = get_current_context()
        params = context["params"]
        value = {name: _blank_to_none(_render(params.get(name), context)) for name in params}
        runner = value["runner"]
        for required in ("manifest", "output"):
            if not value[required]:
                raise AirflowFailException(f"massfetch: param {required} is empty")
        manifest = value["manifest"]
        if isinstance(manifest, list):
            manifest = [_render(m, context) for m in manifest]
        output: str = value["output"].rstrip("/") or value["output"]
        run_tag = _run_tag(context)
        results: str = value["results"] or default_results(output, run_tag)
        jar = resolve_jar(runner, value["jar_dir"])
        if not jar.is_file():
            raise AirflowFailException(
                f"massfetch: jar not found: {jar}. Build it (mvn -B -DskipTests package in the massfetch "
                f"checkout) or point the jar_dir param / Variable {VAR_JAR_DIR} at a folder holding {jar.name}"
            )
        parts = list_parts(manifest, Variable.get(VAR_STORAGE_CONN_ID, default=None))
        for part in parts:
            if not is_url(part) and not any(ch in part for ch in "*?[") and not os.path.exists(part):
                raise AirflowFailException(f"massfetch: manifest not found: {part}")
        headers, sources = header_sources(value["header_from_env"], runner)
        rate = value["max_requests_per_second"]
        batches = []
        for index, part in enumerate(parts):
            options = build_pipeline_options(
                runner=runner,
                jar=str(jar),
                manifest=part,
                output=output,
                results=results,
                base_url=value["base_url"],
                flink_master=value["flink_master"],
                parallelism=value["parallelism"],
                max_in_flight=value["max_in_flight"],
                # Batches run side by side: together they keep to the run's rate.
                max_requests_per_second=rate / min(MAX_ACTIVE_BATCHES, len(parts)) if rate else None,
                allowed_hosts=value["allowed_hosts"],
                header_from_env=headers,
                only_failed=bool(value["only_failed"]),
                extra_options=value["extra_options"],
            )
            options["jobName"] = job_name(run_tag, index)
            batches.append({
                "jar": str(jar),
                "runner": runner,
                "pipeline_options": options,
                "batch": {
                    "index": index,
                    "manifest": part,
                    "root": results,
                    "folder": batch_results(results, index),
                    "previous_results": value["previous_results"],
                    "header_sources": sources,
                    "max_failure_ratio": float(value["max_failure_ratio"]),
                },
            })
        print(f"massfetch: {len(batches)} batch(es) of {manifest} -> {results}, {MAX_ACTIVE_BATCHES} at once")
        return batches

    download = MassfetchBatchOperator.partial(
        task_id="download",
        job_class=JOB_CLASS,
        # Never deferred, whatever [operators] default_deferrable says: deferring would run the
        # job's JVM inside the triggerer process instead of on a worker.
        deferrable=False,
        # A lost worker or cluster hiccup is worth one more try; it only costs what the batch had
        # not recorded yet, since each attempt resumes from the run's results.
        retries=DOWNLOAD_RETRIES,
        retry_delay=timedelta(minutes=5),
        max_active_tis_per_dagrun=MAX_ACTIVE_BATCHES,
    ).expand_kwargs(prepare())

    @task
    def check(done: dict[str, Any]) -> dict[str, Any]:
        """Reads the batch's summary.json, publishes its counts, fails the batch on too many failed images."""
        context = get_current_context()
        conn_id = Variable.get(VAR_STORAGE_CONN_ID, default=None)
        results = done["results"]
        ratio = float(context["params"]["max_failure_ratio"])
        counts, problem = evaluate_summary(read_summary(results, conn_id), ratio, results)
        print(
            f"massfetch: batch {done['index']} ({done['manifest']}): total={counts['total']} ok={counts['ok']} "
            f"skipped={counts['skipped']} failed={counts['failed']} bytes={counts['bytes']} "
            f"failure_ratio={counts['failure_ratio']:.4f} errors={counts['errors']}"
        )
        if problem:
            raise AirflowFailException(f"batch {done['index']} ({done['manifest']}): {problem}")
        return counts

    @task(trigger_rule="all_done")
    def summary() -> dict[str, Any]:
        """Adds up the newest attempt of every batch into <results>/summary.json."""
        context = get_current_context()
        conn_id = Variable.get(VAR_STORAGE_CONN_ID, default=None)
        batches = context["ti"].xcom_pull(task_ids="prepare") or []
        results = batches[0]["batch"]["root"] if batches else None
        if results is None:
            raise AirflowFailException("massfetch: prepare planned no batch")
        total: dict[str, Any] = {"total": 0, "ok": 0, "skipped": 0, "failed": 0, "bytes": 0, "errors": {}, "batches": {}}
        latest = latest_attempts(results, conn_id)
        over: list[str] = []
        for name, folder in sorted(latest.items()):
            s = read_summary(folder, conn_id)
            if evaluate_summary(s, float(context["params"]["max_failure_ratio"]), folder)[1]:
                over.append(name)
            for key in ("total", "ok", "skipped", "failed", "bytes"):
                total[key] += int(s.get(key) or 0)
            for err, n in (s.get("errors") or {}).items():
                total["errors"][err] = total["errors"].get(err, 0) + int(n)
            total["batches"][name] = folder
        missing = len(batches) - len(latest)
        text = json.dumps(total, indent=2, sort_keys=True)
        if is_url(results):
            ObjectStoragePath(f"{results.rstrip('/')}/summary.json", conn_id=conn_id).write_text(text)
        else:
            Path(results, "summary.json").write_text(text)
        print(
            f"massfetch: total={total['total']} ok={total['ok']} skipped={total['skipped']} failed={total['failed']} "
            f"bytes={total['bytes']} over {len(latest)} of {len(batches)} batch(es) -> {results}/summary.json"
        )
        # The summary is the run's last task, so its state is the run's: a batch that failed its
        # check or wrote no summary fails the run here too, after summary.json is written.
        if missing or over:
            raise AirflowFailException(
                f"massfetch: {len(over)} batch(es) over max_failure_ratio ({', '.join(over) or 'none'}), "
                f"{missing} without a summary; see their check tasks"
            )
        return total

    checked = check.expand(done=download.output)
    checked >> summary()
