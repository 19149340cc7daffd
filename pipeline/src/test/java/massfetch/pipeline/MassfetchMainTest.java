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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job through {@link MassfetchMain} on the DirectRunner, against a real HTTP server. */
class MassfetchMainTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FaultOrigin origin;

  @TempDir Path dir;

  @BeforeAll
  static void startOrigin() throws Exception {
    origin = new FaultOrigin();
    for (int i = 0; i < 300; i++) {
      origin.addImage(i + ".png", TestImages.png(i, 16 + i % 40));
    }
  }

  @AfterAll
  static void stopOrigin() throws Exception {
    origin.close();
  }

  @Test
  void givenMixedManifest_whenRun_thenEveryEntryHasExactlyOneResult() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("# a comment, then a blank line");
    lines.add("");
    for (int i = 0; i < 250; i++) {
      lines.add("img/" + i + ".png");
    }
    lines.add("img/7.png"); // exact repeat
    lines.add("../etc/passwd"); // escapes the output
    lines.add("/abs/path.png"); // leading slash
    lines.add("ftp://example.com/a.png"); // not http
    lines.add("404/missing.png");
    lines.add(origin.baseUrl() + "/img/260.png"); // absolute URL: key host:port/img/260.png
    Path manifest = Files.write(dir.resolve("manifest.txt"), lines);
    Path out = dir.resolve("out");

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + out,
        "--maxInFlight=32", "--progressIntervalSeconds=0");

    assertEquals(0, run.exitCode(), run.err());
    Map<String, JsonNode> byLine = resultsByLine(out.resolve("_results"));
    assertEquals(256, byLine.size(), "one result per entry (256 entry lines)");
    for (int i = 0; i < 250; i++) {
      JsonNode r = byLine.get(String.valueOf(i + 3));
      assertEquals("ok", r.get("status").asText(), r.toString());
      assertArrayEquals(image(i), Files.readAllBytes(out.resolve("img/" + i + ".png")), "byte-exact " + i);
    }
    assertEquals("duplicate_entry", byLine.get("253").get("error").asText());
    assertEquals("skipped", byLine.get("253").get("status").asText());
    for (String invalid : List.of("254", "255", "256")) {
      assertEquals("invalid_entry", byLine.get(invalid).get("error").asText(), byLine.get(invalid).toString());
      assertTrue(byLine.get(invalid).get("detail").asText().startsWith("line " + invalid + ":"));
    }
    assertEquals("http_404", byLine.get("257").get("error").asText());
    String hostKey = "127.0.0.1:" + origin.baseUrl().replaceAll(".*:", "") + "/img/260.png";
    assertEquals(hostKey, byLine.get("258").get("key").asText());
    assertTrue(Files.exists(out.resolve(hostKey)));

    JsonNode summary = JSON.readTree(out.resolve("_results/summary.json").toFile());
    assertEquals(256, summary.get("total").asLong());
    assertEquals(251, summary.get("ok").asLong());
    assertEquals(1, summary.get("skipped").asLong());
    assertEquals(4, summary.get("failed").asLong());
    assertEquals(summary.get("total").asLong(),
        summary.get("ok").asLong() + summary.get("skipped").asLong() + summary.get("failed").asLong());
    assertEquals(3, summary.get("errors").get("invalid_entry").asLong());
    assertEquals(1, summary.get("errors").get("http_404").asLong());
    assertTrue(run.out().contains("\"total\" : 256"), "summary printed: " + run.out());
    assertNoTempFiles(out);
    // Results go to the run's ledger files (no TextIO shuffle), renamed when whole.
    try (Stream<Path> files = Files.list(out.resolve("_results"))) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        assertTrue(name.equals("summary.json") || name.equals(ResultsOutput.FILE)
                || name.matches("results-[0-9T]{15}_[0-9a-f]{4}-[0-9a-f-]{36}\\.jsonl"),
            "only the run's results files, the summary and the output it is for: " + name);
      }
    }
  }

  @Test
  void givenCsvWithKeys_whenTwoUrlsShareAKey_thenSecondIsDuplicateKey() throws Exception {
    Path manifest = Files.writeString(dir.resolve("m.csv"),
        "path,key\n"
            + "img/1.png,same.png\n"
            + "img/2.png,same.png\n"
            + "img/3.png,\"quoted, key.png\"\n"
            + "\"broken,quote\n");
    Path out = dir.resolve("out");

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + out,
        "--progressIntervalSeconds=0");

    assertEquals(0, run.exitCode(), run.err());
    Map<String, JsonNode> byLine = resultsByLine(out.resolve("_results"));
    assertEquals(4, byLine.size());
    assertEquals("ok", byLine.get("2").get("status").asText());
    assertEquals("duplicate_key", byLine.get("3").get("error").asText());
    assertEquals("ok", byLine.get("4").get("status").asText());
    assertEquals("invalid_entry", byLine.get("5").get("error").asText());
    assertArrayEquals(image(1), Files.readAllBytes(out.resolve("same.png")));
    assertArrayEquals(image(3), Files.readAllBytes(out.resolve("quoted, key.png")));
  }

  @Test
  void givenAutoInFlight_whenRunFinishes_thenClosingLineNamesTheLimitAtEnd() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      lines.add("img/" + i + ".png");
    }
    Path manifest = Files.write(dir.resolve("m.txt"), lines);

    MainRun auto = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("auto"),
        "--maxInFlight=auto:8", "--progressIntervalSeconds=0");
    MainRun fixed = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("fixed"),
        "--maxInFlight=8", "--progressIntervalSeconds=0");

    assertEquals(0, auto.exitCode(), auto.err());
    // The benchmark reads this line (scripts/bench/bench.py). Where the limit ends is not asserted:
    // a cold JVM's first slow answers may already have moved it below the cap.
    assertTrue(auto.err().matches("(?s).*average in flight \\d+ of auto:8, limit at end [1-8]\\n.*"), auto.err());
    assertEquals(0, fixed.exitCode(), fixed.err());
    assertTrue(fixed.err().matches("(?s).*average in flight \\d+ of 8\\n.*"), "no limit for a fixed one: " + fixed.err());
  }

  @Test
  void givenUserMistakes_whenRun_thenOneLineAndExitCode2() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    Path out = dir.resolve("out");
    List<String[]> mistakes = List.of(
        new String[] {"--manifest=" + dir.resolve("missing.txt"), "--output=" + out},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--baseUrl=ftp://x"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--nope=1"},
        new String[] {"--manifest=" + manifest, "--output=/proc/massfetch-test"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--maxInFlight=0"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--trustStore=" + dir.resolve("no-ca.pem")},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--trustStore=" + manifest},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--help=NoSuchOptions"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--maxFailureRatio=1.5"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--runner=Flink"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--results="},
        new String[] {"--manifest=" + manifest, "--output="},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--s3Endpoint="},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--allowedHosts=img.example:x"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--headerHosts=ftp://img.example"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--pathEncoding=utf8"},
        new String[] {"--manifest=" + manifest, "--output=" + out, "--resultsFileSeconds=0"},
        new String[] {"--output=" + out});
    for (String[] args : mistakes) {
      MainRun run = MainRun.run(args);
      assertEquals(2, run.exitCode(), String.join(" ", args) + " -> " + run.err());
      String err = run.err().strip();
      assertFalse(err.contains("\n"), "one line: " + err);
      assertTrue(err.startsWith("massfetch: error: "), err);
      assertFalse(err.contains("Exception"), "no stack trace or exception name: " + err);
      assertFalse(err.contains("interface massfetch"), "no Java names: " + err);
    }
  }

  @Test
  void givenHelp_whenRun_thenEveryOptionIsListedWithExitCode0() {
    MainRun run = MainRun.run("--help");
    assertEquals(0, run.exitCode());
    for (String option : List.of("--manifest", "--baseUrl", "--output", "--results", "--maxInFlight",
        "--maxAttempts", "--connectTimeoutMs", "--requestTimeoutMs", "--maxRetryAfterMs",
        "--maxObjectBytes", "--acceptAnyContent", "--skipExisting", "--header", "--overwrite")) {
      assertTrue(run.out().contains(option), option + " missing from --help");
    }
    assertTrue(run.out().contains("--maxInFlight=256 "), "defaults shown");
  }

  @Test
  void givenEmptyManifest_whenRun_thenOneWarningLineAndExitCode0() throws Exception {
    Path manifest = Files.write(dir.resolve("empty.txt"), List.of("# nothing but a comment", ""));

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("out"),
        "--progressIntervalSeconds=0");

    assertEquals(0, run.exitCode(), run.err());
    assertEquals(1, warnings(run).size(), run.err());
    assertTrue(warnings(run).get(0).contains("no entries"), run.err());
  }

  @Test
  void givenOnlyInvalidLines_whenRun_thenOneWarningLineAndExitCode0() throws Exception {
    Path manifest = Files.write(dir.resolve("bad.txt"), List.of("../up.png", "ftp://example.com/a.png", "/abs.png"));

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("out"),
        "--progressIntervalSeconds=0");

    assertEquals(0, run.exitCode(), run.err());
    assertEquals(1, warnings(run).size(), run.err());
    assertTrue(warnings(run).get(0).contains("all 3 manifest entries are invalid"), run.err());
  }

  @Test
  void givenSomeValidLines_whenRun_thenNoWarning() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png", "../up.png"));

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + dir.resolve("out"),
        "--progressIntervalSeconds=0");

    assertEquals(0, run.exitCode(), run.err());
    assertEquals(List.of(), warnings(run));
  }

  @Test
  void givenFailuresAboveMaxFailureRatio_whenRun_thenExitCode3WithTopErrorClasses() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add("img/" + i + ".png");
    }
    for (int i = 0; i < 3; i++) {
      lines.add("404/missing-" + i + ".png");
    }
    lines.add("../escapes.png");
    Path manifest = Files.write(dir.resolve("m.txt"), lines);
    String[] common = {"--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--progressIntervalSeconds=0"};

    MainRun above = MainRun.run(with(common, "--output=" + dir.resolve("a"), "--maxFailureRatio=0.39"));
    MainRun equal = MainRun.run(with(common, "--output=" + dir.resolve("b"), "--maxFailureRatio=0.4"));
    MainRun unset = MainRun.run(with(common, "--output=" + dir.resolve("c")));

    assertEquals(3, above.exitCode(), above.err());
    List<String> errors = above.err().lines().filter(l -> l.startsWith("massfetch: error:")).toList();
    assertEquals(1, errors.size(), above.err());
    assertTrue(errors.get(0).contains("4 of 10 entries failed"), errors.get(0));
    assertTrue(errors.get(0).endsWith(": http_404 3, invalid_entry 1"), "top classes, most frequent first: " + errors.get(0));
    assertTrue(above.out().contains("\"failed\" : 4"), "the summary is still printed: " + above.out());
    assertEquals(0, equal.exitCode(), "a ratio equal to the limit does not exceed it: " + equal.err());
    assertEquals(0, unset.exitCode(), "off by default: " + unset.err());
  }

  @Test
  void givenValueOfTheWrongType_whenRun_thenOneLineNamingOptionValueAndType() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    String out = "--output=" + dir.resolve("out");
    Map<String, String> expected = Map.of(
        "--hostCooldownMs=soon", "--hostCooldownMs must be a whole number (int), got 'soon'",
        "--shardMaxBytes=1x", "--shardMaxBytes must be a whole number (long), got '1x'",
        "--maxFailureRatio=abc", "--maxFailureRatio must be a number (double), got 'abc'",
        "--overwrite=maybe", "--overwrite must be true or false (boolean), got 'maybe'",
        "--maxInFlight=lots", "--maxInFlight must be a number, auto, or auto:N");
    for (Map.Entry<String, String> c : expected.entrySet()) {
      // The same value given to an option of another type first: the line names the wrong one.
      MainRun run = MainRun.run("--manifest=" + manifest, out, "--userAgent=soon", c.getKey());
      assertEquals(2, run.exitCode(), c.getKey() + " -> " + run.err());
      String err = run.err().strip();
      assertFalse(err.contains("\n"), "one line: " + err);
      assertTrue(err.startsWith("massfetch: error: " + c.getValue()), err);
    }
  }

  @Test
  void givenMistypedOptionOrRunner_whenRun_thenTheLineSuggestsTheRightName() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    String out = "--output=" + dir.resolve("out");

    MainRun option = MainRun.run("--manifest=" + manifest, out, "--maxInFlght=3");
    MainRun runner = MainRun.run("--manifest=" + manifest, out, "--runner=Flink");
    MainRun unknownRunner = MainRun.run("--manifest=" + manifest, out, "--runner=Spark");

    assertEquals(2, option.exitCode());
    assertTrue(option.err().contains("unknown option --maxInFlght; did you mean --maxInFlight?"), option.err());
    assertEquals(2, runner.exitCode());
    assertTrue(runner.err().contains("did you mean --runner=FlinkRunner?"), runner.err());
    assertEquals(2, unknownRunner.exitCode());
    assertTrue(unknownRunner.err().contains("massfetch runs on DirectRunner or FlinkRunner"), unknownRunner.err());
  }

  private static String[] with(String[] args, String... more) {
    return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
  }

  private static List<String> warnings(MainRun run) {
    return run.err().lines().filter(l -> l.startsWith("massfetch: warning:")).toList();
  }

  private static byte[] image(int i) {
    return TestImages.png(i, 16 + i % 40);
  }

  private static Map<String, JsonNode> resultsByLine(Path results) throws Exception {
    Map<String, JsonNode> byLine = new HashMap<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("results-.*\\.jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode r = JSON.readTree(line);
          JsonNode previous = byLine.put(r.get("line").asText(), r);
          assertEquals(null, previous, "two results for line " + r.get("line"));
        }
      }
    }
    return byLine;
  }

  private static void assertNoTempFiles(Path out) throws Exception {
    try (Stream<Path> files = Files.walk(out)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".massfetch-tmp-")));
    }
  }
}
