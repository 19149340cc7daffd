package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
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
 * --skipExisting on local disk against a real server: what a power loss can leave under a final
 * name (an empty file, or one that is not what the manifest's size and MD5 say) is fetched again and
 * replaced; a file that passes is skipped without a request.
 */
class SkipExistingCheckTest {
  @TempDir Path dir;
  private FaultOrigin origin;
  private final byte[] png = TestImages.png(21, 20);

  @BeforeEach
  void start() throws Exception {
    origin = new FaultOrigin();
    origin.addImage("a.png", png);
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
  }

  @Test
  void givenEmptyFileUnderTheKey_whenFetchedWithSkipExisting_thenFetchedAndReplaced() throws Exception {
    Files.write(dir.resolve("a.png"), new byte[0]);

    FetchResult r = fetch(null, null);

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertEquals(1, origin.hits("/img/a.png"));
    assertArrayEquals(png, Files.readAllBytes(dir.resolve("a.png")));
  }

  @Test
  void givenFileOtherThanTheManifestSays_whenFetchedWithSkipExisting_thenFetchedAndReplaced() throws Exception {
    byte[] zeros = new byte[png.length];
    Files.write(dir.resolve("a.png"), zeros);

    FetchResult r = fetch((long) png.length, md5(png));

    assertEquals(Status.OK, r.getStatus(), r.toString());
    assertArrayEquals(png, Files.readAllBytes(dir.resolve("a.png")));
  }

  @Test
  void givenTheRightFile_whenFetchedWithSkipExisting_thenSkippedWithoutARequest() throws Exception {
    Files.write(dir.resolve("a.png"), png);

    FetchResult r = fetch((long) png.length, md5(png));

    assertEquals(Status.SKIPPED, r.getStatus(), r.toString());
    assertEquals(0, origin.hits("/img/a.png"));
  }

  private FetchResult fetch(Long size, String md5) throws Exception {
    FetchConfig config = FetchConfig.builder().setAllowedHosts(List.of("127.0.0.1")).setSkipExisting(true).build();
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.toString()).build())) {
      FetchRequest request = FetchRequest.builder().setUrl(origin.baseUrl() + "/img/a.png").setKey("a.png")
          .setSource("t").setLine(1).setExpectedSize(size).setExpectedMd5(md5).build();
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }

  private static String md5(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }
}
