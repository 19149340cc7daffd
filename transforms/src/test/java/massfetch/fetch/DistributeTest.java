package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.testing.OneBundle;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

/** {@link Distribute} on the DirectRunner: one request per key, a result for every repeat. */
class DistributeTest {

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  private static FetchRequest request(String source, long line, String url, String key) {
    return FetchRequest.builder().setUrl(url).setKey(key).setSource(source).setLine(line).build();
  }

  private static FetchResult duplicateEntry(FetchRequest repeat, FetchRequest first) {
    return FetchResult.forRequest(repeat)
        .setStatus(Status.SKIPPED)
        .setError(ErrorClass.SKIP_DUPLICATE_ENTRY)
        .setDetail("same entry as " + first.getSource() + " line " + first.getLine())
        .build();
  }

  private static FetchResult duplicateKey(FetchRequest repeat, FetchRequest first) {
    return FetchResult.forRequest(repeat)
        .setStatus(Status.FAILED)
        .setError(ErrorClass.DUPLICATE_KEY)
        .setDetail("key already taken by another URL at " + first.getSource() + " line " + first.getLine())
        .build();
  }

  @Test
  void givenRepeatedIdenticalEntries_whenDistributed_thenFirstByLineIsFetchedAndLaterOnesSkipped() {
    FetchRequest line1 = request("m.txt", 1, "http://h/a.png", "a.png");
    FetchRequest line4 = request("m.txt", 4, "http://h/a.png", "a.png");
    FetchRequest line9 = request("m.txt", 9, "http://h/a.png", "a.png");
    FetchRequest other = request("m.txt", 2, "http://h/b.png", "b.png");
    Pipeline p = pipeline();

    // Input order deliberately not manifest order: the first by (source, line) must win.
    PCollectionTuple out = p.apply(Create.of(List.of(line9, other, line4, line1))).apply(Distribute.intoGroups(16));

    PAssert.that(out.get(Distribute.REQUESTS)).containsInAnyOrder(line1, other);
    PAssert.that(out.get(Distribute.DUPLICATES))
        .containsInAnyOrder(duplicateEntry(line4, line1), duplicateEntry(line9, line1));
    p.run().waitUntilFinish();
  }

  @Test
  void givenRepeatsAcrossManifestFiles_whenDistributed_thenOrderedBySourceThenLine() {
    FetchRequest inA = request("a.txt", 50, "http://h/x.png", "x.png");
    FetchRequest inB = request("b.txt", 1, "http://h/x.png", "x.png");
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(Create.of(List.of(inB, inA))).apply(Distribute.intoGroups(16));

    PAssert.that(out.get(Distribute.REQUESTS)).containsInAnyOrder(inA);
    PAssert.that(out.get(Distribute.DUPLICATES)).containsInAnyOrder(duplicateEntry(inB, inA));
    p.run().waitUntilFinish();
  }

  @Test
  void givenSameKeyForDifferentUrls_whenDistributed_thenLaterOneFailsAsDuplicateKey() {
    FetchRequest first = request("m.csv", 2, "http://h/one.png", "same.png");
    FetchRequest second = request("m.csv", 3, "http://h/two.png", "same.png");
    FetchRequest repeatOfFirst = request("m.csv", 5, "http://h/one.png", "same.png");
    Pipeline p = pipeline();

    PCollectionTuple out =
        p.apply(Create.of(List.of(second, repeatOfFirst, first))).apply(Distribute.intoGroups(16));

    PAssert.that(out.get(Distribute.REQUESTS)).containsInAnyOrder(first);
    PAssert.that(out.get(Distribute.DUPLICATES))
        .containsInAnyOrder(duplicateKey(second, first), duplicateEntry(repeatOfFirst, first));
    p.run().waitUntilFinish();
  }

  @Test
  void givenAllDistinctKeys_whenDistributedOverManyGroups_thenEveryRequestPassesThroughOnce() {
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // Same URL under different keys is not a duplicate: the key is the identity of an entry.
      String url = i % 2 == 0 ? "http://h/shared.png" : "http://h/" + i + ".png";
      requests.add(request("m.txt", i + 1, url, "k/" + i + ".png"));
    }
    Pipeline p = pipeline();

    PCollectionTuple out =
        p.apply(Create.of(requests)).apply(Distribute.intoGroups(Distribute.groupsFor(requests.size(), 7, 3)));

    PAssert.that(out.get(Distribute.REQUESTS)).containsInAnyOrder(requests);
    PAssert.that(out.get(Distribute.DUPLICATES)).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void givenRepeatsFarApartInOneGroup_whenBatched_thenStillOneRequestPerKey() {
    // One group and more entries than a batch and than a bundle may hold: the repeats of "r.png"
    // cross the shuffle in different batches and still meet.
    int n = Distribute.AssignGroupFn.HELD + Distribute.AssignGroupFn.BATCH;
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(request("m.txt", i + 2, "http://h/" + i + ".png", i + ".png"));
    }
    FetchRequest first = request("m.txt", 1, "http://h/r.png", "r.png");
    FetchRequest last = request("m.txt", n + 2, "http://h/r.png", "r.png");
    List<FetchRequest> all = new ArrayList<>(requests);
    all.add(last);
    all.add(0, first);
    Pipeline p = pipeline();

    PCollectionTuple out = p.apply(Create.of(all)).apply(Distribute.intoGroups(1));

    requests.add(first);
    PAssert.that(out.get(Distribute.REQUESTS)).containsInAnyOrder(requests);
    PAssert.that(out.get(Distribute.DUPLICATES)).containsInAnyOrder(duplicateEntry(last, first));
    p.run().waitUntilFinish();
  }

  @Test
  void givenManyRequests_whenGroupsAssigned_thenFewBoundedBatchesHoldingEveryRequestOnce() {
    int n = 5_000;
    int groups = 4;
    Pipeline p = pipeline();

    // One bundle, so the count of batches is bounded exactly: full batches, plus at most one
    // partial batch per group when the bundle ends.
    PCollection<KV<Integer, List<FetchRequest>>> batches =
        OneBundle.of(p, FetchRequest.class, n, i -> request("m.txt", i + 1, "http://h/" + i + ".png", i + ".png"))
            .apply(ParDo.of(new Distribute.AssignGroupFn(groups)));

    // The shuffle's cost on the DirectRunner is per element: far fewer batches than requests.
    PAssert.that(batches).satisfies(all -> {
      int elements = 0;
      Set<String> keys = new HashSet<>();
      for (KV<Integer, List<FetchRequest>> batch : all) {
        assertTrue(batch.getValue().size() <= Distribute.AssignGroupFn.BATCH, "batch of " + batch.getValue().size());
        batch.getValue().forEach(r -> assertTrue(keys.add(r.getKey()), "twice: " + r.getKey()));
        elements++;
      }
      assertEquals(n, keys.size());
      int most = n / Distribute.AssignGroupFn.BATCH + groups;
      assertTrue(elements <= most, elements + " batches for " + n + " requests, at most " + most);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void givenEntryCounts_whenShardsComputed_thenAboutOneGroupPerGroupSizeAndAtLeastTheMinimum() {
    assertEquals(16, Distribute.groupsFor(0, 5_000, 16));
    assertEquals(16, Distribute.groupsFor(1, 5_000, 16));
    assertEquals(16, Distribute.groupsFor(80_000, 5_000, 16));
    assertEquals(17, Distribute.groupsFor(80_001, 5_000, 16));
    assertEquals(20, Distribute.groupsFor(100_000, 5_000, 16));
    assertEquals(21, Distribute.groupsFor(100_001, 5_000, 16));
    assertEquals(40_000, Distribute.groupsFor(200_000_000, 5_000, 16));
    assertEquals(1, Distribute.groupsFor(1, 1, 1));
    assertEquals(10, Distribute.groupsFor(10, 1, 1));
  }

  @Test
  void givenHugeCountsOrTinyGroups_whenShardsComputed_thenCappedAtAboutAMillionGroups() {
    assertEquals(1 << 20, Distribute.groupsFor(Long.MAX_VALUE / 2, 1, 1));
    assertEquals(1 << 20, Distribute.groupsFor(10_000_000_000L, 1, 16));
    assertEquals(1 << 20, Distribute.groupsFor(Long.MAX_VALUE - 10, 5, 16));
  }
}
