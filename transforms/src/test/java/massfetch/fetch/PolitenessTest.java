package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.FaultOrigin.Hit;
import massfetch.testing.TestImages;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Politeness on the DirectRunner against a real HTTP server: the request budget, the per-host
 * backoff during a 503 storm, and the circuit breaker for a host that is down, then back or gone.
 * Delays are scaled down through {@link FetchConfig}; assertions are lower bounds on spans and
 * upper bounds on counts, so a loaded machine can only make them pass more slowly.
 */
class PolitenessTest {
  private static final int ENTRIES = 20;
  /** Where the PAssert callback leaves results (same JVM on the DirectRunner). */
  static final FetchAndStoreTest.ResultsSink RESULTS = new FetchAndStoreTest.ResultsSink();
  private static FaultOrigin origin;

  @TempDir Path output;

  @BeforeAll
  static void startOrigin() throws Exception {
    origin = new FaultOrigin();
    for (int i = 0; i < 40; i++) {
      origin.addImage(i + ".png", TestImages.png(i, 16 + i));
    }
  }

  @AfterAll
  static void stopOrigin() throws Exception {
    origin.close();
  }

  @AfterEach
  void endOutage() {
    origin.outage(0, null);
  }

  private static FetchConfig.Builder quick() {
    return FetchConfig.builder()
        .setAllowPrivateAddresses(true) // the test server is on 127.0.0.1
        .setMaxInFlight(16)
        .setRequestTimeoutMs(3_000)
        .setConnectTimeoutMs(2_000)
        .setInitialBackoffMs(10)
        .setMaxBackoffMs(50)
        .setMaxRetryAfterMs(2_000)
        .setHostBackoffMs(20);
  }

  @Test
  void givenRequestBudget_whenEntriesAndRedirectHopsFetched_thenServerSeesNoMoreThanTheBudget() {
    double perSecond = 10;
    FetchConfig config = quick().setMaxRequestsPerSecond(perSecond).build();
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(request("/img/" + i + ".png", "rate/img/" + i + ".png"));
    }
    for (int i = 10; i < 25; i++) {
      // Two requests each: the 302 and the image.
      requests.add(request("/redirect/" + i + ".png", "rate/redirect/" + i + ".png"));
    }
    int before = origin.log("/").size();

    Map<String, FetchResult> results = run(requests, config);

    results.values().forEach(r -> assertEquals(Status.OK, r.getStatus(), r.toString()));
    List<Hit> hits = origin.log("/").subList(before, origin.log("/").size());
    assertEquals(40, hits.size(), "every request, hops included, reached the server");
    int burst = new RequestRateLimiter(perSecond).burst();
    // The last request is sent at least (40 - burst) / rate after the first; the span at the server
    // is shorter only by the first request's trip (a new connection), allowed for generously.
    // Were hops not counted, 25 tokens would span 2.4 s; with no budget, a fraction of a second.
    double spanSeconds = (hits.get(hits.size() - 1).nanos() - hits.get(0).nanos()) / 1e9;
    double atLeast = (hits.size() - burst) / perSecond - 0.5;
    assertTrue(spanSeconds >= atLeast,
        "40 requests at " + perSecond + "/s took " + spanSeconds + " s, expected at least " + atLeast);
  }

  @Test
  void given503Storm_whenHostAnswersErrors_thenRequestsToItSlowDownAndAllCompleteAfterwards() {
    long stormMs = 1_500;
    FetchConfig config = quick()
        .setMaxAttempts(10)
        .setMaxBackoffMs(500)
        .setHostFailuresToOpen(1_000) // the breaker stays out of this test
        .build();
    origin.outage(stormMs, null);

    Map<String, FetchResult> results = run(downRequests("storm"), config);

    results.values().forEach(r -> assertEquals(Status.OK, r.getStatus(), r.toString()));
    List<Hit> hits = origin.log("/down/storm/");
    long during = hits.stream().filter(h -> h.status() == 503).count();
    // Per-request backoff alone sends ~7 requests per entry in the storm (140); the host-wide
    // spacing (20 ms, doubling) lets the first wave and a handful of paced requests through.
    assertTrue(during < 60, during + " requests during the storm, expected far fewer than "
        + ENTRIES + " entries x 10 attempts");
    long stormStart = hits.get(0).nanos();
    long late = hits.stream().filter(h -> h.status() == 503 && h.nanos() - stormStart > ms(500)).count();
    assertTrue(late <= 12, late + " requests in the last second of the storm: spacing did not grow");
    assertEquals(ENTRIES, hits.stream().filter(h -> h.status() == 200).count());
  }

  @Test
  void givenHostDownForAWhile_whenFetched_thenPausedProbedOneAtATimeAndResumed() {
    long outageMs = 1_500;
    long cooldownMs = 400;
    FetchConfig config = quick()
        .setMaxAttempts(3) // without the breaker every entry would fail within ~100 ms
        .setHostFailuresToOpen(3)
        .setHostCooldownMs((int) cooldownMs)
        .setHostUnavailableAfterMs(20_000)
        .build();
    origin.outage(outageMs, null);

    Map<String, FetchResult> results = run(downRequests("blip"), config);

    results.values().forEach(r -> assertEquals(Status.OK, r.getStatus(), r.toString()));
    List<Hit> hits = origin.log("/down/blip/");
    List<Hit> refused = hits.stream().filter(h -> h.status() == 503).toList();
    // Sent before the circuit opened: the first wave (maxInFlight) and at most two early retries
    // (the third failure opens it). Everything after is a probe, one per cooldown.
    int beforeOpen = 16 + 2;
    assertTrue(refused.size() <= beforeOpen + 1 + outageMs / cooldownMs,
        refused.size() + " requests while the host was down: paused, not hammered");
    List<Hit> probes = refused.subList(Math.min(beforeOpen, refused.size()), refused.size());
    for (int i = 1; i < probes.size(); i++) {
      long gap = probes.get(i).nanos() - probes.get(i - 1).nanos();
      assertTrue(gap >= ms(cooldownMs - 50), "probes " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms apart");
    }
    assertEquals(ENTRIES, hits.stream().filter(h -> h.status() == 200).count());
  }

  @Test
  void givenEntriesWithOneAttemptLeft_whenTheirProbesAreRefused_thenTheyWaitAgainAndAllSucceed() {
    long outageMs = 2_500;
    FetchConfig config = quick()
        .setMaxAttempts(2) // the first wave's 503 leaves each entry one attempt
        .setHostFailuresToOpen(1) // opens on the first answer, before any entry can retry
        .setHostCooldownMs(300)
        .setHostUnavailableAfterMs(20_000)
        .build();
    origin.outage(outageMs, null);

    Map<String, FetchResult> results = run(downRequests("spared"), config);

    List<Hit> hits = origin.log("/down/spared/");
    // The circuit opened on the first answer, so an entry's second request can only be a probe; a
    // refused one left its entry no attempt, had it been counted.
    Set<String> seen = new HashSet<>();
    long refusedProbes = hits.stream().filter(h -> !seen.add(h.path()) && h.status() == 503).count();
    assertTrue(refusedProbes >= 1, "no probe was refused during the outage: nothing was tested");
    results.values().forEach(r -> assertEquals(Status.OK, r.getStatus(), r.toString()));
    assertEquals(ENTRIES, hits.stream().filter(h -> h.status() == 200).count());
  }

  @Test
  void givenHostDownBeyondTheBound_whenFetched_thenEachEntryFailsOnceAsHostUnavailableAndRunEnds() {
    FetchConfig config = quick()
        .setMaxAttempts(5)
        .setHostFailuresToOpen(3)
        .setHostCooldownMs(200)
        .setHostUnavailableAfterMs(1_000)
        .build();
    origin.outage(60_000, null);
    long start = System.nanoTime();

    List<FetchResult> results = collect(downRequests("dead"), config);

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(ENTRIES, results.size(), "one result per entry");
    assertEquals(ENTRIES, new HashSet<>(results.stream().map(FetchResult::getKey).toList()).size(), "each entry once");
    long unavailable = 0;
    for (FetchResult r : results) {
      assertEquals(Status.FAILED, r.getStatus(), r.toString());
      // Entries that used up their attempts (first wave, probes) keep their HTTP class.
      assertTrue(r.getError().equals("host_unavailable") || r.getError().equals("http_503"), r.toString());
      if (r.getError().equals("host_unavailable")) {
        unavailable++;
        assertTrue(r.getDetail().contains("127.0.0.1"), r.getDetail());
      }
    }
    assertTrue(unavailable >= ENTRIES / 2, unavailable + " of " + ENTRIES + " failed as host_unavailable");
    // The outage lasts 60 s: an entry that waited it out would have succeeded instead.
    assertTrue(tookMs < 60_000, "the run ended, after " + tookMs + " ms");
  }

  private static List<FetchRequest> downRequests(String test) {
    List<FetchRequest> requests = new ArrayList<>();
    for (int i = 0; i < ENTRIES; i++) {
      requests.add(request("/down/" + test + "/" + i + ".png", test + "/" + i + ".png"));
    }
    return requests;
  }

  private static FetchRequest request(String path, String key) {
    return FetchRequest.builder().setUrl(origin.baseUrl() + path).setKey(key).setSource("test").setLine(1L).build();
  }

  private Map<String, FetchResult> run(List<FetchRequest> requests, FetchConfig config) {
    Map<String, FetchResult> byKey = new HashMap<>();
    for (FetchResult r : collect(requests, config)) {
      byKey.put(r.getKey(), r);
    }
    assertEquals(requests.size(), byKey.size(), "one result per entry");
    return byKey;
  }

  private List<FetchResult> collect(List<FetchRequest> requests, FetchConfig config) {
    RESULTS.clear();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<FetchResult> results =
        p.apply(Create.of(requests))
            .apply(FetchAndStore.to(SinkConfig.builder().setOutput(output.toString()).build())
                .withFetchConfig(config));
    PAssert.that(results).satisfies(rs -> {
      RESULTS.addAll(rs);
      return null;
    });
    p.run().waitUntilFinish();
    return RESULTS.drain();
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
