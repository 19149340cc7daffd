package massfetch.results;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where and how one run publishes its results as it goes: the results folder, the run's id (in
 * every file name, so a run reads back only its own files), and how often a file is rolled. Shared
 * by the writer ({@link WriteResults#withLedger}) and by {@link SkipPublished}, which leaves out the
 * entries a failed attempt of the same run already published.
 *
 * <pre>{@code
 * ResultsLedger ledger = ResultsLedger.in("gs://bucket/run-1/_results").withRollEvery(50_000, 30);
 * requests.apply("SkipPublished", SkipPublished.in(ledger)).apply("FetchAndStore", …);
 * results.apply("WriteResults", WriteResults.to(ledger.directory()).withLedger(ledger));
 * }</pre>
 */
public final class ResultsLedger implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public static final int DEFAULT_ROLL_RECORDS = 50_000;
  public static final int DEFAULT_ROLL_SECONDS = 30;

  private final String directory;
  private final String runId;
  private final int rollRecords;
  private final int rollSeconds;
  private final boolean checksRepeats;

  private ResultsLedger(
      String directory, String runId, int rollRecords, int rollSeconds, boolean checksRepeats) {
    if (rollRecords < 1 || rollSeconds < 1) {
      throw new IllegalArgumentException("a results file rolls after at least 1 record and 1 second");
    }
    if (!runId.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("a run id is letters, digits and '_': " + runId);
    }
    this.directory = directory;
    this.runId = runId;
    this.rollRecords = rollRecords;
    this.rollSeconds = rollSeconds;
    this.checksRepeats = checksRepeats;
  }

  /** A ledger in {@code directory} with a new run id (UTC start time and a random suffix). */
  public static ResultsLedger in(String directory) {
    String id = RUN_TIME.format(Instant.now()) + "_"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    return new ResultsLedger(directory, id, DEFAULT_ROLL_RECORDS, DEFAULT_ROLL_SECONDS, true);
  }

  public ResultsLedger withRunId(String runId) {
    return new ResultsLedger(directory, runId, rollRecords, rollSeconds, checksRepeats);
  }

  /**
   * A file is published once it holds {@code records} results, or at the first result after it has
   * been open {@code seconds}: a crash loses at most that much work per worker.
   */
  public ResultsLedger withRollEvery(int records, int seconds) {
    return new ResultsLedger(directory, runId, records, seconds, checksRepeats);
  }

  /**
   * For a runner that never retries a bundle (the DirectRunner fails the job instead): writers do
   * not read back what the run published, which would cost a listing per bundle and memory for
   * every entry of the run, and {@link SkipPublished} is not needed.
   */
  public ResultsLedger withoutRetries() {
    return new ResultsLedger(directory, runId, rollRecords, rollSeconds, false);
  }

  /** Whether a task may run twice, so that writers drop entries the run already published. */
  public boolean checksRepeats() {
    return checksRepeats;
  }

  public String directory() {
    return directory;
  }

  public String runId() {
    return runId;
  }

  int rollRecords() {
    return rollRecords;
  }

  int rollSeconds() {
    return rollSeconds;
  }

  /** This run's published files, as a glob (a subset of {@link WriteResults#RESULT_FILES}). */
  String publishedGlob() {
    return prefix() + WriteResults.RESULT_FILES.replace("*", runId + "-*");
  }

  /** This run's files still being written (or cut by a crash), as a glob. */
  String partialGlob() {
    return prefix() + WriteResults.PARTIAL_PREFIX + publishedGlob().substring(prefix().length());
  }

  /** The final name of a new file: {@code results-<run>-<unique>.jsonl}. */
  String newFileName(String unique) {
    return WriteResults.RESULT_FILES.replace("*", runId + "-" + unique);
  }

  private String prefix() {
    return directory.endsWith("/") ? directory : directory + "/";
  }
}
