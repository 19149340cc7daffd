package massfetch.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import massfetch.metrics.JobMetrics;
import massfetch.sink.FileSystemsSetup;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code massfetch}: parses and checks the options (a user mistake is one line on stderr and exit
 * code 2), runs the job with progress lines, prints the summary, and exits 0 when the job finished
 * (failed images are in the results, not in the exit code), 1 when the job itself failed, 3 when
 * more entries failed than {@code --maxFailureRatio} allows ({@link RunOutcome}).
 */
public final class MassfetchMain {
  private MassfetchMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    // Submitted through a runner's own client or REST API, main runs inside that runner's process:
    // exiting would take that process down, so the exit code is only set as a standalone program.
    if (!Runners.hostsMain()) {
      System.exit(code);
    } else if (code != 0) {
      throw new IllegalStateException("massfetch exited with code " + code);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
      HelpText.print(out);
      return 0;
    }
    Optional<String> helpOn = Arrays.stream(args).filter(a -> a.startsWith("--help=")).findFirst();
    if (helpOn.isPresent()) {
      String name = helpOn.get().substring("--help=".length());
      if (HelpText.printInterface(name, out)) {
        return 0;
      }
      err.println("massfetch: error: --help=" + name + " names no options interface; known: "
          + String.join(", ", HelpText.interfaceNames()));
      return 2;
    }
    MassfetchOptions options;
    try {
      options = parseAndCheck(args);
      new ResultsLocation(options.getResults()).clearPrevious();
      ResultsOutput.record(options.getResults(), options.getOutput());
    } catch (UserError | IllegalArgumentException e) {
      err.println("massfetch: error: " + oneLine(e.getMessage()));
      return 2;
    } catch (IOException e) {
      err.println("massfetch: error: cannot prepare --results: " + oneLine(e.getMessage()));
      return 2;
    }
    String secrets = SecretHeaders.warning(options);
    if (secrets != null) {
      err.println(secrets);
    }
    AutoCloseable runnerSide;
    try {
      runnerSide = Runners.beforeRun(options, err);
    } catch (IOException e) {
      err.println("massfetch: error: cannot prepare the runner: " + oneLine(e.getMessage()));
      return 2;
    }
    try (AutoCloseable closedAfterRun = runnerSide) {
      return runJob(options, out, err);
    } catch (Exception e) {
      // Only close() gets here (runJob turns its failures into exit codes), and Runners' close
      // throws nothing.
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses and checks the command line without touching anything. Every user mistake surfaces as a
   * {@link UserError} or {@link IllegalArgumentException} whose message is the line to print.
   */
  static MassfetchOptions parseAndCheck(String[] args) throws UserError {
    if (Arrays.stream(args).anyMatch(a -> a.startsWith("--help"))) {
      // Beam answers --help=<anything> itself by printing its own help and exiting the JVM; run()
      // answers it before parsing.
      throw new UserError("--help is answered before the options are parsed: run with --help alone");
    }
    args = Runners.withDefaults(args);
    PipelineOptionsFactory.register(MassfetchOptions.class);
    String[] given = withRunnerDefaults(args);
    MassfetchOptions options;
    try {
      options = PipelineOptionsFactory.fromArgs(given).withValidation().as(MassfetchOptions.class);
    } catch (IllegalArgumentException e) {
      Optional<String> wrongType = OptionErrors.wrongType(e.getMessage(), given);
      if (wrongType.isPresent()) {
        throw new UserError(wrongType.get());
      }
      throw e;
    }
    OptionsCheck.checkEndpoints(options);
    FileSystemsSetup.configure(options, Arrays.asList(options.getManifest(), options.getOutput(),
        options.getResults(), options.getTempLocation(), options.getPreviousResults()));
    options.setPreviousResults(PreviousResults.files(options.getPreviousResults()));
    OptionsCheck.check(options);
    return options;
  }

  /** Runs the job to the end; the exit code says whether it finished. */
  static int runJob(MassfetchOptions options, PrintStream out, PrintStream err) {
    long start = System.currentTimeMillis();
    Pipeline p = MassfetchPipeline.build(Pipeline.create(options), options, start);
    PipelineResult result;
    PipelineResult.State state;
    Map<String, Long> finalCounters;
    double elapsedMs;
    try {
      result = p.run();
      try (ProgressReporter progress = new ProgressReporter(result, err, options.getProgressIntervalSeconds())) {
        state = result.waitUntilFinish();
      }
      elapsedMs = System.currentTimeMillis() - start;
      finalCounters = ProgressReporter.counters(result);
    } catch (RuntimeException e) {
      String why = rootMessage(e);
      if (Runners.isDetachedSubmission(why)) {
        // A detached submission: the job runs on; its results say how it ended.
        err.println("massfetch: job submitted; results will be in " + options.getResults());
        return 0;
      }
      err.println("massfetch: the job failed: " + oneLine(why));
      return 1;
    }
    if (state == PipelineResult.State.UNKNOWN) {
      // A detached submission (--attachedMode=false): Flink runs the job on its own.
      err.println("massfetch: job submitted; results will be in " + options.getResults());
      return 0;
    }
    if (state != PipelineResult.State.DONE) {
      err.println("massfetch: the job ended " + state);
      return 1;
    }
    err.printf(Locale.ROOT, "massfetch: finished in %.1f s, average in flight %.0f of %s%s%n",
        elapsedMs / 1000, ProgressReporter.averageInFlight(finalCounters, elapsedMs), options.getMaxInFlight(),
        limitAtEnd(options, finalCounters) + uploadsAtEnd(options, finalCounters));
    ResultsLocation results = new ResultsLocation(options.getResults());
    try {
      String summary = results.readSummary();
      if (summary == null) {
        err.println("massfetch: results in " + options.getResults());
        return 0;
      }
      out.println(summary.strip());
      err.println("massfetch: results in " + options.getResults());
      RunOutcome outcome = RunOutcome.of(summary);
      outcome.warnings().forEach(err::println);
      Optional<String> tooMany = outcome.tooManyFailures(options.getMaxFailureRatio());
      if (tooMany.isPresent()) {
        err.println(tooMany.get());
        return RunOutcome.TOO_MANY_FAILURES;
      }
    } catch (IOException e) {
      err.println("massfetch: cannot read " + results.summaryPath() + ": " + oneLine(e.getMessage()));
    }
    return 0;
  }

  /**
   * ", limit at end N" for {@code --maxInFlight=auto}, where the limit the job found is the figure
   * to agree with a provider; empty for a fixed limit (it never moves) and when no fetch reported.
   */
  static String limitAtEnd(MassfetchOptions options, Map<String, Long> counters) {
    Long limit = counters.get(JobMetrics.IN_FLIGHT_LIMIT);
    return Configs.isAutoInFlight(options.getMaxInFlight()) && limit != null ? ", limit at end " + limit : "";
  }

  /**
   * ", uploads in flight limit at end N of M, store slow-downs K" for an object store, whose "slow
   * down" answers move that limit; empty for a local folder.
   */
  static String uploadsAtEnd(MassfetchOptions options, Map<String, Long> counters) {
    Long limit = counters.get(JobMetrics.UPLOADS_IN_FLIGHT_LIMIT);
    return limit == null ? "" : ", uploads in flight limit at end " + limit + " of " + options.getMaxUploadsInFlight()
        + ", store slow-downs " + counters.getOrDefault(JobMetrics.STORE_SLOW_DOWNS, 0L);
  }

  /** The DirectRunner blocks in run() by default; progress lines need it to return at once. */
  private static String[] withRunnerDefaults(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    boolean direct = all.stream().noneMatch(a -> a.startsWith("--runner="))
        || all.stream().anyMatch(a -> a.equals("--runner=DirectRunner") || a.endsWith(".DirectRunner"));
    if (direct) {
      addDefault(all, "--blockOnRun", "false");
      // The DirectRunner re-encodes every element to catch pipeline-authoring bugs; our tests keep
      // these checks on, a production run does not need to pay for them.
      addDefault(all, "--enforceImmutability", "false");
      addDefault(all, "--enforceEncodability", "false");
    }
    return all.toArray(new String[0]);
  }

  private static void addDefault(List<String> args, String option, String value) {
    if (args.stream().noneMatch(a -> a.equals(option) || a.startsWith(option + "="))) {
      args.add(option + "=" + value);
    }
  }

  /** One line for the user: Beam's option errors reworded ({@link OptionErrors}), whitespace folded. */
  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    return OptionErrors.reword(message).orElseGet(() -> message.replaceAll("\\s+", " ").strip());
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
  }
}
