package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.TestImages;
import massfetch.testing.UnframedOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body that ends at connection close (no Content-Length, no chunking) is judged by the image's
 * own end: half a PNG is retried and then fails as {@code truncated}, with nothing stored; a whole
 * one is stored.
 */
class UnframedBodyTest {
  @TempDir Path dir;
  private UnframedOrigin origin;
  private final byte[] png = TestImages.png(11, 32);

  @BeforeEach
  void start() throws Exception {
    origin = new UnframedOrigin();
    origin.addImage("a.png", png);
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
  }

  @Test
  void givenPngCutHalfWayWithoutLengthFraming_whenFetched_thenRetriedThenTruncatedAndNothingStored() throws Exception {
    FetchResult r = fetch("/cut/a.png", "a.png");

    assertEquals(Status.FAILED, r.getStatus(), r.toString());
    assertEquals(ErrorClass.TRUNCATED, r.getError());
    assertEquals(3, origin.hits("/cut/a.png"), "retried up to --maxAttempts");
    assertFalse(Files.exists(dir.resolve("a.png")));
  }

  @Test
  void givenWholePngWithoutLengthFraming_whenFetched_thenStored() throws Exception {
    FetchResult r = fetch("/whole/a.png", "a.png");

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertArrayEquals(png, Files.readAllBytes(dir.resolve("a.png")));
  }

  private FetchResult fetch(String path, String key) throws Exception {
    FetchConfig config = FetchConfig.builder()
        .setAllowedHosts(List.of("127.0.0.1")).setMaxAttempts(3).setInitialBackoffMs(5).build();
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.toString()).build())) {
      FetchRequest request = FetchRequest.builder()
          .setUrl(origin.baseUrl() + path).setKey(key).setSource("t").setLine(1).build();
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }
}
