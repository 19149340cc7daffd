"""Tests of dags/massfetch_dag.py: it imports cleanly, and its graph, params and helpers are as documented.

Run with scripts/airflow.sh pytest (the project's Airflow venv); the end-to-end runs with a real
Airflow are in scripts/suites/40-airflow.sh.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.providers.apache.beam.hooks.beam import beam_options_to_args
from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator
from airflow.sdk.exceptions import AirflowFailException, ParamValidationError

DAGS_DIR = Path(__file__).resolve().parent.parent
DAG_FILE = DAGS_DIR / "massfetch_dag.py"


def _load_module() -> Any:
    spec = importlib.util.spec_from_file_location("massfetch_dag", DAG_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["massfetch_dag"] = module
    spec.loader.exec_module(module)
    return module


md = _load_module()


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS_DIR))


def test_givenDagFolder_whenParsed_thenNoImportErrorsAndOnlyTheMassfetchDag(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert list(dagbag.dag_ids) == ["massfetch"]


def test_givenDag_whenInspected_thenMappedBatchesThenChecksThenSummary(dagbag: DagBag) -> None:
    dag = dagbag.get_dag("massfetch")
    assert set(dag.task_ids) == {"prepare", "download", "check", "summary"}
    assert dag.get_task("prepare").downstream_task_ids == {"download"}
    assert dag.get_task("download").downstream_task_ids == {"check"}
    assert dag.get_task("check").downstream_task_ids == {"summary"}
    assert dag.get_task("summary").trigger_rule == "all_done", "the summary counts failed batches too"
    download = dag.get_task("download")
    assert download.operator_class.__name__ == "MassfetchBatchOperator"
    assert issubclass(md.MassfetchBatchOperator, BeamRunJavaPipelineOperator)
    assert download.partial_kwargs["job_class"] == "massfetch.pipeline.MassfetchMain"
    assert download.partial_kwargs["deferrable"] is False, "a deferred Beam job would run inside the triggerer"
    assert download.partial_kwargs["retries"] == md.DOWNLOAD_RETRIES
    assert download.partial_kwargs["max_active_tis_per_dagrun"] == md.MAX_ACTIVE_BATCHES
    assert dag.max_active_runs == 1
    assert dag.catchup is False


def test_givenDag_whenParamsRead_thenTheDocumentedParamsAndDefaults(dagbag: DagBag) -> None:
    params = dagbag.get_dag("massfetch").params
    assert set(params.keys()) == {
        "manifest", "base_url", "output", "results", "runner", "flink_master",
        "parallelism", "max_in_flight", "max_failure_ratio", "jar_dir", "max_requests_per_second",
        "allowed_hosts", "header_from_env", "previous_results", "only_failed", "extra_options",
    }
    assert params["max_failure_ratio"] == 0.01
    assert params["runner"] == "DirectRunner"
    assert "{{ ds }}" in params["manifest"], "the default manifest path is a daily one"
    assert params["parallelism"] is None and params["max_in_flight"] is None
    assert params["results"] == ""
    for name in params.keys():
        assert params.get_param(name).description, f"param {name} has a description for the trigger form"


def test_givenRunnerParam_whenUnknownRunner_thenRejected(dagbag: DagBag) -> None:
    runner = dagbag.get_dag("massfetch").params.get_param("runner")
    assert runner.resolve("FlinkRunner") == "FlinkRunner"
    with pytest.raises(ParamValidationError):
        runner.resolve("SparkRunner")


def test_givenMaxFailureRatioParam_whenOutOfRange_thenRejected(dagbag: DagBag) -> None:
    ratio = dagbag.get_dag("massfetch").params.get_param("max_failure_ratio")
    with pytest.raises(ParamValidationError):
        ratio.resolve(1.5)


def test_givenRunner_whenJarResolved_thenPerRunnerJarInJarDirOrCheckout(tmp_path: Path) -> None:
    assert md.resolve_jar("DirectRunner", None, tmp_path) == tmp_path / "runners/direct/target/massfetch-direct.jar"
    assert md.resolve_jar("FlinkRunner", None, tmp_path) == tmp_path / "runners/flink/target/massfetch-flink.jar"
    assert md.resolve_jar("FlinkRunner", "/opt/massfetch", tmp_path) == Path("/opt/massfetch/massfetch-flink.jar")
    with pytest.raises(AirflowFailException):
        md.resolve_jar("SparkRunner", None, tmp_path)


def _options(**overrides: Any) -> dict[str, str]:
    args: dict[str, Any] = dict(
        runner="DirectRunner", jar="/j/massfetch-direct.jar", manifest="/m/2026-11-25/manifest.txt",
        output="gs://bucket/images", results="gs://bucket/images/_results/2026-11-25",
        base_url="http://images.example:8080", flink_master="localhost:8081", parallelism=None,
        max_in_flight=None,
    )
    args.update(overrides)
    return md.build_pipeline_options(**args)


def test_givenDirectRunner_whenOptionsBuilt_thenNoFlinkOptionsAndStringValues() -> None:
    options = _options(parallelism=3, max_in_flight=512)
    assert options == {
        "manifest": "/m/2026-11-25/manifest.txt",
        "output": "gs://bucket/images",
        "results": "gs://bucket/images/_results/2026-11-25",
        "skipExisting": "true",
        "baseUrl": "http://images.example:8080",
        "maxInFlight": "512",
        "targetParallelism": "3",
    }
    # The provider turns the dict into exactly these Beam arguments (checked against its own code,
    # so a provider upgrade that changes the format fails here).
    assert beam_options_to_args(options) == [
        "--manifest=/m/2026-11-25/manifest.txt",
        "--output=gs://bucket/images",
        "--results=gs://bucket/images/_results/2026-11-25",
        "--skipExisting=true",
        "--baseUrl=http://images.example:8080",
        "--maxInFlight=512",
        "--targetParallelism=3",
    ]


def test_givenFlinkRunner_whenOptionsBuilt_thenMasterJarToStageAndParallelism() -> None:
    options = _options(runner="FlinkRunner", jar="/j/massfetch-flink.jar", parallelism=2, base_url=None)
    assert options["flinkMaster"] == "localhost:8081"
    assert options["filesToStage"] == "/j/massfetch-flink.jar"
    assert options["parallelism"] == "2"
    assert "baseUrl" not in options and "targetParallelism" not in options
    with pytest.raises(AirflowFailException, match="flink_master"):
        _options(runner="FlinkRunner", flink_master=None)


def test_givenFewFailures_whenSummaryEvaluated_thenCountsAndNoProblem() -> None:
    summary = {"total": 1000, "ok": 990, "skipped": 5, "failed": 5, "bytes": 123, "errors": {"http_404": 5}}
    counts, problem = md.evaluate_summary(summary, 0.01, "/r")
    assert problem is None
    assert counts["total"] == 1000 and counts["failed"] == 5 and counts["failure_ratio"] == 0.005
    assert counts["errors"] == {"http_404": 5} and counts["results"] == "/r"


def test_givenRatioExactlyAtLimit_whenSummaryEvaluated_thenPasses() -> None:
    summary = {"total": 100, "ok": 99, "skipped": 0, "failed": 1, "errors": {"timeout": 1}}
    assert md.evaluate_summary(summary, 0.01, "/r")[1] is None


def test_givenTooManyFailures_whenSummaryEvaluated_thenMessageNamesTopErrorsAndResultsFiles() -> None:
    summary = {
        "total": 200, "ok": 10, "skipped": 0, "failed": 190, "bytes": 1,
        "errors": {"timeout": 10, "http_404": 170, "http_403": 5, "not_image": 2, "truncated": 2, "connect_error": 1},
    }
    _, problem = md.evaluate_summary(summary, 0.01, "gs://b/_results/2026-11-25")
    assert problem == (
        "massfetch: 190 of 200 images failed (95.00% > max_failure_ratio 1.00%). Top errors: "
        "http_404=170, timeout=10, http_403=5, not_image=2, truncated=2. Failed entries: lines with "
        '"status":"failed" in gs://b/_results/2026-11-25/results-*.jsonl'
    )


def test_givenInconsistentSummary_whenEvaluated_thenProblem() -> None:
    _, problem = md.evaluate_summary({"total": 10, "ok": 3, "skipped": 0, "failed": 0}, 0.5, "/r")
    assert problem and "does not add up" in problem


def test_givenNotASummary_whenEvaluated_thenFailsClearly() -> None:
    with pytest.raises(AirflowFailException, match="not a massfetch summary"):
        md.evaluate_summary({"images": 3}, 0.01, "/r")


def test_givenEmptyManifest_whenEvaluated_thenPasses() -> None:
    counts, problem = md.evaluate_summary({"total": 0, "ok": 0, "skipped": 0, "failed": 0}, 0.01, "/r")
    assert problem is None and counts["failure_ratio"] == 0.0


def test_givenResultsFolder_whenSummaryMissing_thenFailsNamingThePath(tmp_path: Path) -> None:
    with pytest.raises(AirflowFailException, match=str(tmp_path / "summary.json")):
        md.read_summary(str(tmp_path), None)
    (tmp_path / "summary.json").write_text('{"total": 1, "ok": 1, "skipped": 0, "failed": 0}')
    assert md.read_summary(str(tmp_path), None)["ok"] == 1


def test_givenNoEnvironment_whenDagBuilt_thenDownloadRetriesOnce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MASSFETCH_DOWNLOAD_RETRIES", raising=False)
    fresh = _load_module()
    assert fresh.dag.get_task("download").partial_kwargs["retries"] == 1, "a retry is cheap: it resumes"


def test_givenManifestFolderListOrFile_whenListed_thenOneBatchPerPartFile(tmp_path: Path) -> None:
    for name in ("part-2.txt", "part-1.txt", ".hidden", "_SUCCESS"):
        (tmp_path / name).write_text("a.png\n")
    assert md.list_parts(str(tmp_path)) == [str(tmp_path / "part-1.txt"), str(tmp_path / "part-2.txt")]
    assert md.list_parts(str(tmp_path / "part-*.txt")) == [str(tmp_path / "part-1.txt"), str(tmp_path / "part-2.txt")]
    assert md.list_parts(["x.txt", "y.txt"]) == ["x.txt", "y.txt"]
    assert md.list_parts("gs://b/m/part-*.txt") == ["gs://b/m/part-*.txt"]
    with pytest.raises(AirflowFailException, match="holds no part files"):
        md.list_parts(str(tmp_path / "none-*.txt"))


def test_givenHeaderSecrets_whenPlanned_thenOnlyEnvironmentNamesInTheOptions() -> None:
    values, sources = md.header_sources(["Authorization:conn:provider", "X-Key:var:provider_key", "X-Id:ID_ENV"], "DirectRunner")
    assert values == ["Authorization:MASSFETCH_HEADER_0", "X-Key:MASSFETCH_HEADER_1", "X-Id:ID_ENV"]
    assert sources == {"MASSFETCH_HEADER_0": "conn:provider", "MASSFETCH_HEADER_1": "var:provider_key"}
    with pytest.raises(AirflowFailException, match="workers read their own environment"):
        md.header_sources(["Authorization:conn:provider"], "FlinkRunner")
    with pytest.raises(AirflowFailException, match="is not Name:conn:ID"):
        md.header_sources(["Authorization"], "DirectRunner")


def test_givenPolitenessAndExtraOptions_whenOptionsBuilt_thenPassedAndManagedOnesRefused() -> None:
    common = dict(runner="DirectRunner", jar="/j.jar", manifest="/m.txt", output="/o", results="/o/_r",
                  base_url=None, flink_master=None, parallelism=None, max_in_flight=None)
    options = md.build_pipeline_options(**common, max_requests_per_second=50.0, allowed_hosts="a.example,*.cdn.example",
                                        header_from_env=["A:E0", "B:E1"], only_failed=True,
                                        extra_options={"maxAttempts": 5, "followRedirects": False})
    assert options["maxRequestsPerSecond"] == "50.0"
    assert options["allowedHosts"] == "a.example,*.cdn.example"
    assert options["headerFromEnv"] == "A:E0,B:E1"
    assert options["onlyFailed"] == "true"
    assert options["maxAttempts"] == "5" and options["followRedirects"] == "false"
    with pytest.raises(AirflowFailException, match="may not set output"):
        md.build_pipeline_options(**common, extra_options={"output": "/elsewhere"})


def test_givenRunTag_whenBatchNamed_thenFoldersAndJobNamesPerBatch() -> None:
    assert md.batch_results("gs://b/_results/2026-11-25/", 3) == "gs://b/_results/2026-11-25/batch-0003"
    assert md.run_results_glob("/r") == "/r/batch-*/attempt-*/results-*.jsonl"
    assert md.job_name("manual__2026-11-25T10:00:00+00:00", 2) == "massfetch-manual-2026-11-25t10-00-00-00-00-batch-0002"


def test_givenSeveralAttempts_whenLatestRead_thenTheNewestWithASummaryPerBatch(tmp_path: Path) -> None:
    for folder, has_summary in (("batch-0000/attempt-1", True), ("batch-0000/attempt-2", True),
                                ("batch-0001/attempt-1", True), ("batch-0001/attempt-2", False)):
        (tmp_path / folder).mkdir(parents=True)
        if has_summary:
            (tmp_path / folder / "summary.json").write_text("{}")
    assert md.latest_attempts(str(tmp_path), None) == {
        "batch-0000": str(tmp_path / "batch-0000/attempt-2"),
        "batch-0001": str(tmp_path / "batch-0001/attempt-1"),
    }


def test_givenOutput_whenDefaultResults_thenOneFolderPerRun() -> None:
    assert md.default_results("gs://b/images/", "2026-11-25") == "gs://b/images/_results/2026-11-25"
