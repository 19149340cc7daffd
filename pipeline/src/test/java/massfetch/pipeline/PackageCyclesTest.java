package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's packages import each other without a loop: a package depends only on packages
 * below it, so each can be read, tested and changed from the bottom up. Read from the sources of
 * every module, since a loop across modules is as hard to live with as one inside a module.
 */
class PackageCyclesTest {
  private static final Pattern PACKAGE = Pattern.compile("^package (massfetch[\\w.]*);", Pattern.MULTILINE);
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?(massfetch(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

  @Test
  void noPackageImportsItselfThroughOthers() throws IOException {
    Map<String, Set<String>> imports = importsByPackage(projectRoot());
    assertTrue(imports.size() > 5, "found the project's packages: " + imports.keySet());
    for (String start : imports.keySet()) {
      List<String> loop = loopFrom(start, imports);
      assertEquals(List.of(), loop, "an import loop: " + String.join(" -> ", loop));
    }
  }

  @Test
  void aLoopIsFound() {
    Map<String, Set<String>> imports = new TreeMap<>(Map.of(
        "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")));
    assertEquals(List.of("a", "b", "c", "a"), loopFrom("a", imports));
  }

  private static Path projectRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("transforms")) ? here : here.getParent();
  }

  private static Map<String, Set<String>> importsByPackage(Path root) throws IOException {
    Map<String, Set<String>> imports = new TreeMap<>();
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/main/java/"))
          .filter(p -> !p.toString().contains("/target/"))
          .forEach(sources::add);
    }
    for (Path source : sources) {
      String text = Files.readString(source);
      Matcher pkg = PACKAGE.matcher(text);
      if (!pkg.find()) {
        continue;
      }
      Set<String> to = imports.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
      Matcher imp = IMPORT.matcher(text);
      while (imp.find()) {
        if (!imp.group(1).equals(pkg.group(1))) {
          to.add(imp.group(1));
        }
      }
    }
    return imports;
  }

  /** The shortest way back to {@code start} through the imports, or empty when there is none. */
  private static List<String> loopFrom(String start, Map<String, Set<String>> imports) {
    Map<String, String> cameFrom = new TreeMap<>();
    List<String> frontier = new ArrayList<>(List.of(start));
    while (!frontier.isEmpty()) {
      List<String> next = new ArrayList<>();
      for (String from : frontier) {
        for (String to : imports.getOrDefault(from, Set.of())) {
          if (to.equals(start)) {
            List<String> path = new ArrayList<>(List.of(to));
            for (String at = from; at != null; at = cameFrom.get(at)) {
              path.add(0, at);
            }
            return path;
          }
          if (!cameFrom.containsKey(to)) {
            cameFrom.put(to, from);
            next.add(to);
          }
        }
      }
      frontier = next;
    }
    return List.of();
  }
}
