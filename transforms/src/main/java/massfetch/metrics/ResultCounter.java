package massfetch.metrics;

import java.io.Serializable;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.metrics.Counter;

/**
 * Counts results by status, and failures by class, in the step that makes them (the manifest
 * reader, the de-duplication and the fetch). Counting where a result is born rather than in one step
 * downstream keeps progress lines live: a runner reports a step's metrics while its bundle runs, but
 * hands the bundle's output to the next step only when the bundle ends — and a fetch bundle is a
 * whole group of entries. Summary.json, not these counters, is the exact account.
 */
public final class ResultCounter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Counter ok = JobMetrics.counter(JobMetrics.RESULTS_OK);
  private final Counter skipped = JobMetrics.counter(JobMetrics.RESULTS_SKIPPED);
  private final Counter failed = JobMetrics.counter(JobMetrics.RESULTS_FAILED);

  /** Counts {@code r} and returns it, for use inside an output call. */
  public FetchResult count(FetchResult r) {
    switch (r.getStatus()) {
      case OK:
        ok.inc();
        break;
      case SKIPPED:
        skipped.inc();
        break;
      case FAILED:
        failed.inc();
        JobMetrics.counter(JobMetrics.FAILED_PREFIX + r.getError()).inc();
        break;
    }
    return r;
  }
}
