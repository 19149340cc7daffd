package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import massfetch.sink.S3Sink;
import massfetch.sink.SinkConfig;
import org.junit.jupiter.api.Test;

/**
 * A worker whose HTTP client cannot start (a --headerFromEnv variable missing on that machine) is
 * started again by the runner on every task restart: each failed start must leave nothing behind,
 * in particular no store client with its threads. Nothing is sent to the store (the endpoint is a
 * closed port): opening its client is enough to start threads.
 */
class WorkerSetupTest {
  private static final String UNSET = "MASSFETCH_TEST_SURELY_UNSET_VARIABLE";

  @Test
  void givenMissingHeaderVariable_whenWorkerStartsRepeatedly_thenItFailsAndLeavesNoThreadOrOpenFile() throws Exception {
    FetchConfig fetch = FetchConfig.builder().setHeadersFromEnv(List.of("Authorization:" + UNSET)).build();
    SinkConfig sink = SinkConfig.builder().setOutput("s3://bucket/prefix").setStore(S3Sink.Settings.builder()
        .setEndpoint("http://127.0.0.1:9").setRegion("us-east-1").setPathStyle(true).build()).build();
    Set<String> before = liveThreads();
    long fdsBefore = openFiles();

    for (int restart = 0; restart < 3; restart++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Worker(fetch, sink).close());
      assertTrue(e.getMessage().contains(UNSET), e.getMessage());
    }
    Thread.sleep(200);

    Set<String> after = liveThreads();
    after.removeAll(before);
    assertEquals(Set.of(), after, "threads a failed start left running");
    assertTrue(openFiles() <= fdsBefore + 2, "open files: " + fdsBefore + " before, " + openFiles() + " after");
  }

  /** This JVM's open file descriptors (the store client's selectors hold some from the start). */
  private static long openFiles() throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static Set<String> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(t -> t.getName() + "#" + t.getId())
        .collect(Collectors.toSet());
  }
}
