package massfetch.flink;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Fills in what a FlinkRunner run needs and a user would otherwise have to know: the job's jar for a
 * remote cluster and enough work groups for every subtask. Arguments of other runners are returned
 * unchanged, and anything the user gave explicitly is kept.
 */
final class FlinkDefaults {
  /** Work groups per unit of parallelism: Flink hashes groups to subtasks, so a few per subtask even out. */
  static final int GROUPS_PER_SUBTASK = 16;

  /** The {@code --flinkMaster} values that mean "run inside this JVM". */
  private static final List<String> EMBEDDED = List.of("[local]", "[auto]", "[collection]");

  private FlinkDefaults() {}

  /** {@code args} with the Flink defaults added, or {@code args} itself for other runners. */
  static String[] apply(String[] args) {
    return apply(args, jarOfThisClass());
  }

  static String[] apply(String[] args, Optional<String> jar) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (!isFlink(all)) {
      return args;
    }
    String master = value(all, "flinkMaster").orElse("[auto]");
    if (isCluster(master) && value(all, "filesToStage").isEmpty() && jar.isPresent()) {
      // The client would otherwise stage its whole classpath: with java -jar that is this jar anyway.
      all.add("--filesToStage=" + jar.get());
    }
    Optional<String> parallelism = value(all, "parallelism");
    if (value(all, "minGroups").isEmpty() && parallelism.isPresent()) {
      try {
        int p = Integer.parseInt(parallelism.get().strip());
        if (p > 0) {
          all.add("--minGroups=" + Math.max(16, p * GROUPS_PER_SUBTASK));
        }
      } catch (NumberFormatException e) {
        // Beam's own validation reports the bad --parallelism; nothing to default from.
      }
    }
    return all.toArray(new String[0]);
  }

  static boolean isFlink(List<String> args) {
    return value(args, "runner").map(r -> r.equals("FlinkRunner") || r.endsWith(".FlinkRunner")).orElse(false);
  }

  /** True for {@code host:port} (or {@code http://host:port}), false for the embedded forms. */
  static boolean isCluster(String master) {
    String m = master.strip().toLowerCase(Locale.ROOT);
    return !m.isEmpty() && !EMBEDDED.contains(m);
  }

  /** The value of the last {@code --name=value} in {@code args}. */
  static Optional<String> value(List<String> args, String name) {
    String prefix = "--" + name + "=";
    Optional<String> found = Optional.empty();
    for (String a : args) {
      if (a.startsWith(prefix)) {
        found = Optional.of(a.substring(prefix.length()));
      }
    }
    return found;
  }

  /** The jar this class was loaded from, when it was loaded from a jar. */
  private static Optional<String> jarOfThisClass() {
    try {
      java.security.CodeSource source = FlinkDefaults.class.getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        return Optional.empty();
      }
      Path path = Path.of(source.getLocation().toURI());
      return path.toString().endsWith(".jar") ? Optional.of(path.toString()) : Optional.empty();
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
