package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming through {@link MassfetchMain} on the DirectRunner against a real HTTP server that counts
 * requests: --previousResults leaves out what a run stored, and its results fed back as the manifest
 * with --onlyFailed fetch exactly what failed.
 */
class ResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int GOOD = 30;

  private FaultOrigin origin;

  @TempDir Path dir;

  @BeforeEach
  void startOrigin() throws Exception {
    origin = new FaultOrigin(); // one per test: request counts start at zero
    for (int i = 0; i < GOOD; i++) {
      origin.addImage(i + ".png", image(i));
    }
  }

  @AfterEach
  void stopOrigin() throws Exception {
    origin.close();
  }

  @Test
  void givenRunWithFailures_whenRerunWithPreviousResultsThenFedBackWithOnlyFailed_thenOnlyWhatFailedIsRequested()
      throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      lines.add("img/" + i + ".png");
    }
    lines.add("404/a.png");
    lines.add("404/b.png");
    lines.add("img/late.png"); // 404 until the origin gets the image, before the third run
    lines.add("../etc/passwd"); // invalid_entry
    int entries = lines.size();
    Path manifest = Files.write(dir.resolve("manifest.txt"), lines);
    Path out = dir.resolve("out");
    String base = "--baseUrl=" + origin.baseUrl();

    // Run 1: everything is tried once.
    MainRun first = run("--manifest=" + manifest, base, "--output=" + out);
    assertEquals(0, first.exitCode(), first.err());
    Map<String, JsonNode> run1 = resultsByKeyOrUrl(out.resolve("_results"));
    assertEquals(entries, run1.size());
    assertTotals(out.resolve("_results"), entries, GOOD, 0, 4);
    for (int i = 0; i < GOOD; i++) {
      assertEquals(1, origin.hits("/img/" + i + ".png"));
    }
    assertEquals(1, origin.hits("/img/late.png"));

    // Run 2: the same manifest with --previousResults. Existence checks are off, so only the
    // anti-join can keep the stored entries from being requested.
    String previous = out.resolve("_results").resolve("results-*.jsonl").toString();
    MainRun second = run("--manifest=" + manifest, base, "--output=" + out, "--results=" + out.resolve("_results-2"),
        "--previousResults=" + previous, "--skipExisting=false");
    assertEquals(0, second.exitCode(), second.err());
    for (int i = 0; i < GOOD; i++) {
      assertEquals(1, origin.hits("/img/" + i + ".png"), "no second request for stored img/" + i + ".png");
    }
    assertEquals(2, origin.hits("/404/a.png"), "failed entries are tried again");
    assertEquals(2, origin.hits("/img/late.png"));
    Map<String, JsonNode> run2 = resultsByKeyOrUrl(out.resolve("_results-2"));
    assertEquals(entries, run2.size(), "one result per entry");
    for (int i = 0; i < GOOD; i++) {
      JsonNode r = run2.get("img/" + i + ".png");
      assertEquals("skipped", r.get("status").asText(), r.toString());
      assertEquals("done_before", r.get("error").asText(), r.toString());
      assertTrue(r.get("detail").asText().contains(previous), r.toString());
    }
    assertTotals(out.resolve("_results-2"), entries, 0, GOOD, 4);

    // Run 3: the first run's results as the manifest, failed records only.
    origin.addImage("late.png", image(99));
    MainRun third = run("--manifest=" + previous, base, "--output=" + out, "--results=" + out.resolve("_results-3"),
        "--onlyFailed");
    assertEquals(0, third.exitCode(), third.err());
    for (int i = 0; i < GOOD; i++) {
      assertEquals(1, origin.hits("/img/" + i + ".png"), "ok records are no entries with --onlyFailed");
    }
    assertEquals(3, origin.hits("/404/a.png"));
    assertEquals(3, origin.hits("/404/b.png"));
    assertEquals(3, origin.hits("/img/late.png"));
    assertEquals(GOOD + 9, origin.totalHits(), "30 + 4 failing requests in run 1, 3 in run 2, 3 in run 3");
    Map<String, JsonNode> run3 = resultsByKeyOrUrl(out.resolve("_results-3"));
    assertEquals(4, run3.size(), "exactly the four failed records are entries");
    assertEquals("ok", run3.get("img/late.png").get("status").asText());
    assertArrayEquals(image(99), Files.readAllBytes(out.resolve("img/late.png")), "stored under its recorded key");
    assertEquals("http_404", run3.get("404/a.png").get("error").asText());
    assertEquals("http_404", run3.get("404/b.png").get("error").asText());
    JsonNode invalid = run3.values().stream()
        .filter(r -> "invalid_entry".equals(r.get("error").asText())).findFirst().orElseThrow();
    assertTrue(invalid.get("detail").asText().contains("invalid_entry in an earlier run"), invalid.toString());
    assertTrue(invalid.get("detail").asText().contains("line " + entries), "names the original line: " + invalid);
    assertTotals(out.resolve("_results-3"), 4, 1, 0, 3);
  }

  @Test
  void givenThePreviousRunsResultsFolder_whenResumedFromIt_thenEveryResultsFileInItCounts() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      lines.add("img/" + i + ".png");
    }
    Path manifest = Files.write(dir.resolve("manifest.txt"), lines);
    Path out = dir.resolve("out");
    String base = "--baseUrl=" + origin.baseUrl();
    // Files rolled every 7 records: the folder holds several, as a long or killed run leaves.
    MainRun first = run("--manifest=" + manifest, base, "--output=" + out, "--resultsFileRecords=7");
    assertEquals(0, first.exitCode(), first.err());

    for (String folder : List.of(out.resolve("_results").toString(), out.resolve("_results") + "/")) {
      MainRun again = run("--manifest=" + manifest, base, "--output=" + out, "--results=" + out.resolve("_results-2"),
          "--previousResults=" + folder, "--skipExisting=false");
      assertEquals(0, again.exitCode(), again.err());
      Map<String, JsonNode> resumed = resultsByKeyOrUrl(out.resolve("_results-2"));
      assertEquals(GOOD, resumed.size());
      assertTrue(resumed.values().stream().allMatch(r -> "done_before".equals(r.path("error").asText())),
          folder + " -> " + resumed.values());
    }
    assertEquals(GOOD, origin.totalHits(), "nothing requested again");
  }

  @Test
  void givenPreviousResultsMistakes_whenRun_thenOneLineAndExitCode2() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    Path out = dir.resolve("out");
    Files.createDirectories(out.resolve("_results"));
    Files.writeString(out.resolve("_results/results-00000-of-00001.jsonl"), "{\"key\":\"1.png\",\"status\":\"ok\"}\n");
    String ownResults = out.resolve("_results/results-*.jsonl").toString();
    Path noResults = Files.createDirectories(dir.resolve("no-results"));
    Files.writeString(noResults.resolve("summary.json"), "{}");
    List<String[]> mistakes = List.of(
        new String[] {"--manifest=" + manifest, "--output=" + out, "--previousResults=" + noResults},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--previousResults=" + dir.resolve("gone")},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--previousResults=" + dir.resolve("none-*.jsonl")},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--previousResults=" + ownResults},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--previousResults="},
        new String[] {"--manifest=" + ownResults, "--output=" + out, "--onlyFailed"});
    for (String[] args : mistakes) {
      MainRun run = run(args);
      assertEquals(2, run.exitCode(), String.join(" ", args) + " -> " + run.err());
      String err = run.err().strip();
      assertFalse(err.contains("\n"), "one line: " + err);
      assertTrue(err.startsWith("massfetch: error: --"), err);
    }
    assertTrue(Files.exists(out.resolve("_results/results-00000-of-00001.jsonl")), "earlier results left alone");
  }

  @Test
  void givenResultsOfAnotherOutput_whenResumedFromThem_thenExit2OneLineUnlessOverridden() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png", "img/2.png"));
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    String base = "--baseUrl=" + origin.baseUrl();
    MainRun run1 = run("--manifest=" + manifest, base, "--output=" + first);
    assertEquals(0, run1.exitCode(), run1.err());
    String canonical = first.toAbsolutePath().normalize().toString();
    assertEquals(canonical, JSON.readTree(first.resolve("_results/output.json").toFile()).get("output").asText());
    assertEquals(canonical, JSON.readTree(first.resolve("_results/summary.json").toFile()).get("output").asText());
    String previous = "--previousResults=" + first.resolve("_results/results-*.jsonl");

    MainRun elsewhere = run("--manifest=" + manifest, base, "--output=" + second, previous);
    assertEquals(2, elsewhere.exitCode(), elsewhere.err());
    String err = elsewhere.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertTrue(err.contains("written for --output=" + canonical) && err.contains("--previousResultsAnyOutput"), err);
    assertFalse(Files.exists(second.resolve("img")), "nothing fetched, nothing claimed");
    assertEquals(1, origin.hits("/img/1.png"));

    MainRun sameOutput = run("--manifest=" + manifest, base, "--output=" + first + "/",
        "--results=" + first.resolve("_results-2"), previous);
    assertEquals(0, sameOutput.exitCode(), "the same output, spelled with a slash: " + sameOutput.err());
    assertTotals(first.resolve("_results-2"), 2, 0, 2, 0);

    MainRun overridden = run("--manifest=" + manifest, base, "--output=" + second, previous,
        "--previousResultsAnyOutput");
    assertEquals(0, overridden.exitCode(), overridden.err());
    assertTotals(second.resolve("_results"), 2, 0, 2, 0);
    assertEquals(1, origin.hits("/img/1.png"), "done_before, as asked");
  }

  @Test
  void givenResultsThatNameNoOutput_whenResumedFromThem_thenExit2OneLine() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    Path old = Files.createDirectories(dir.resolve("old"));
    Files.writeString(old.resolve("results-00000-of-00001.jsonl"), "{\"key\":\"img/1.png\",\"status\":\"ok\"}\n");

    MainRun run = run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("out"),
        "--previousResults=" + old.resolve("results-*.jsonl"));

    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().strip().startsWith("massfetch: error: --previousResults in "), run.err());
    assertTrue(run.err().contains("--previousResultsAnyOutput"), run.err());
    assertEquals(0, origin.hits("/img/1.png"));
  }

  @Test
  void givenHelp_whenRun_thenResumeOptionsListed() {
    MainRun run = MainRun.run("--help");

    assertTrue(run.out().contains("--previousResults"), run.out());
    assertTrue(run.out().contains("--onlyFailed"), run.out());
  }

  private static byte[] image(int i) {
    return TestImages.png(i, 16 + i % 40);
  }

  private static void assertTotals(Path results, long total, long ok, long skipped, long failed) throws Exception {
    JsonNode s = JSON.readTree(results.resolve("summary.json").toFile());
    assertEquals(total, s.get("total").asLong(), s.toString());
    assertEquals(ok, s.get("ok").asLong(), s.toString());
    assertEquals(skipped, s.get("skipped").asLong(), s.toString());
    assertEquals(failed, s.get("failed").asLong(), s.toString());
    assertEquals(total, ok + skipped + failed);
  }

  /** Records by key (by url for records without one), each key once. */
  private static Map<String, JsonNode> resultsByKeyOrUrl(Path results) throws Exception {
    Map<String, JsonNode> byKey = new HashMap<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("results-.*\\.jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode r = JSON.readTree(line);
          String id = r.get("key").isNull() ? r.get("url").asText() : r.get("key").asText();
          assertEquals(null, byKey.put(id, r), "two results for " + id);
        }
      }
    }
    return byKey;
  }

  /** A run that fails fast on the 404s (two attempts, 10 ms apart) and prints no progress. */
  private static MainRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--progressIntervalSeconds=0", "--maxInFlight=16", "--maxAttempts=2", "--initialBackoffMs=10"));
    return MainRun.run(all.toArray(new String[0]));
  }
}
