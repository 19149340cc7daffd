package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the command line: 2,000 random argument lists built from every option massfetch has, with
 * hostile values (empty, negative, huge, not numbers, control characters, 10,000 characters, wrong
 * URL schemes) and malformed tokens. The property: parsing and checking either accepts the
 * arguments or fails with a {@link UserError} or {@link IllegalArgumentException} — the two that
 * {@code run} prints as one line and exit code 2 — and that line names no Java exception nor
 * speaks the parser's language (a value of the wrong type is named by its option). Nothing
 * else may escape (a stack trace for the user), and nothing may hang.
 */
class OptionsFuzzTest {
  private static final String[] VALUES = {
    "", "-1", "0", "1", "7", "2147483648", "99999999999999999999", "abc", "1e3", "NaN", "true", "maybe",
    "\u0000", "\t", "ftp://x.example/", "http://", "http:// spaces/", "https://img.example:99999/",
    "http://img.example/base", "../../etc", "s3://", "gs://", "%zz", "Name:Value", "Name", ":",
    "*.example.com", "a,b,,c", "x".repeat(10_000), "\u65e5\u672c", "/proc/massfetch-fuzz", "file:///nowhere/x"
  };
  private static final String[] MALFORMED = {
    "--", "-x", "--=1", "manifest=x", "--maxInFlight", "---maxInFlight=1", "--runner=NoSuchRunner", "--help=no",
    "--manifest", "--output=", "--flinkMaster=[local]", "--runner=FlinkRunner"
  };

  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void givenRandomArguments_whenParsedAndChecked_thenAcceptedOrOneUserErrorLine() throws Exception {
    List<String> options = optionNames();
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    Random random = new Random(26112026L);
    for (int run = 0; run < 2_000; run++) {
      List<String> args = new ArrayList<>();
      if (random.nextInt(3) > 0) {
        args.add("--manifest=" + manifest);
        args.add("--output=" + dir.resolve("out"));
      }
      int n = 1 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        args.add(random.nextInt(8) == 0
            ? MALFORMED[random.nextInt(MALFORMED.length)]
            : "--" + options.get(random.nextInt(options.size())) + "=" + VALUES[random.nextInt(VALUES.length)]);
      }
      try {
        MassfetchMain.parseAndCheck(args.toArray(new String[0]));
      } catch (UserError | IllegalArgumentException e) {
        String line = MassfetchMain.oneLine(e.getMessage());
        assertFalse(line.isBlank(), () -> "empty error for " + shown(args));
        assertFalse(line.contains("\n"), () -> "multi-line error for " + shown(args) + ": " + line);
        assertFalse(line.matches(".*\\b\\w+(Exception|Error)\\b.*"),
            () -> "Java exception name in the error for " + shown(args) + ": " + line);
        assertFalse(line.contains("deserialize") || line.contains("out of range of"),
            () -> "a value of the wrong type, not named by its option, for " + shown(args) + ": " + line);
      } catch (Throwable t) {
        fail("escaped " + t + " for " + shown(args), t);
      }
    }
  }

  /** Every option of the massfetch interfaces, by the name the command line uses. */
  private static List<String> optionNames() {
    TreeSet<String> names = new TreeSet<>();
    for (Method m : MassfetchOptions.class.getMethods()) {
      if (m.getDeclaringClass().getPackageName().equals("massfetch.pipeline")
          && m.getName().startsWith("get") && m.getParameterCount() == 0) {
        names.add(Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4));
      }
    }
    names.add("runner");
    names.add("userAgent");
    return new ArrayList<>(names);
  }

  private static String shown(List<String> args) {
    StringBuilder b = new StringBuilder();
    for (String a : args) {
      b.append(a.length() > 80 ? a.substring(0, 80) + "…" : a).append(' ');
    }
    return b.toString();
  }
}
