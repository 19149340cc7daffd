package massfetch.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.fetch.FetchAndStore;
import massfetch.fetch.FetchConfig;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FetchAndStore} in tar mode on the DirectRunner against a real HTTP server, into a folder. */
class TarShardsTest {
  private static FaultOrigin origin;
  private static final Map<String, byte[]> IMAGES = new HashMap<>();
  private static final List<FetchResult> COLLECTED = new ArrayList<>();

  @TempDir Path output;

  @BeforeAll
  static void startOrigin() throws Exception {
    origin = new FaultOrigin();
    for (int i = 0; i < 25; i++) {
      IMAGES.put(i + ".png", origin.addImage(i + ".png", TestImages.png(i, 20 + i)));
    }
  }

  @AfterAll
  static void stopOrigin() throws Exception {
    origin.close();
  }

  private static FetchRequest request(String path, String key, long line) {
    return FetchRequest.builder()
        .setUrl(origin.baseUrl() + path).setKey(key).setSource("test-manifest").setLine(line).build();
  }

  private Map<String, FetchResult> run(List<FetchRequest> requests, ShardConfig shards) {
    synchronized (COLLECTED) {
      COLLECTED.clear();
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    FetchConfig fetch = FetchConfig.builder()
        .setAllowPrivateAddresses(true).setMaxInFlight(8).setMaxAttempts(2)
        .setInitialBackoffMs(10).setMaxBackoffMs(20).build();
    PCollection<FetchResult> results = p.apply(Create.of(requests))
        .apply(FetchAndStore.to(SinkConfig.builder().setOutput(output.toString()).build())
            .withFetchConfig(fetch).withShards(shards));
    PAssert.that(results).satisfies(rs -> {
      synchronized (COLLECTED) {
        rs.forEach(COLLECTED::add);
      }
      return null;
    });
    p.run().waitUntilFinish();
    Map<String, FetchResult> byKey = new HashMap<>();
    synchronized (COLLECTED) {
      COLLECTED.forEach(r -> byKey.put(r.getKey(), r));
      assertEquals(requests.size(), COLLECTED.size(), "one result per request");
    }
    return byKey;
  }

  @Test
  void givenImagesAndFailures_whenTarMode_thenEveryOkImageIsInOnePublishedShardAtItsOffset() throws Exception {
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      // Some keys longer than tar's 100-byte name field: they need pax headers.
      String key = i % 5 == 0 ? "deep/" + "d".repeat(120) + "/" + i + ".png" : "imgs/" + i + ".png";
      requests.add(request("/img/" + i + ".png", key, i + 1));
    }
    requests.add(request("/404/x.png", "missing/x.png", 26));
    requests.add(request("/html/x.png", "html/x.png", 27));

    Map<String, FetchResult> results = run(requests, ShardConfig.of(7, 1L << 30));

    Path shards = output.resolve(ShardStore.FOLDER);
    Map<String, Integer> timesIndexed = new HashMap<>();
    List<Path> indexes;
    try (Stream<Path> files = Files.list(shards)) {
      indexes = files.filter(f -> f.getFileName().toString().endsWith(".index.jsonl")).toList();
    }
    for (Path index : indexes) {
      List<IndexEntry> entries = IndexEntry.parseLines(Files.readString(index, StandardCharsets.UTF_8));
      assertTrue(entries.size() <= 7, "at most --shardMaxImages per shard");
      for (IndexEntry e : entries) {
        timesIndexed.merge(e.key(), 1, Integer::sum);
      }
    }
    assertTrue(indexes.size() >= 4, "25 images at 7 a shard make at least 4 shards: " + indexes.size());

    for (int i = 0; i < 25; i++) {
      FetchResult r = results.get(requests.get(i).getKey());
      assertEquals(Status.OK, r.getStatus(), r.toString());
      assertEquals(1, timesIndexed.get(r.getKey()), "indexed once: " + r.getKey());
      assertNotNull(r.getShard());
      byte[] shard = Files.readAllBytes(output.resolve(r.getShard()));
      byte[] image = IMAGES.get(i + ".png");
      assertArrayEquals(image, Arrays.copyOfRange(shard, (int) (long) r.getOffset(), (int) (r.getOffset() + image.length)),
          "the record's offset holds the image: " + r.getKey());
      assertEquals(image.length, r.getBytes());
    }
    assertEquals(Status.FAILED, results.get("missing/x.png").getStatus());
    assertNull(results.get("missing/x.png").getShard());
    assertEquals("not_image", results.get("html/x.png").getError());
    assertEquals(25, timesIndexed.size(), "failures are in no shard");

    // A tar reader sees each shard as members named by key, holding the image bytes.
    Map<String, byte[]> members = new HashMap<>();
    try (Stream<Path> files = Files.list(shards)) {
      for (Path tar : files.filter(f -> f.getFileName().toString().endsWith(".tar")).toList()) {
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
          TarArchiveEntry e;
          while ((e = t.getNextEntry()) != null) {
            members.put(e.getName(), t.readAllBytes());
          }
        }
      }
    }
    assertEquals(25, members.size());
    for (int i = 0; i < 25; i++) {
      assertArrayEquals(IMAGES.get(i + ".png"), members.get(requests.get(i).getKey()));
    }
    try (Stream<Path> files = Files.list(shards)) {
      assertEquals(0, files.filter(f -> f.getFileName().toString().startsWith(".massfetch-tmp-")).count(),
          "no temp file left");
    }
  }

  @Test
  void givenShardByteLimit_whenImagesExceedIt_thenShardsCutByBytes() throws Exception {
    List<FetchRequest> requests = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < 10; i++) {
      requests.add(request("/img/" + i + ".png", "b/" + i + ".png", i + 1));
      total += IMAGES.get(i + ".png").length;
    }
    long limit = total / 3;

    run(requests, ShardConfig.of(10_000, limit));

    try (Stream<Path> files = Files.list(output.resolve(ShardStore.FOLDER))) {
      List<Path> indexes = files.filter(f -> f.getFileName().toString().endsWith(".index.jsonl")).toList();
      assertTrue(indexes.size() >= 3, "a third of the bytes a shard: " + indexes.size());
      for (Path index : indexes) {
        long bytes = IndexEntry.parseLines(Files.readString(index)).stream().mapToLong(IndexEntry::length).sum();
        assertTrue(bytes <= limit, "shard holds " + bytes + " > " + limit);
      }
    }
  }
}
