package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import massfetch.sink.ObjectSink.PutOutcome;

/**
 * Shared pieces of the object-store tests: the emulator endpoints from the environment (set by
 * {@code scripts/storage-emulators.sh env}), image-like test objects, the fetch loop's retry rule,
 * and stopping/starting a store through the emulator script.
 */
final class StoreTestSupport {
  static final String GCS_SERVERS_VAR = "MASSFETCH_TEST_GCS_SERVERS";
  static final String S3_SERVERS_VAR = "MASSFETCH_TEST_S3_SERVERS";
  static final String GCS_ENDPOINT_VAR = "MASSFETCH_TEST_GCS_ENDPOINT";
  static final String S3_ENDPOINT_VAR = "MASSFETCH_TEST_S3_ENDPOINT";
  static final String BUCKET_VAR = "MASSFETCH_TEST_BUCKET";
  static final String CTL_VAR = "MASSFETCH_TEST_STORAGE_CTL";
  static final String HOW_TO_RUN =
      " is not set, so this test needs no server and is skipped; scripts/suites/30-storage.sh"
          + " starts the emulators and runs it (or: eval \"$(scripts/storage-emulators.sh env)\")";

  private StoreTestSupport() {}

  static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * The servers of one API to run each store test against, as (name, endpoint) pairs: {@code
   * MASSFETCH_TEST_S3_SERVERS} or {@code MASSFETCH_TEST_GCS_SERVERS} ({@code name=url,...}, set by
   * {@code scripts/storage-emulators.sh env}), else the single endpoint variable; one (none, null)
   * pair when nothing is set, so each test reports itself skipped with the reason.
   */
  static Stream<Arguments> servers(String listVar, String endpointVar) {
    List<Arguments> out = new ArrayList<>();
    String list = env(listVar);
    if (list != null) {
      for (String item : list.split(",")) {
        int eq = item.indexOf('=');
        if (eq > 0) {
          out.add(Arguments.of(item.substring(0, eq).strip(), item.substring(eq + 1).strip()));
        }
      }
    } else if (env(endpointVar) != null) {
      out.add(Arguments.of("default", env(endpointVar)));
    }
    if (out.isEmpty()) {
      out.add(Arguments.of("none", null));
    }
    return out.stream();
  }

  /**
   * The {@code storage-emulators.sh} name of a server that keeps its objects across a restart, for
   * the outage tests; null for one that does not (moto keeps everything in memory).
   */
  static String persistentCtlName(String server) {
    switch (server) {
      case "s3proxy":
        return "s3";
      case "fake-gcs-server":
        return "gcs";
      case "gcp-storage-emulator":
        return "gcsemu";
      default:
        return null;
    }
  }

  /**
   * Whether the server refuses an upload with {@code ifGenerationMatch=0} onto an existing object.
   * gcp-storage-emulator ignores the precondition and overwrites: a re-run against it without
   * {@code --skipExisting} rewrites every object.
   */
  static boolean honoursNoOverwritePrecondition(String server) {
    return !"gcp-storage-emulator".equals(server);
  }

  static String bucket() {
    String b = env(BUCKET_VAR);
    return b != null ? b : "massfetch-test";
  }

  /** One test object: key, bytes, MD5 and content type. */
  static final class TestObject {
    final String key;
    final byte[] bytes;
    final byte[] md5;
    final String contentType;

    TestObject(String key, byte[] bytes, String contentType) {
      this.key = key;
      this.bytes = bytes;
      this.md5 = md5(bytes);
      this.contentType = contentType;
    }
  }

  /** {@code count} objects of 2-60 KB that start like PNG (or JPEG) files, from {@code seed}. */
  static List<TestObject> objects(String prefix, int count, long seed) {
    Random random = new Random(seed);
    List<TestObject> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean jpeg = i % 7 == 3;
      byte[] bytes = new byte[2048 + random.nextInt(58 * 1024)];
      random.nextBytes(bytes);
      byte[] magic =
          jpeg
              ? new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}
              : new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
      System.arraycopy(magic, 0, bytes, 0, magic.length);
      String key =
          String.format("%s/%02d/img-%05d.%s", prefix, i % 17, i, jpeg ? "jpg" : "png");
      out.add(new TestObject(key, bytes, jpeg ? "image/jpeg" : "image/png"));
    }
    return out;
  }

  static byte[] md5(byte[] bytes) {
    try {
      return MessageDigest.getInstance("MD5").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("store call did not finish in 120 s", e);
    }
  }

  /** Puts every object at once (the sink bounds concurrency) and returns the outcomes by key. */
  static Map<String, PutOutcome> putAll(ObjectSink sink, List<TestObject> objects)
      throws Exception {
    Map<String, CompletableFuture<PutOutcome>> futures = new LinkedHashMap<>();
    for (TestObject o : objects) {
      futures.put(o.key, sink.put(o.key, o.bytes, o.contentType, o.md5));
    }
    Map<String, PutOutcome> outcomes = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<PutOutcome>> e : futures.entrySet()) {
      outcomes.put(e.getKey(), await(e.getValue()));
    }
    return outcomes;
  }

  /** What the fetch loop ends with for one entry: an outcome, or the last store error. */
  static final class Attempted {
    final PutOutcome outcome;
    final RuntimeException error;
    final int attempts;

    Attempted(PutOutcome outcome, RuntimeException error, int attempts) {
      this.outcome = outcome;
      this.error = error;
      this.attempts = attempts;
    }
  }

  /**
   * The fetch loop's rule: retry a retryable {@link StoreException} with exponential backoff up to
   * {@code maxAttempts}; a non-retryable one or {@link StoreUnavailableException} ends at once.
   */
  static Attempted putWithRetries(
      ObjectSink sink, TestObject o, int maxAttempts, Duration firstBackoff) throws Exception {
    long backoff = firstBackoff.toMillis();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return new Attempted(await(sink.put(o.key, o.bytes, o.contentType, o.md5)), null, attempt);
      } catch (StoreUnavailableException e) {
        return new Attempted(null, e, attempt);
      } catch (StoreException e) {
        last = e;
        if (!e.retryable()) {
          return new Attempted(null, e, attempt);
        }
      } catch (CompletionException e) {
        fail("sink failed a put with something other than a store exception", e);
      }
      if (attempt < maxAttempts) {
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
    return new Attempted(null, last, maxAttempts);
  }

  /** Runs {@code $MASSFETCH_TEST_STORAGE_CTL command store}: stops or starts an emulator. */
  static void storeCtl(String ctl, String command, String store)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(ctl, command, store)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(ctl + " " + command + " " + store + " did not finish in 120 s");
    }
    assertEquals(0, p.exitValue(), ctl + " " + command + " " + store + " failed");
  }
}
