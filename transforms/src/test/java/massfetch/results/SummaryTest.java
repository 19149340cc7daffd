package massfetch.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import massfetch.model.ErrorClass;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.junit.jupiter.api.Test;

/** {@link Summary}: counts that add up, merge across workers, and summary.json. */
class SummaryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static FetchResult ok(long bytes) {
    return FetchResult.builder().setUrl("http://h/a.png").setKey("a.png").setStatus(Status.OK)
        .setBytes(bytes).setSource("m").setLine(1).build();
  }

  private static FetchResult skipped(String reason) {
    return FetchResult.builder().setUrl("http://h/a.png").setKey("a.png").setStatus(Status.SKIPPED)
        .setError(reason).setSource("m").setLine(1).build();
  }

  private static FetchResult failed(String error) {
    return FetchResult.builder().setUrl("http://h/a.png").setKey("a.png").setStatus(Status.FAILED)
        .setError(error).setSource("m").setLine(1).build();
  }

  private static Summary of(List<FetchResult> results) {
    Summary s = new Summary();
    results.forEach(s::add);
    return s;
  }

  @Test
  void givenMixedResults_whenAdded_thenCountedByStatusAndTotalIsTheirSum() {
    Summary s = of(List.of(
        ok(100), ok(250), ok(0),
        skipped(ErrorClass.SKIP_EXISTS), skipped(ErrorClass.SKIP_DUPLICATE_ENTRY),
        failed("http_404"), failed("http_404"), failed(ErrorClass.TIMEOUT), failed(ErrorClass.INVALID_ENTRY)));

    assertEquals(3, s.ok);
    assertEquals(2, s.skipped);
    assertEquals(4, s.failed);
    assertEquals(9, s.total());
    assertEquals(s.ok + s.skipped + s.failed, s.total());
    assertEquals(350, s.bytes);
    assertEquals(2L, s.errors.get("http_404"));
    assertEquals(1L, s.errors.get("timeout"));
    assertEquals(1L, s.errors.get("invalid_entry"));
    assertEquals(1L, s.skips.get("exists"));
    assertEquals(1L, s.skips.get("duplicate_entry"));
  }

  @Test
  void givenBytesOnNonOkResults_whenAdded_thenOnlyStoredBytesCount() {
    Summary s = of(List.of(ok(10), failed("too_large").toBuilder().setBytes(999).build()));

    assertEquals(10, s.bytes);
  }

  @Test
  void givenNoResults_whenSummarised_thenAllZero() throws Exception {
    Summary s = new Summary();

    JsonNode j = JSON.readTree(s.toJson(0, 0));

    assertEquals(0, s.total());
    assertEquals(0, j.get("total").asLong());
    assertEquals(0.0, j.get("images_per_s").asDouble());
    assertTrue(j.get("errors").isObject() && j.get("errors").isEmpty());
  }

  @Test
  void givenTwoPartialSummaries_whenMerged_thenSameAsOneSummaryOfEverything() throws Exception {
    List<FetchResult> a = List.of(ok(5), failed("http_404"), skipped("exists"));
    List<FetchResult> b = List.of(ok(7), failed("http_404"), failed("timeout"), skipped("done_before"));
    Summary merged = of(a);

    merged.merge(of(b));

    Summary whole = of(List.of(ok(5), failed("http_404"), skipped("exists"),
        ok(7), failed("http_404"), failed("timeout"), skipped("done_before")));
    assertEquals(whole.toJson(0, 1000), merged.toJson(0, 1000));
    assertEquals(7, merged.total());
    assertEquals(2L, merged.errors.get("http_404"));
    assertEquals(12, merged.bytes);
  }

  @Test
  void givenEmptySummary_whenMergedIn_thenNothingChanges() {
    Summary s = of(List.of(ok(5), failed("timeout")));
    String before = s.toJson(0, 1000);

    s.merge(new Summary());

    assertEquals(before, s.toJson(0, 1000));
  }

  @Test
  void givenSummary_whenJson_thenDocumentedFieldsWithRate() throws Exception {
    Summary s = of(List.of(ok(100), ok(300), skipped("exists"), failed("http_404"), failed("not_image")));

    JsonNode j = JSON.readTree(s.toJson(10_000, 12_000)); // 2 s

    assertEquals(5, j.get("total").asLong());
    assertEquals(2, j.get("ok").asLong());
    assertEquals(1, j.get("skipped").asLong());
    assertEquals(2, j.get("failed").asLong());
    assertEquals(400, j.get("bytes").asLong());
    assertEquals(2.0, j.get("elapsed_s").asDouble());
    assertEquals(2.5, j.get("images_per_s").asDouble());
    assertEquals(1, j.get("errors").get("http_404").asLong());
    assertEquals(1, j.get("errors").get("not_image").asLong());
    assertEquals(j.get("total").asLong(),
        j.get("ok").asLong() + j.get("skipped").asLong() + j.get("failed").asLong());
  }

  @Test
  void givenManyResults_whenSummarisedPerBundleThenCombined_thenTotalMatchesEntries() {
    WriteResults.MergeSummariesFn fn = new WriteResults.MergeSummariesFn();
    Summary[] bundles = {new Summary(), new Summary(), new Summary()};
    for (int i = 0; i < 1_000; i++) {
      FetchResult r = i % 10 == 0 ? failed("http_503") : i % 7 == 0 ? skipped("exists") : ok(i);
      bundles[i % 3].add(r);
    }
    Summary left = fn.addInput(fn.addInput(fn.createAccumulator(), bundles[0]), bundles[1]);
    Summary right = fn.addInput(fn.createAccumulator(), bundles[2]);

    Summary all = fn.extractOutput(fn.mergeAccumulators(List.of(left, right)));

    assertEquals(1_000, all.total());
    assertEquals(100, all.failed);
  }
}
