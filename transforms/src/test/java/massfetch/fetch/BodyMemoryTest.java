package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.sink.SinkConfig;
import massfetch.testing.FaultOrigin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is spent on bytes that arrive, not on bytes announced: in a JVM with a 256 MiB heap, 256
 * requests whose answers each announce 50 MB and send nothing end as {@code timeout}, without an
 * {@link OutOfMemoryError} (sized from the header, their buffers would claim 12.8 GB).
 */
class BodyMemoryTest {
  static final int REQUESTS = 256;

  @TempDir Path dir;

  @Test
  void givenSmallHeap_whenManyAnswersAnnounceHugeBodiesAndSendNothing_thenAllTimeOutWithoutOutOfMemory() throws Exception {
    try (FaultOrigin origin = new FaultOrigin()) {
      Path log = dir.resolve("child.log");
      Process child = new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
              "-cp", System.getProperty("java.class.path"),
              Child.class.getName(), origin.baseUrl(), dir.resolve("out").toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM ends");
      String out = Files.readString(log, StandardCharsets.UTF_8);

      assertFalse(out.contains("OutOfMemoryError"), out);
      assertEquals(0, child.exitValue(), out);
      assertTrue(out.contains("results {timeout=" + REQUESTS + "}"), out);
      assertEquals(REQUESTS, origin.hits("/announce/x.png"), "every request was sent");
    }
  }

  /** Runs in the small-heap JVM: fetches {@code /announce/} 256 times at once and prints the error counts. */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      FetchConfig config = FetchConfig.builder()
          .setAllowPrivateAddresses(true) // the test server is on 127.0.0.1
          .setMaxInFlight(REQUESTS)
          .setMaxAttempts(1)
          .setRequestTimeoutMs(5_000)
          .setSkipExisting(false)
          .build();
      Map<String, Integer> errors = new TreeMap<>();
      try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(args[1]).build())) {
        List<CompletableFuture<FetchResult>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          all.add(worker.fetcher.fetch(FetchRequest.builder()
              .setUrl(args[0] + "/announce/x.png").setKey("k" + i + ".png").setSource("t").setLine(i + 1).build()));
        }
        for (CompletableFuture<FetchResult> f : all) {
          FetchResult r = f.get(60, TimeUnit.SECONDS);
          errors.merge(String.valueOf(r.getError()), 1, Integer::sum);
        }
      }
      System.out.println("results " + errors);
    }
  }
}
