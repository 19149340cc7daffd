package massfetch.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Beam's errors about the command line, reworded as one line in the user's terms: option names
 * with their dashes, Beam's "did you mean" kept, and the runner a mistyped {@code --runner}
 * probably meant. Beam's own wording names Java interfaces, which mean nothing to a user.
 */
final class OptionErrors {
  /** The runners massfetch is packaged with (scripts/massfetch picks the jar by --runner). */
  static final List<String> RUNNERS = List.of("DirectRunner", "FlinkRunner");

  private static final Pattern UNKNOWN_OPTION = Pattern.compile(
      "missing a property named '([^']+)'\\.?(?: Did you mean (?:one of )?\\[?'?([^'?\\]]+)'?\\]?\\?)?");
  private static final Pattern MISSING_OPTION = Pattern.compile("Missing required value for \\[(--\\w+)");
  private static final Pattern UNKNOWN_RUNNER = Pattern.compile(
      "(?:Unknown 'runner' specified '([^']*)'|Class '([^']*)' does not implement PipelineRunner)");

  private OptionErrors() {}

  /** The line for a message of Beam's options parser, or empty when it is not one of those. */
  static Optional<String> reword(String message) {
    Matcher unknown = UNKNOWN_OPTION.matcher(message);
    if (unknown.find()) {
      String suggestion = unknown.group(2) == null ? ""
          : "; did you mean " + Arrays.stream(unknown.group(2).split(",\\s*"))
              .map(s -> "--" + s.strip())
              .collect(Collectors.joining(" or ")) + "?";
      return Optional.of("unknown option --" + unknown.group(1) + suggestion + " (see --help)");
    }
    Matcher missing = MISSING_OPTION.matcher(message);
    if (missing.find()) {
      return Optional.of("missing required option " + missing.group(1) + " (see --help)");
    }
    Matcher runner = UNKNOWN_RUNNER.matcher(message);
    if (runner.find()) {
      return Optional.of(unknownRunner(runner.group(1) != null ? runner.group(1) : runner.group(2)));
    }
    return Optional.empty();
  }

  private static String unknownRunner(String given) {
    Optional<String> meant = closestRunner(given);
    if (meant.isPresent() && meant.get().equals(given)) {
      // The name is right, the jar is not: each runner has its own jar.
      return "--runner=" + given + " is not in this jar: run it through scripts/massfetch, which picks the"
          + " jar by --runner, or java -jar massfetch-" + given.replace("Runner", "").toLowerCase(Locale.ROOT) + ".jar";
    }
    return "unknown --runner=" + given
        + meant.map(r -> "; did you mean --runner=" + r + "?").orElse("; massfetch runs on " + String.join(" or ", RUNNERS));
  }

  /** The runner a name stands for, ignoring case, a package and a missing "Runner" suffix. */
  static Optional<String> closestRunner(String given) {
    String bare = normalize(given);
    return RUNNERS.stream().filter(r -> normalize(r).equals(bare)).findFirst();
  }

  private static String normalize(String runner) {
    String r = runner.substring(runner.lastIndexOf('.') + 1).strip().toLowerCase(Locale.ROOT);
    return r.endsWith("runner") ? r.substring(0, r.length() - "runner".length()) : r;
  }
}
