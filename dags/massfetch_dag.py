"""Airflow DAG ``massfetch``: copy the images a manifest lists into object storage, then check.

Tasks, in order:

``prepare``
    Renders the run's params (so ``{{ ds }}`` and ``{{ var.value... }}`` work inside them), picks
    the jar for the runner, checks that it exists, and builds the Beam pipeline options.
``download``
    ``BeamRunJavaPipelineOperator`` runs ``massfetch.pipeline.MassfetchMain`` from that jar on the
    DirectRunner (in the worker's JVM) or submits it to a Flink cluster (FlinkRunner). The task
    ends when the Beam job ends.
``check``
    Reads ``<results>/summary.json``, pushes the counts to XCom and fails the run when
    ``failed / total > max_failure_ratio``, naming the top error classes and the results files
    that hold the failed entries.

Re-running a run (task retry or clear) never downloads a stored image again: massfetch skips keys
that already exist in the output (``--skipExisting``, on by default), so they count as ``skipped``.

The file has no module-level side effects besides building the DAG: no Variable, connection or
file-system access at parse time. See docs/airflow.md for installation and the Variables it reads.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

import pendulum
from airflow.sdk.exceptions import AirflowFailException
from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator
from airflow.sdk import DAG, ObjectStoragePath, Param, Variable, get_current_context, task

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


def is_result_file(name: str) -> bool:
    """The files massfetch writes into a results folder: ``results-*.jsonl`` shards and ``summary.json``."""
    return name == "summary.json" or (name.startswith("results-") and name.endswith(".jsonl"))


def remove_previous_results(results: str, conn_id: str | None) -> list[str]:
    """Deletes an earlier attempt's result files from RESULTS and returns their names.

    A retried or cleared run writes into the same folder, and its shard count can differ
    (results-*-of-00003 after results-*-of-00004), so old shards would otherwise stay beside the
    new ones and the "failed entries" would mix two attempts.
    """
    folder: Path | ObjectStoragePath = (
        ObjectStoragePath(results, conn_id=conn_id) if is_url(results) else Path(results)
    )
    if not folder.exists():
        return []
    removed = []
    for entry in folder.iterdir():
        if entry.is_file() and is_result_file(entry.name):
            entry.unlink()
            removed.append(entry.name)
    return sorted(removed)


def clear_previous_results(context: Mapping[str, Any]) -> None:
    """on_execute_callback of the download task: starts every attempt with an empty results folder."""
    results = context["ti"].xcom_pull(task_ids="prepare", key="results")
    removed = remove_previous_results(results, Variable.get(VAR_STORAGE_CONN_ID, default=None))
    if removed:
        print(f"massfetch: removed {len(removed)} result files of an earlier attempt from {results}")


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
            type="string",
            minLength=1,
            title="Manifest",
            description="Manifest file: local path, gs:// or s3://, .gz allowed. Templated: {{ ds }} is the run's date.",
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
        "jar_dir": Param(
            "{{ var.value.get('massfetch_jar_dir', '') }}",
            type=["null", "string"],
            title="Jar folder",
            description="Folder holding massfetch-direct.jar / massfetch-flink.jar. Empty: this checkout's runners/*/target.",
        ),
    },
) as dag:

    @task(multiple_outputs=True)
    def prepare() -> dict[str, Any]:
        """Renders the params, picks the jar and builds the Beam options for the download task."""
        context = get_current_context()
        params = context["params"]
        value = {name: _blank_to_none(_render(params.get(name), context)) for name in params}
        runner = value["runner"]
        for required in ("manifest", "output"):
            if not value[required]:
                raise AirflowFailException(f"massfetch: param {required} is empty")
        manifest: str = value["manifest"]
        output: str = value["output"].rstrip("/") or value["output"]
        results: str = value["results"] or default_results(output, _run_tag(context))
        jar = resolve_jar(runner, value["jar_dir"])
        if not jar.is_file():
            raise AirflowFailException(
                f"massfetch: jar not found: {jar}. Build it (mvn -B -DskipTests package in the massfetch "
                f"checkout) or point the jar_dir param / Variable {VAR_JAR_DIR} at a folder holding {jar.name}"
            )
        if not is_url(manifest) and not any(ch in manifest for ch in "*?[") and not os.path.exists(manifest):
            raise AirflowFailException(f"massfetch: manifest not found: {manifest}")
        options = build_pipeline_options(
            runner=runner,
            jar=str(jar),
            manifest=manifest,
            output=output,
            results=results,
            base_url=value["base_url"],
            flink_master=value["flink_master"],
            parallelism=value["parallelism"],
            max_in_flight=value["max_in_flight"],
        )
        return {
            "jar": str(jar),
            "runner": runner,
            "options": options,
            "results": results,
            "max_failure_ratio": float(value["max_failure_ratio"]),
        }

    prepared = prepare()

    download = BeamRunJavaPipelineOperator(
        task_id="download",
        jar=prepared["jar"],
        job_class=JOB_CLASS,
        runner=prepared["runner"],
        pipeline_options=prepared["options"],
        # Never deferred, whatever [operators] default_deferrable says: deferring would run the
        # job's JVM inside the triggerer process instead of on a worker.
        deferrable=False,
        on_execute_callback=clear_previous_results,
        # A lost worker or cluster hiccup is worth one more try; it only costs the images not yet
        # stored, since the job skips existing keys.
        retries=DOWNLOAD_RETRIES,
        retry_delay=timedelta(minutes=5),
    )

    @task
    def check(results: str, max_failure_ratio: float) -> dict[str, Any]:
        """Reads summary.json, publishes the counts, fails the run on too many failed images."""
        conn_id = Variable.get(VAR_STORAGE_CONN_ID, default=None)
        counts, problem = evaluate_summary(read_summary(results, conn_id), max_failure_ratio, results)
        context = get_current_context()
        # The counts go to XCom before any failure so a failed run still shows them.
        for key, val in counts.items():
            context["ti"].xcom_push(key=key, value=val)
        print(
            f"massfetch: total={counts['total']} ok={counts['ok']} skipped={counts['skipped']} "
            f"failed={counts['failed']} bytes={counts['bytes']} failure_ratio={counts['failure_ratio']:.4f} "
            f"errors={counts['errors']}"
        )
        if problem:
            raise AirflowFailException(problem)
        return counts

    checked = check(prepared["results"], prepared["max_failure_ratio"])
    download >> checked
