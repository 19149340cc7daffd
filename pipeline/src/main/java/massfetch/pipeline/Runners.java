package massfetch.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Every {@link RunnerSupport} on the classpath, asked as one: the runner jar a job runs from brings
 * its own (the DirectRunner needs none). Loaded with this module's class loader, which inside a
 * Flink cluster is the job jar's own, not the thread's context loader.
 */
final class Runners {
  private static final List<RunnerSupport> ALL = load();

  private Runners() {}

  private static List<RunnerSupport> load() {
    List<RunnerSupport> all = new ArrayList<>();
    ServiceLoader.load(RunnerSupport.class, RunnerSupport.class.getClassLoader()).forEach(all::add);
    return List.copyOf(all);
  }

  /** Local paths made absolute (for every runner), then each runner's defaults. */
  static String[] withDefaults(String[] args) {
    String[] out = AbsolutePaths.apply(args);
    for (RunnerSupport r : ALL) {
      out = r.withDefaults(out);
    }
    return out;
  }

  /** The parallelism the job's runner was given; empty when it has none (the DirectRunner). */
  static OptionalInt parallelism(PipelineOptions options) {
    for (RunnerSupport r : ALL) {
      OptionalInt p = r.parallelism(options);
      if (p.isPresent()) {
        return p;
      }
    }
    return OptionalInt.empty();
  }

  /** The cluster the job is submitted to; empty when it runs in this JVM. */
  static Optional<String> cluster(PipelineOptions options) {
    return ALL.stream().map(r -> r.cluster(options)).flatMap(Optional::stream).findFirst();
  }

  /** What every runner prepares before the run, closed together (last prepared, first closed). */
  static AutoCloseable beforeRun(MassfetchOptions options, PrintStream err) throws IOException {
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      for (RunnerSupport r : ALL) {
        opened.add(0, r.beforeRun(options, err));
      }
    } catch (IOException | RuntimeException e) {
      closeAll(opened);
      throw e;
    }
    return () -> closeAll(opened);
  }

  static boolean hostsMain() {
    return ALL.stream().anyMatch(RunnerSupport::hostsMain);
  }

  static boolean isDetachedSubmission(String rootMessage) {
    return ALL.stream().anyMatch(r -> r.isDetachedSubmission(rootMessage));
  }

  private static void closeAll(List<AutoCloseable> opened) {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        // Clean-up after a run must not turn its outcome into a failure; each closes what it can.
      }
    }
  }
}
