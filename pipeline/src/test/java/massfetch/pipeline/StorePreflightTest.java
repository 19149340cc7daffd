package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pre-flight of gs:// and s3:// locations through {@link MassfetchMain}: a store the job cannot
 * use ends the run before any work with ONE line naming the fix and exit code 2, in well under 30
 * s. Runs against every S3 and GCS server that {@code scripts/storage-emulators.sh env} lists
 * (skipped when none is set); the unreachable store is a closed port on 127.0.0.1. Missing
 * credentials and region and refused credentials depend on the process environment (and the SDK's
 * cached credentials) and are checked by the storage suite, which runs the command line.
 */
class StorePreflightTest {
  private static final long LIMIT_MS = 30_000;

  @TempDir Path dir;

  /**
   * Loads Beam's and both storage SDKs' classes once, so the 30 s bound measures the check rather
   * than a cold JVM on a busy machine (the command line pays that once too, before its own work).
   */
  @BeforeAll
  static void warmUp(@TempDir Path warm) throws Exception {
    Path manifest = Files.write(warm.resolve("m.txt"), List.of("img/1.png"));
    for (String scheme : List.of("s3", "gs")) {
      List<String> args = new ArrayList<>(List.of("--manifest=" + manifest, "--output=" + scheme + "://b/o",
          "--results=" + warm.resolve("r")));
      args.addAll(endpointArgs(scheme, "http://127.0.0.1:" + closedPort()));
      MainRun.run(args.toArray(new String[0]));
    }
  }

  static Stream<Arguments> servers() {
    List<Arguments> out = new ArrayList<>();
    addServers(out, "s3", System.getenv("MASSFETCH_TEST_S3_SERVERS"));
    addServers(out, "gs", System.getenv("MASSFETCH_TEST_GCS_SERVERS"));
    if (out.isEmpty()) {
      out.add(Arguments.of("none", "none", null));
    }
    return out.stream();
  }

  private static void addServers(List<Arguments> out, String scheme, String list) {
    if (list == null || list.isBlank()) {
      return;
    }
    for (String item : list.split(",")) {
      int eq = item.indexOf('=');
      out.add(Arguments.of(scheme, item.substring(0, eq), item.substring(eq + 1)));
    }
  }

  private static String bucket() {
    String b = System.getenv("MASSFETCH_TEST_BUCKET");
    return b != null ? b : "massfetch-test";
  }

  private static List<String> endpointArgs(String scheme, String endpoint) {
    return scheme.equals("s3")
        ? List.of("--s3Endpoint=" + endpoint, "--s3PathStyle=true")
        : List.of("--gcsEndpoint=" + endpoint);
  }

  private MainRun run(String scheme, String endpoint, String output, String... more) throws Exception {
    Path manifest = Files.write(dir.resolve("m.txt"), List.of("img/1.png"));
    List<String> args = new ArrayList<>(List.of(
        "--manifest=" + manifest, "--baseUrl=http://127.0.0.1:9", "--output=" + output,
        "--results=" + dir.resolve("results")));
    args.addAll(endpointArgs(scheme, endpoint));
    args.addAll(List.of(more));
    long started = System.nanoTime();
    MainRun r = MainRun.run(args.toArray(new String[0]));
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertTrue(ms < LIMIT_MS, "took " + ms + " ms: " + r.err());
    return r;
  }

  private static void assertOneLine(MainRun r, String... mustContain) {
    assertEquals(2, r.exitCode(), r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertTrue(err.startsWith("massfetch: error: "), err);
    assertFalse(err.contains("Exception"), "no exception name: " + err);
    assertTrue(err.length() < 400, "short: " + err);
    for (String s : mustContain) {
      assertTrue(err.contains(s), "names '" + s + "': " + err);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("servers")
  void givenNoSuchBucket_whenRun_thenOneLineNamingTheBucketAndExit2(
      String scheme, String server, String endpoint) throws Exception {
    assumeTrue(endpoint != null, "no store servers set: scripts/suites/30-storage.sh runs this");
    String missing = "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8);
    MainRun r = run(scheme, endpoint, scheme + "://" + missing + "/out");
    assertOneLine(r, "--output", "bucket " + missing + " does not exist", "create it");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("servers")
  void givenWritableBucket_whenPreflightRuns_thenNoProbeObjectIsLeft(
      String scheme, String server, String endpoint) throws Exception {
    assumeTrue(endpoint != null, "no store servers set: scripts/suites/30-storage.sh runs this");
    String prefix = "preflight-" + UUID.randomUUID();
    // The run is stopped right after the pre-flight by a mistake checked later (--groupSize=0), so
    // nothing but the probes touched the store.
    MainRun r = run(scheme, endpoint, scheme + "://" + bucket() + "/" + prefix, "--groupSize=0");
    assertOneLine(r, "--groupSize");
    assertEquals(List.of(), StoreListing.names(scheme, endpoint, bucket(), prefix),
        "the probe objects were deleted");
  }

  @Test
  void givenClosedS3Port_whenRun_thenOneLineNamingTheEndpointAndExit2() throws Exception {
    String endpoint = "http://127.0.0.1:" + closedPort();
    MainRun r = withAwsCredentials(() -> run("s3", endpoint, "s3://" + bucket() + "/out"));
    assertOneLine(r, "--output", "no answer from " + endpoint, "--s3Endpoint");
  }

  /**
   * Runs {@code body} with the AWS SDK's system-property credentials and region set where the
   * environment has none (the Java phase of scripts/test.sh runs without the emulators' exports),
   * so the pre-flight gets as far as the endpoint.
   */
  private static MainRun withAwsCredentials(java.util.concurrent.Callable<MainRun> body) throws Exception {
    java.util.Map<String, String> set = new java.util.LinkedHashMap<>();
    if (System.getenv("AWS_ACCESS_KEY_ID") == null && System.getProperty("aws.accessKeyId") == null) {
      set.put("aws.accessKeyId", "massfetch-test");
      set.put("aws.secretAccessKey", "massfetch-test-secret");
    }
    if (System.getenv("AWS_REGION") == null && System.getProperty("aws.region") == null) {
      set.put("aws.region", "us-east-1");
    }
    set.forEach(System::setProperty);
    try {
      return body.call();
    } finally {
      set.keySet().forEach(System::clearProperty);
    }
  }

  @Test
  void givenClosedGcsPort_whenRun_thenOneLineNamingTheEndpointAndExit2() throws Exception {
    String endpoint = "http://127.0.0.1:" + closedPort();
    MainRun r = run("gs", endpoint, "gs://" + bucket() + "/out");
    assertOneLine(r, "--output", "no answer from " + endpoint, "--gcsEndpoint");
  }

  @Test
  void givenPreflightOff_whenClosedPort_thenNoProbe() throws Exception {
    // With the pre-flight off the mistake is only met by the job itself: proven by the absence of
    // the pre-flight's line (the run then fails or records store errors on its own).
    String endpoint = "http://127.0.0.1:" + closedPort();
    MainRun r = run("s3", endpoint, "s3://" + bucket() + "/out", "--preflight=false", "--groupSize=0");
    assertOneLine(r, "--groupSize");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
