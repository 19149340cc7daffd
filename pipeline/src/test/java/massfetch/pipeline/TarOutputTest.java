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
import java.util.Arrays;
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
 * {@code --outputFormat=tar} through {@link MassfetchMain} on the DirectRunner against a real HTTP
 * server that counts requests: ok records point at their image in a published shard, and a second
 * run resumes from the shards' indexes without a request per stored image.
 */
class TarOutputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int GOOD = 30;

  private FaultOrigin origin;

  @TempDir Path dir;

  @BeforeEach
  void startOrigin() throws Exception {
    origin = new FaultOrigin();
    for (int i = 0; i < GOOD; i++) {
      origin.addImage(i + ".png", image(i));
    }
  }

  @AfterEach
  void stopOrigin() throws Exception {
    origin.close();
  }

  @Test
  void givenTarOutput_whenRunTwice_thenOkRecordsPointIntoShardsAndTheSecondRunSkipsByIndex() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      lines.add("img/" + i + ".png");
    }
    lines.add("404/a.png");
    lines.add("../escape.png"); // invalid_entry
    Path manifest = Files.write(dir.resolve("manifest.txt"), lines);
    Path out = dir.resolve("out");
    String base = "--baseUrl=" + origin.baseUrl();

    MainRun first = MainRun.run("--manifest=" + manifest, base, "--output=" + out, "--outputFormat=tar",
        "--shardMaxImages=8");
    assertEquals(0, first.exitCode(), first.err());
    Map<String, JsonNode> run1 = results(out.resolve("_results"));
    assertEquals(lines.size(), run1.size(), "one result per entry");
    for (int i = 0; i < GOOD; i++) {
      JsonNode r = run1.get("img/" + i + ".png");
      assertEquals("ok", r.get("status").asText(), r.toString());
      byte[] shard = Files.readAllBytes(out.resolve(r.get("shard").asText()));
      int offset = r.get("offset").asInt();
      assertArrayEquals(image(i), Arrays.copyOfRange(shard, offset, offset + image(i).length), r.toString());
    }
    assertFalse(Files.exists(out.resolve("img")), "no per-image objects in tar mode");
    assertEquals("failed", run1.get("404/a.png").get("status").asText());

    // The reader finds a key in the indexes and saves the image; a key in no index is exit 1.
    Path saved = dir.resolve("7.png");
    assertEquals(0, get("img/7.png", "--from=" + out, "--save=" + saved).exitCode());
    assertArrayEquals(image(7), Files.readAllBytes(saved));
    MainRun where = get("img/7.png", "--from=" + out, "--where");
    assertEquals(run1.get("img/7.png").get("offset").asLong(), JSON.readTree(where.out()).get("offset").asLong());
    MainRun absent = get("404/a.png", "--from=" + out);
    assertEquals(1, absent.exitCode());
    assertEquals(1, absent.err().strip().lines().count(), absent.err());
    assertEquals(2, get("img/7.png").exitCode(), "no --from");
    MainRun badValue = get("img/7.png", "--from=" + out, "--s3PathStyle=maybe");
    assertEquals(2, badValue.exitCode(), badValue.err());
    assertEquals("massfetch-get: error: --s3PathStyle must be true or false (boolean), got 'maybe'", badValue.err().strip());
    MainRun unknown = get("img/7.png", "--from=" + out, "--s3Endpont=http://x");
    assertEquals(2, unknown.exitCode(), unknown.err());
    assertTrue(unknown.err().contains("--userProject=…"), "the usage lists every store's own options: " + unknown.err());
    assertEquals(0, get("img/7.png", "--from=" + out, "--where", "--userProject=billed-here").exitCode(),
        "a store option of another store is accepted and unused");

    MainRun second = MainRun.run("--manifest=" + manifest, base, "--output=" + out, "--outputFormat=tar",
        "--results=" + out.resolve("_results-2"));
    assertEquals(0, second.exitCode(), second.err());
    for (int i = 0; i < GOOD; i++) {
      assertEquals(1, origin.hits("/img/" + i + ".png"), "no second request for img/" + i + ".png");
    }
    assertEquals(2, origin.hits("/404/a.png"), "failed entries are tried again");
    Map<String, JsonNode> run2 = results(out.resolve("_results-2"));
    assertEquals(lines.size(), run2.size());
    for (int i = 0; i < GOOD; i++) {
      JsonNode r = run2.get("img/" + i + ".png");
      assertEquals("skipped", r.get("status").asText(), r.toString());
      assertTrue(r.get("detail").asText().contains("published shard"), r.toString());
    }
    try (Stream<Path> files = Files.list(out.resolve("shards"))) {
      assertEquals(0, files.filter(f -> f.getFileName().toString().startsWith(".massfetch-tmp-")).count());
    }
  }

  @Test
  void givenDefaultLimits_whenAFewHundredImagesRunOnTheDirectRunner_thenTheyFillOneShard() throws Exception {
    int count = 300;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (i >= GOOD) {
        origin.addImage(i + ".png", image(i));
      }
      lines.add("img/" + i + ".png");
    }
    Path manifest = Files.write(dir.resolve("manifest.txt"), lines);
    Path out = dir.resolve("out");

    MainRun run = MainRun.run("--manifest=" + manifest, "--baseUrl=" + origin.baseUrl(), "--output=" + out,
        "--outputFormat=tar");
    assertEquals(0, run.exitCode(), run.err());
    // Every DirectRunner bundle (one per work group) ends in a shard of its own: with files mode's
    // 16 groups at least, this would be 16 shards of about 19 images.
    List<Path> indexes;
    try (Stream<Path> files = Files.list(out.resolve("shards"))) {
      indexes = files.filter(f -> f.getFileName().toString().endsWith(".index.jsonl")).toList();
    }
    assertEquals(1, indexes.size(), "published shards: " + indexes);
    assertEquals(count, Files.readAllLines(indexes.get(0)).size(), "images in the shard");
    Map<String, JsonNode> records = results(out.resolve("_results"));
    assertEquals(count, records.size(), "one result per entry");
    for (int i = 0; i < count; i++) {
      JsonNode r = records.get("img/" + i + ".png");
      assertEquals("ok", r.get("status").asText(), r.toString());
      byte[] shard = Files.readAllBytes(out.resolve(r.get("shard").asText()));
      int offset = r.get("offset").asInt();
      assertArrayEquals(image(i), Arrays.copyOfRange(shard, offset, offset + image(i).length), r.toString());
    }
  }

  @Test
  void givenShardOptionMistakes_whenRun_thenOneLineAndExitCode2() throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    List<String[]> mistakes = List.of(
        new String[] {"--outputFormat=zip", "--output=" + dir.resolve("o1")},
        new String[] {"--outputFormat=tar", "--shardMaxImages=0", "--output=" + dir.resolve("o2")},
        new String[] {"--outputFormat=tar", "--shardMaxBytes=-1", "--output=" + dir.resolve("o3")},
        new String[] {"--outputFormat=tar", "--shardPartBytes=4194304", "--output=" + dir.resolve("o4")},
        new String[] {"--outputFormat=tar", "--shardPartBytes=5300000", "--output=" + dir.resolve("o5")},
        new String[] {"--outputFormat=tar", "--shardPartBytes=5242880", "--shardMaxBytes=1099511627776",
            "--output=" + dir.resolve("o6")});
    for (String[] args : mistakes) {
      List<String> all = new ArrayList<>(List.of(args));
      all.add("--manifest=" + manifest);
      all.add("--baseUrl=" + origin.baseUrl());
      MainRun run = MainRun.run(all.toArray(new String[0]));
      assertEquals(2, run.exitCode(), all + " -> " + run.err());
      String err = run.err().strip();
      assertFalse(err.contains("\n"), "one line: " + err);
      assertTrue(err.startsWith("massfetch: error: --"), err);
    }
    assertEquals(0, origin.hits("/img/1.png"));
  }

  private static MainRun get(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = ShardGetMain.run(args, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
    return new MainRun(code, out.toString(), err.toString());
  }

  private static byte[] image(int i) {
    return TestImages.png(i, 16 + i % 40);
  }

  /** Records by key (by url for records without one). */
  private static Map<String, JsonNode> results(Path results) throws Exception {
    Map<String, JsonNode> byKey = new HashMap<>();
    try (Stream<Path> files = Files.list(results)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("results-.*\\.jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          JsonNode r = JSON.readTree(line);
          byKey.put(r.get("key").isNull() ? r.get("url").asText() : r.get("key").asText(), r);
        }
      }
    }
    return byKey;
  }
}
