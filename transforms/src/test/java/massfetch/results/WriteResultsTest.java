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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.testing.OneBundle;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTagList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WriteResults}: one line per result, written in blocks (through TextIO or a file per bundle), and the summary. */
class WriteResultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RESULTS = 2_500;

  @TempDir Path dir;

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  private static List<FetchResult> results() {
    return IntStream.range(0, RESULTS).mapToObj(WriteResultsTest::result).collect(Collectors.toList());
  }

  private static FetchResult result(int i) {
    return FetchResult.builder().setUrl("http://h/" + i + ".png").setKey(i + ".png")
        .setStatus(i % 10 == 0 ? Status.FAILED : Status.OK).setError(i % 10 == 0 ? "http_404" : null)
        .setBytes(i % 10 == 0 ? 0 : 100).setSource("m.txt").setLine(i + 1).build();
  }

  @Test
  void givenResults_whenWritten_thenOneJsonLinePerResultAndTheSummaryAddsUp() throws IOException {
    Pipeline p = pipeline();
    p.apply(Create.of(results()))
        .apply(WriteResults.to(dir.toString()));
    p.run().waitUntilFinish();

    assertOneLinePerResultAndSummary();
  }

  @Test
  void givenTheLedger_whenWritten_thenOneLinePerResultInWholeRenamedFiles() throws IOException {
    Pipeline p = pipeline();
    p.apply(Create.of(results()))
        .apply(WriteResults.to(dir.toString()).withLedger(ResultsLedger.in(dir.toString()).withoutRetries()));
    p.run().waitUntilFinish();

    assertOneLinePerResultAndSummary();
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(f -> f.getFileName().toString()).collect(Collectors.toList());
      for (String name : names) {
        assertTrue(name.equals("summary.json") || name.matches("results-[0-9T]{15}_[0-9a-f]{4}-[0-9a-f-]{36}\\.jsonl"),
            "whole files under their final names, nothing partial: " + names);
      }
    }
  }

  @Test
  void givenTheLedger_whenRunOnTheDirectRunner_thenNoShuffleOutsideTheSummary() {
    // After the DirectRunner's own overrides (which turn TextIO's sharding into a GroupByKey of
    // every block), no step of the ledger but the summary's waits for all results.
    String a = dir.resolve("a").toString();
    assertEquals(List.of(), shufflesOutsideSummary(
        WriteResults.to(a).withLedger(ResultsLedger.in(a).withoutRetries())));
    assertFalse(shufflesOutsideSummary(WriteResults.to(dir.resolve("b").toString())).isEmpty(),
        "the check finds TextIO's GroupByKey");
  }

  /** Runs {@code write} and returns the GroupByKey steps of the graph that ran, summary's left out. */
  private static List<String> shufflesOutsideSummary(WriteResults write) {
    Pipeline p = pipeline();
    p.apply(Create.of(results())).apply("WriteResults", write);
    p.run().waitUntilFinish();
    List<String> shuffles = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        visit(node);
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        visit(node);
      }

      private void visit(TransformHierarchy.Node node) {
        String name = node.getFullName();
        if (node.getTransform() != null
            && node.getTransform().getClass().getName().contains("GroupByKey")
            && !name.matches("WriteResults/(WriteLedger/)?(Summarize|AllPublished|WriteSummary)/.*")) {
          shuffles.add(name);
        }
      }
    });
    return shuffles;
  }

  private void assertOneLinePerResultAndSummary() throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).collect(Collectors.toList())) {
        lines.addAll(Files.readAllLines(f));
      }
    }
    Set<String> keys = new TreeSet<>();
    for (String line : lines) {
      keys.add(JSON.readTree(line).get("key").asText());
    }
    assertEquals(RESULTS, lines.size(), "one line per result, no blank line between blocks");
    assertEquals(RESULTS, keys.size(), "every result once");

    JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
    assertEquals(RESULTS, summary.get("total").asInt());
    assertEquals(RESULTS / 10, summary.get("failed").asInt());
    assertEquals(RESULTS - RESULTS / 10, summary.get("ok").asInt());
  }

  @Test
  void givenManyResults_whenTurnedIntoLines_thenBlocksOfAtMostTheBlockSize() {
    Pipeline p = pipeline();
    // All results in one bundle, so the count of blocks is exact (each bundle ends a block).
    PCollection<String> blocks =
        OneBundle.of(p, FetchResult.class, RESULTS, WriteResultsTest::result)
            .apply(ParDo.of(new WriteResults.ToJsonLinesFn())
                .withOutputTags(WriteResults.LINES, TupleTagList.of(WriteResults.PARTIAL_SUMMARIES)))
            .get(WriteResults.LINES);

    // Fewer elements than results is what keeps the DirectRunner's sharded write cheap: full
    // blocks of the cap and one partial block at the end of the bundle, 2,500 lines in all.
    PAssert.that(blocks).satisfies(all -> {
      List<Integer> sizes = new ArrayList<>();
      for (String block : all) {
        assertTrue(!block.endsWith("\n"), "TextIO adds the last newline");
        sizes.add(block.split("\n", -1).length);
      }
      sizes.sort(null);
      int cap = WriteResults.ToJsonLinesFn.BLOCK_LINES;
      assertEquals(List.of(RESULTS % cap, cap, cap), sizes, "lines per block");
      return null;
    });
    p.run().waitUntilFinish();
  }
}
