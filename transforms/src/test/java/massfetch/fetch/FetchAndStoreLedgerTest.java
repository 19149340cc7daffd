package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.results.ResultsLedger;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.OneBundle;
import massfetch.testing.TestImages;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FetchAndStore#withLedger}: results are published in whole files while the bundle that
 * makes them still runs, which is what a killed JVM keeps; the runner hands a step's output on only
 * when the bundle ends.
 */
class FetchAndStoreLedgerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FAST = 12;

  @TempDir Path dir;

  @Test
  void givenALedger_whenOneFetchOfTheBundleHangs_thenTheOthersArePublishedBeforeTheBundleEnds() throws Exception {
    try (FaultOrigin origin = new FaultOrigin()) {
      for (int i = 0; i <= FAST; i++) {
        origin.addImage(i + ".png", TestImages.png(i, 16));
      }
      String base = origin.baseUrl();
      Path results = dir.resolve("results");
      Files.createDirectories(results);
      ResultsLedger ledger = ResultsLedger.in(results.toString()).withRunId("t")
          .withRollEvery(5, 3600).withoutRetries();
      DirectOptions options = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(DirectOptions.class);
      options.setBlockOnRun(false);
      Pipeline p = Pipeline.create(options);
      // One bundle: the held entry first, so it is in flight while the others complete.
      PCollection<FetchRequest> requests = OneBundle.of(p, FetchRequest.class, FAST + 1, i -> FetchRequest.builder()
          .setUrl(base + (i == 0 ? "/hold/" : "/img/") + i + ".png").setKey("k/" + i + ".png")
          .setSource("m.txt").setLine(i + 1L).build());
      PCollection<FetchResult> out = requests.apply(FetchAndStore.to(SinkConfig.builder()
              .setOutput(dir.resolve("out").toString()).build())
          .withFetchConfig(FetchConfig.builder().setAllowPrivateAddresses(true).setMaxInFlight(FAST + 1)
              .setRequestTimeoutMs(300_000).build())
          .withLedger(ledger));
      // Still output, one per entry: Flink's live record count (progress) counts them.
      PAssert.that(out).satisfies(rs -> {
        assertEquals(FAST + 1, java.util.stream.StreamSupport.stream(rs.spliterator(), false).count());
        return null;
      });

      PipelineResult run = p.run();
      try {
        // Two files of 5 (rolled by count) while the held fetch keeps the bundle open; a
        // generous deadline only bounds a broken build, the order of events is what is checked.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (records(results).size() < 10 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        List<JsonNode> early = records(results);
        assertEquals(10, early.size(), "two whole files published before the bundle ended");
        assertTrue(early.stream().noneMatch(r -> r.get("line").asLong() == 1), "the held entry is still in flight");
        assertEquals(PipelineResult.State.RUNNING, run.getState());
      } finally {
        origin.release();
      }
      assertEquals(PipelineResult.State.DONE, run.waitUntilFinish());
      List<JsonNode> all = records(results);
      assertEquals(FAST + 1, all.size(), "one record per entry");
      assertEquals(FAST + 1, all.stream().map(r -> r.get("line").asLong()).distinct().count());
      assertTrue(all.stream().allMatch(r -> r.get("status").asText().equals("ok")), all.toString());
      try (Stream<Path> files = Files.list(results)) {
        assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith(".partial-")), "no hidden file left");
      }
    }
  }

  /** The records of the published results files. */
  private static List<JsonNode> records(Path folder) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.filter(f -> f.getFileName().toString().matches("results-.*\\.jsonl")).toList()) {
        for (String line : Files.readAllLines(f)) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }
}
