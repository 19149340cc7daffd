package massfetch.pipeline;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

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

  /** Jackson's words for a value that is not of the option's type (Beam parses options with it). */
  private static final Pattern WRONG_TYPE = Pattern.compile("Cannot deserialize value of type `([^`]+)` from String \"([^\"]*)\"");

  /** What a user types for each simple option type, by the type's name in Jackson's message. */
  private static final Map<String, String> TYPE_WORDS = Map.of(
      "int", "a whole number", "java.lang.Integer", "a whole number",
      "long", "a whole number", "java.lang.Long", "a whole number",
      "double", "a number", "java.lang.Double", "a number",
      "boolean", "true or false", "java.lang.Boolean", "true or false");

  private OptionErrors() {}

  /**
   * The line for a value Beam could not convert to its option's type, naming the option, the value
   * and the type; empty when {@code message} is not such an error. Beam's message names neither the
   * option nor the flag, so the option is the one in {@code args} given that value whose getter has
   * that type.
   */
  static Optional<String> wrongType(String message, String[] args) {
    Matcher m = message == null ? null : WRONG_TYPE.matcher(message);
    if (m == null || !m.find()) {
      return Optional.empty();
    }
    String type = m.group(1);
    // Jackson shortens a long value to its two ends around "]...[".
    String[] ends = m.group(2).split("]\\.\\.\\.\\[", 2);
    String expected = TYPE_WORDS.getOrDefault(type, "a value of type " + type);
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        continue;
      }
      String name = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      if (value.startsWith(ends[0]) && value.endsWith(ends[ends.length - 1]) && hasType(name, type)) {
        String shown = value.length() > 60 ? value.substring(0, 57) + "..." : value;
        return Optional.of("--" + name + " must be " + expected + " (" + simpleName(type) + "), got '" + shown + "'");
      }
    }
    return Optional.empty();
  }

  /** Whether a registered options interface has a property {@code name} of Jackson's {@code type}. */
  private static boolean hasType(String name, String type) {
    String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    String isGetter = "is" + getter.substring(3);
    return PipelineOptionsFactory.getRegisteredOptions().stream()
        .flatMap(c -> Arrays.stream(c.getMethods()))
        .filter(g -> g.getParameterCount() == 0 && (g.getName().equals(getter) || g.getName().equals(isGetter)))
        .map(Method::getReturnType)
        .anyMatch(t -> t.getName().equals(type));
  }

  private static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

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
