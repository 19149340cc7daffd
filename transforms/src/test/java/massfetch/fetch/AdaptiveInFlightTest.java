package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --maxInFlight=auto} against a real server that answers 503 to whatever exceeds its
 * capacity of 16 concurrent requests: auto settles near that capacity and sees few 503s, where a
 * fixed limit of 256 drowns in them. The entries are driven as FetchAndStoreFn drives them: a
 * permit from the worker's in-flight limiter per entry, released when the entry is done.
 */
class AdaptiveInFlightTest {
  private static final int CAPACITY = 16;
  private static final int ENTRIES = 1_200;

  @TempDir Path dir;
  private FaultOrigin origin;

  @BeforeEach
  void start() throws Exception {
    origin = new FaultOrigin();
    origin.addImage("a.png", TestImages.png(3, 16));
    origin.setCapacity(CAPACITY, 20);
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
  }

  @Test
  void givenServerWithCapacity16_whenAuto_thenSettlesNearItWithFew503s() throws Exception {
    FetchConfig auto = config().setAdaptiveInFlight(true).build();

    Run run = drive(auto);

    System.out.printf("auto: %d 503s for %d entries, final limit %d%n", origin.overloads(), ENTRIES, run.finalLimit);
    assertEquals(ENTRIES, run.ok, "every entry ends ok");
    assertTrue(origin.overloads() < ENTRIES / 10, "503s: " + origin.overloads());
    assertTrue(run.finalLimit >= 6 && run.finalLimit <= 2 * CAPACITY, "final limit " + run.finalLimit);
  }

  @Test
  void givenServerWithCapacity16_whenFixed256_thenMost503s() throws Exception {
    Run run = drive(config().build());
    System.out.printf("fixed 256: %d 503s for %d entries%n", origin.overloads(), ENTRIES);

    assertTrue(origin.overloads() > ENTRIES / 2, "a fixed high limit drowns: 503s " + origin.overloads());
    assertEquals(256, run.finalLimit);
  }

  private static FetchConfig.Builder config() {
    return FetchConfig.builder().setAllowPrivateAddresses(true).setMaxInFlight(256).setMaxAttempts(10).setInitialBackoffMs(5).setMaxBackoffMs(200);
  }

  private Run drive(FetchConfig config) throws Exception {
    List<CompletableFuture<FetchResult>> results = new ArrayList<>();
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.toString()).build())) {
      for (int i = 0; i < ENTRIES; i++) {
        while (!worker.limiter.tryAcquire(20)) {
          // waiting for a permit, as the DoFn does
        }
        FetchRequest r = FetchRequest.builder()
            .setUrl(origin.baseUrl() + "/capacity/a.png").setKey("k/" + i + ".png").setSource("t").setLine(i + 1).build();
        results.add(worker.fetcher.fetch(r).whenComplete((x, e) -> worker.limiter.release()));
      }
      CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
      int ok = 0;
      for (CompletableFuture<FetchResult> f : results) {
        ok += f.get().getStatus() == Status.OK ? 1 : 0;
      }
      return new Run(ok, worker.limiter.limit());
    }
  }

  private static final class Run {
    final int ok;
    final int finalLimit;

    Run(int ok, int finalLimit) {
      this.ok = ok;
      this.finalLimit = finalLimit;
    }
  }
}
