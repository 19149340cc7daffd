package massfetch.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One {@link MassfetchMain#run} in the test's JVM: its exit code and what it printed. */
record MainRun(int exitCode, String out, String err) {

  /**
   * Runs massfetch with {@code args}, plus the DirectRunner's immutability and encodability checks
   * (kept on in tests; left off {@code --help}, which runs no pipeline).
   */
  static MainRun run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--help")) {
      all.add("--enforceImmutability=true");
      all.add("--enforceEncodability=true");
    }
    int code = MassfetchMain.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new MainRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
