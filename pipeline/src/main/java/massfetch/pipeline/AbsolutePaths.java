package massfetch.pipeline;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites relative local {@code --manifest}, {@code --output}, {@code --results} and {@code
 * --previousResults} to absolute paths. Beam matches a relative local path by walking the file tree
 * around the working folder, which for a mistyped {@code --manifest} could take minutes; an absolute
 * one is looked up directly. Workers on a cluster do not share the client's working folder either.
 */
final class AbsolutePaths {
  private static final List<String> PATH_OPTIONS = List.of("manifest", "output", "results", "previousResults");

  private AbsolutePaths() {}

  /** {@code args} with those options absolute; URLs, absolute paths and non-paths stay as given. */
  static String[] apply(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    for (String name : PATH_OPTIONS) {
      String prefix = "--" + name + "=";
      for (int i = 0; i < all.size(); i++) {
        String a = all.get(i);
        if (!a.startsWith(prefix)) {
          continue;
        }
        String v = a.substring(prefix.length());
        if (v.isEmpty() || v.contains("://") || v.startsWith("/")) {
          continue;
        }
        try {
          all.set(i, prefix + Path.of(v).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
          // Not a path at all: left as given, for the option checks to report.
        }
      }
    }
    return all.toArray(new String[0]);
  }
}
