package massfetch.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteBundleFilesFn}: a bundle's file appears whole under its final name, or not at all. */
class WriteBundleFilesFnTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void givenBlocks_whenTheBundleEnds_thenOneFileWithEveryLineUnderItsFinalName() throws IOException {
    WriteBundleFilesFn fn = new WriteBundleFilesFn(dir.toString());
    fn.processElement("{\"key\":\"1\"}\n{\"key\":\"2\"}");
    fn.processElement("{\"key\":\"3\"}");
    assertTrue(names().get(0).startsWith(".partial-results-"), "hidden while the bundle runs: " + names());
    fn.finishBundle();
    fn.teardown();

    List<String> names = names();
    assertEquals(1, names.size(), names.toString());
    assertTrue(names.get(0).matches("results-[0-9a-f-]{36}\\.jsonl"), names.toString());
    assertEquals(List.of("{\"key\":\"1\"}", "{\"key\":\"2\"}", "{\"key\":\"3\"}"),
        Files.readAllLines(dir.resolve(names.get(0))));
  }

  @Test
  void givenTwoBundles_whenEachEnds_thenTwoFiles() throws IOException {
    WriteBundleFilesFn fn = new WriteBundleFilesFn(dir.toString());
    fn.processElement("a");
    fn.finishBundle();
    fn.finishBundle(); // an empty bundle writes nothing
    fn.processElement("b");
    fn.finishBundle();
    assertEquals(2, names().size(), names().toString());
  }

  @Test
  void givenABundleThatFailed_whenTornDown_thenNoFileIsLeft() throws IOException {
    WriteBundleFilesFn fn = new WriteBundleFilesFn(dir.toString());
    fn.processElement("{\"key\":\"1\"}");
    fn.teardown(); // no FinishBundle: the bundle threw
    assertEquals(List.of(), names());
  }
}
