package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys under the results folder would be stored where the next run clears its results (and would
 * mix objects with result files): such entries are {@code invalid_entry}, the rest run as usual.
 */
class ResultsFolderKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void givenKeysUnderTheDefaultResultsFolder_whenRun_thenInvalidEntryAndNotStored() throws Exception {
    try (FaultOrigin origin = new FaultOrigin()) {
      origin.addImage("a.png", TestImages.png(1, 16));
      Path manifest = Files.write(dir.resolve("m.csv"),
          List.of("url,key", "img/a.png,_results/results-x.jsonl", "img/a.png,_results", "img/a.png,_results2/a.png",
              "img/a.png,pics/a.png"));
      Path out = dir.resolve("out");

      MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + out,
          "--progressIntervalSeconds=0");

      assertEquals(0, run.exitCode(), run.err());
      Map<String, JsonNode> byLine = resultsByLine(out.resolve("_results"));
      assertEquals("invalid_entry", byLine.get("2").get("error").asText(), byLine.get("2").toString());
      assertTrue(byLine.get("2").get("detail").asText().contains("results folder"), byLine.get("2").toString());
      assertEquals("invalid_entry", byLine.get("3").get("error").asText());
      assertEquals("ok", byLine.get("4").get("status").asText(), "_results2 is another folder");
      assertEquals("ok", byLine.get("5").get("status").asText());
      assertFalse(Files.exists(out.resolve("_results/results-x.jsonl")));
    }
  }

  @Test
  void givenResultsInsideOrOutsideTheOutput_whenAskedForTheReservedKeyFolder_thenRelativeOrNone() {
    assertEquals("_results", ResultsOutput.keyFolderOf("/data/out/_results", "/data/out"));
    assertEquals("runs/r1", ResultsOutput.keyFolderOf("/data/out/runs/r1/", "/data/out/"));
    assertEquals("_results", ResultsOutput.keyFolderOf("gs://b/p/_results", "gs://b/p/"));
    assertNull(ResultsOutput.keyFolderOf("/data/results", "/data/out"));
    assertNull(ResultsOutput.keyFolderOf("/data/out-results", "/data/out"));
    assertNull(ResultsOutput.keyFolderOf("s3://b/_results", "gs://b"));
  }

  private static Map<String, JsonNode> resultsByLine(Path results) throws Exception {
    Map<String, JsonNode> byLine = new HashMap<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("results-.*\\.jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode r = JSON.readTree(line);
          byLine.put(r.get("line").asText(), r);
        }
      }
    }
    return byLine;
  }
}
