package massfetch.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.testing.OneBundle;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results ledger ({@link WriteResults#withLedger}, {@link SkipPublished}): whole rolled files
 * published as results come, a restarted attempt of the same run neither fetches nor records again
 * what an earlier attempt published, and the summary counts the run's files.
 */
class ResultsLedgerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RESULTS = 1_000;

  @TempDir Path dir;

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  private static FetchResult result(int i) {
    return FetchResult.builder().setUrl("http://h/" + i + ".png").setKey(i + ".png")
        .setStatus(i % 10 == 0 ? Status.FAILED : Status.OK).setError(i % 10 == 0 ? "http_404" : null)
        .setBytes(i % 10 == 0 ? 0 : 100).setSource("m.txt").setLine(i + 1).build();
  }

  private ResultsLedger ledger(String run, int rollRecords) {
    return ResultsLedger.in(dir.toString()).withRunId(run).withRollEvery(rollRecords, 3600);
  }

  @Test
  void givenOneLongBundle_whenWrittenThroughTheLedger_thenWholeFilesOfTheRollSizeAndTheSummaryAddsUp()
      throws IOException {
    Pipeline p = pipeline();
    // One bundle, as Flink batch gives a subtask: without rolling it would be one file at the end.
    OneBundle.of(p, FetchResult.class, RESULTS, ResultsLedgerTest::result)
        .apply(WriteResults.to(dir.toString()).withLedger(ledger("r1", 300)));
    p.run().waitUntilFinish();

    Map<String, List<String>> files = resultFiles();
    List<Integer> sizes = files.values().stream().map(List::size).sorted().collect(Collectors.toList());
    assertEquals(List.of(100, 300, 300, 300), sizes, "files of 300 records, published as they filled");
    for (String name : files.keySet()) {
      assertTrue(name.matches("results-r1-[0-9a-f-]{36}\\.jsonl"), name);
    }
    assertEquals(RESULTS, entries(files).size(), "every result once");
    JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals(RESULTS, summary.get("total").asInt());
    assertEquals(RESULTS / 10, summary.get("failed").asInt());
    assertEquals((RESULTS - RESULTS / 10) * 100L, summary.get("bytes").asLong());
  }

  @Test
  void givenAnEarlierAttemptPublishedSome_whenTheRunWritesAllAgain_thenNoEntryHasTwoRecordsAndTheSummaryCountsAll()
      throws IOException {
    // What a failed attempt left: one published file and a hidden one cut by the crash.
    Files.write(dir.resolve("results-r2-first.jsonl"),
        IntStream.range(0, 400).mapToObj(i -> ResultJson.toJson(result(i))).collect(Collectors.toList()));
    Files.write(dir.resolve(".partial-results-r2-cut.jsonl"), List.of(ResultJson.toJson(result(400)), "{\"url\""));
    // Another run's file in the same folder is not this run's ledger.
    Files.write(dir.resolve("results-other-x.jsonl"), List.of(ResultJson.toJson(result(500))));

    Pipeline p = pipeline();
    OneBundle.of(p, FetchResult.class, RESULTS, ResultsLedgerTest::result)
        .apply(WriteResults.to(dir.toString()).withLedger(ledger("r2", 10_000)));
    p.run().waitUntilFinish();

    Map<String, List<String>> files = resultFiles();
    files.remove("results-other-x.jsonl");
    List<String> entries = entries(files);
    assertEquals(RESULTS, entries.size(), "one record per entry across the run's files");
    assertEquals(RESULTS, entries.stream().distinct().count(), "no entry twice");
    assertFalse(Files.exists(dir.resolve(".partial-results-r2-cut.jsonl")), "the cut file is removed at the end");
    JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals(RESULTS, summary.get("total").asInt(), "the summary counts what the earlier attempt published");
  }

  @Test
  void givenAnEarlierAttemptPublishedSome_whenRequestsPassSkipPublished_thenOnlyTheUnpublishedAreFetched()
      throws IOException {
    Files.write(dir.resolve("results-r3-first.jsonl"),
        IntStream.range(0, 3).mapToObj(i -> ResultJson.toJson(result(i))).collect(Collectors.toList()));

    Pipeline p = pipeline();
    List<FetchRequest> requests = IntStream.range(0, 6)
        .mapToObj(i -> FetchRequest.builder().setUrl("http://h/" + i + ".png").setKey(i + ".png")
            .setSource("m.txt").setLine(i + 1).build())
        .collect(Collectors.toList());
    PCollection<FetchRequest> left = p.apply(Create.of(requests)).apply(SkipPublished.in(ledger("r3", 10)));
    PAssert.that(left).containsInAnyOrder(requests.subList(3, 6));
    p.run().waitUntilFinish();
  }

  @Test
  void givenSeveralSources_whenWrittenByWriteLedger_thenEachSourcePublishesAndOneSummaryCountsAll() throws IOException {
    Pipeline p = pipeline();
    PCollection<FetchResult> first =
        p.apply("First", Create.of(IntStream.range(0, 300).mapToObj(ResultsLedgerTest::result).collect(Collectors.toList())));
    PCollection<FetchResult> second =
        p.apply("Second", Create.of(IntStream.range(300, 500).mapToObj(ResultsLedgerTest::result).collect(Collectors.toList())));
    org.apache.beam.sdk.values.PCollectionList.of(first).and(second)
        .apply(WriteLedger.to(ledger("r5", 10_000)));
    p.run().waitUntilFinish();

    List<String> entries = entries(resultFiles());
    assertEquals(500, entries.size());
    assertEquals(500, entries.stream().distinct().count());
    assertEquals(500, JSON.readTree(dir.resolve("summary.json").toFile()).get("total").asInt());
  }

  @Test
  void givenManyLongs_whenAddedToTheSet_thenEachIsFoundOnceAndOthersNot() {
    LongHashSet set = new LongHashSet();
    for (long i = 0; i < 100_000; i++) {
      assertTrue(set.add(i * 7919));
    }
    assertFalse(set.add(7919));
    assertTrue(set.add(Long.MIN_VALUE));
    assertEquals(100_001, set.size());
    assertTrue(set.contains(99_999L * 7919));
    assertFalse(set.contains(5));
  }

  private Map<String, List<String>> resultFiles() throws IOException {
    Map<String, List<String>> files = new HashMap<>();
    try (Stream<Path> all = Files.list(dir)) {
      for (Path f : all.collect(Collectors.toList())) {
        String name = f.getFileName().toString();
        if (name.startsWith("results-") && name.endsWith(".jsonl")) {
          files.put(name, Files.readAllLines(f));
        }
      }
    }
    return files;
  }

  private static List<String> entries(Map<String, List<String>> files) throws IOException {
    List<String> entries = new ArrayList<>();
    for (List<String> lines : files.values()) {
      for (String line : lines) {
        JsonNode r = JSON.readTree(line);
        entries.add(r.get("source").asText() + ":" + r.get("line").asLong());
      }
    }
    return entries;
  }
}
