package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import massfetch.sink.ObjectSink.PutOutcome;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalFileSink}: atomic, byte-exact, never overwrites unless asked, never escapes its root. */
class LocalFileSinkTest {
  private static final byte[] NO_MD5 = new byte[16];

  @TempDir Path dir;

  private LocalFileSink sink(Path root, boolean overwrite) {
    return new LocalFileSink(root, SinkConfig.builder().setOutput(root.toString()).setOverwrite(overwrite).build());
  }

  private static byte[] randomBytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static PutOutcome put(ObjectSink sink, String key, byte[] bytes) throws Exception {
    return sink.put(key, bytes, "image/png", NO_MD5).get(30, TimeUnit.SECONDS);
  }

  /** The exception a put ended with, whether thrown at once or through its future. */
  private static Throwable putFailure(ObjectSink sink, String key, byte[] bytes) {
    try {
      sink.put(key, bytes, "image/png", NO_MD5).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      return e.getCause();
    } catch (Exception e) {
      return e;
    }
    return null;
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void givenEmptyRoot_whenPut_thenExistsAndStored() throws Exception {
    try (LocalFileSink sink = sink(dir, false)) {
      assertFalse(sink.exists("a/b/c.png").get());

      assertEquals(PutOutcome.STORED, put(sink, "a/b/c.png", new byte[] {1, 2, 3}));

      assertTrue(sink.exists("a/b/c.png").get());
      assertTrue(Files.isRegularFile(dir.resolve("a/b/c.png")));
      assertEquals(dir.resolve("a/b/c.png").toAbsolutePath().toString(), sink.locationOf("a/b/c.png"));
    }
  }

  @Test
  void givenBinaryBody_whenPut_thenFileIsByteExact() throws Exception {
    byte[] body = randomBytes(42, 300_000);
    byte[] empty = new byte[0];
    try (LocalFileSink sink = sink(dir, false)) {
      put(sink, "img/7f9695b3-6eaf-4d68-b2e3-8e00aafb7d73.png", body);
      put(sink, "img/empty.png", empty);
      put(sink, "img/café 图.png", body);
    }

    assertArrayEquals(body, Files.readAllBytes(dir.resolve("img/7f9695b3-6eaf-4d68-b2e3-8e00aafb7d73.png")));
    assertArrayEquals(empty, Files.readAllBytes(dir.resolve("img/empty.png")));
    assertArrayEquals(body, Files.readAllBytes(dir.resolve("img/café 图.png")));
  }

  @Test
  void givenExistingObjectAndNoOverwrite_whenPutAgain_thenAlreadyExistsOrKeyConflictAndContentUnchanged()
      throws Exception {
    byte[] first = "first".getBytes(StandardCharsets.UTF_8);
    try (LocalFileSink sink = sink(dir, false)) {
      assertEquals(PutOutcome.STORED, put(sink, "k.png", first));

      assertEquals(PutOutcome.ALREADY_EXISTS, put(sink, "k.png", first.clone()), "same bytes");
      assertEquals(PutOutcome.KEY_CONFLICT, put(sink, "k.png", "second, longer".getBytes(StandardCharsets.UTF_8)),
          "other size");
      assertEquals(PutOutcome.KEY_CONFLICT, put(sink, "k.png", "FIRST".getBytes(StandardCharsets.UTF_8)),
          "same size, other bytes (A.png meeting a.png on a case-insensitive file system)");
    }

    assertArrayEquals(first, Files.readAllBytes(dir.resolve("k.png")));
  }

  @Test
  void givenOverwrite_whenPutAgain_thenStoredAndReplaced() throws Exception {
    byte[] second = "second".getBytes(StandardCharsets.UTF_8);
    try (LocalFileSink sink = sink(dir, true)) {
      assertEquals(PutOutcome.STORED, put(sink, "k.png", "first, and longer".getBytes(StandardCharsets.UTF_8)));

      assertEquals(PutOutcome.STORED, put(sink, "k.png", second));
    }

    assertArrayEquals(second, Files.readAllBytes(dir.resolve("k.png")));
  }

  @Test
  void givenManyConcurrentWritersOfOneKey_whenNoOverwrite_thenExactlyOneStoresAndFileIsOneOfThemWhole()
      throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    List<CompletableFuture<PutOutcome>> puts = new ArrayList<>();
    try (LocalFileSink sink = sink(dir, false)) {
      for (int i = 0; i < 16; i++) {
        bodies.add(randomBytes(i, 50_000 + i));
        puts.add(sink.put("race.png", bodies.get(i), "image/png", NO_MD5));
      }
      long stored = 0;
      for (CompletableFuture<PutOutcome> f : puts) {
        if (f.get(30, TimeUnit.SECONDS) == PutOutcome.STORED) {
          stored++;
        }
      }
      assertEquals(1, stored, "writers that each believe they stored the object");
    }
    byte[] onDisk = Files.readAllBytes(dir.resolve("race.png"));
    assertTrue(bodies.stream().anyMatch(b -> java.util.Arrays.equals(b, onDisk)), "file is one whole body");
  }

  @Test
  void givenPutsOfEveryKind_whenDone_thenNoTempFileLeft() throws Exception {
    try (LocalFileSink sink = sink(dir, false)) {
      put(sink, "a/1.png", new byte[] {1});
      put(sink, "a/1.png", new byte[] {2}); // already exists
      put(sink, "a/2.png", new byte[] {3});
    }
    try (LocalFileSink sink = sink(dir, true)) {
      put(sink, "a/2.png", new byte[] {4}); // replaced
      put(sink, "b/3.png", new byte[] {5});
    }

    List<Path> files = files(dir);
    assertEquals(List.of(dir.resolve("a/1.png"), dir.resolve("a/2.png"), dir.resolve("b/3.png")), files);
    for (Path f : files) {
      assertFalse(f.getFileName().toString().startsWith(LocalFileSink.TEMP_PREFIX), f.toString());
    }
  }

  @Test
  void givenFileNameNearTheFileSystemLimit_whenPut_thenStored() throws Exception {
    // 240 bytes is a legal file name (Linux allows 255), so the object must be storable; the temp
    // name the sink picks for it must not be longer than the limit either.
    String name = "x".repeat(236) + ".png";
    Path probe = dir.resolve("probe-" + name.substring(6));
    Files.write(probe, new byte[] {0});
    Files.delete(probe);
    byte[] body = randomBytes(7, 1_000);
    try (LocalFileSink sink = sink(dir, false)) {

      Throwable failure = putFailure(sink, "long/" + name, body);

      assertEquals(null, failure, "put of a " + name.length() + "-byte file name failed: " + failure);
    }
    assertArrayEquals(body, Files.readAllBytes(dir.resolve("long/" + name)));
  }

  @Test
  void givenFolderWhereTheKeyPoints_whenAsked_thenNotAnExistingObject() throws Exception {
    try (LocalFileSink sink = sink(dir, false)) {
      put(sink, "a/b.png", new byte[] {1});

      // "a" is a folder, not a stored object: skipping it as "exists" would account for an
      // entry that was never stored.
      assertFalse(sink.exists("a").get(), "a folder reported as a stored object");
      assertInstanceOf(StoreException.class, putFailure(sink, "a", new byte[] {2}),
          "a put onto a folder must fail, not report ALREADY_EXISTS");
    }
  }

  @Test
  void givenKeyEscapingTheRoot_whenUsed_thenRejectedAndNothingWrittenOutside() throws Exception {
    Path root = Files.createDirectories(dir.resolve("out"));
    try (LocalFileSink sink = sink(root, false)) {
      for (String key : List.of("../escaped.png", "a/../../escaped.png", "/tmp/../" + dir.resolve("escaped.png"))) {
        Throwable failure = putFailure(sink, key, new byte[] {1});
        assertInstanceOf(IllegalArgumentException.class, failure, "put " + key);
        assertThrows(IllegalArgumentException.class, () -> sink.exists(key), "exists " + key);
      }
      assertInstanceOf(IllegalArgumentException.class, putFailure(sink, ".", new byte[] {1}), "the root itself");
    }

    assertFalse(Files.exists(dir.resolve("escaped.png")));
    assertEquals(List.of(), files(dir));
  }

  @Test
  void givenReadOnlyFolder_whenPut_thenStoreUnavailable() throws Exception {
    Path readOnly = Files.createDirectories(dir.resolve("ro"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    Path root;
    if (permissionsEnforced(readOnly)) {
      root = readOnly;
    } else {
      // Running as root, which ignores permission bits. sysfs refuses new files even to root with
      // EACCES, which is what a read-only folder gives an ordinary user.
      root = Path.of("/sys");
      Assumptions.assumeTrue(deniesNewFiles(root),
          "running as root (permission bits ignored) and /sys does not deny new files with EACCES here");
    }
    try (LocalFileSink sink = sink(root, false)) {
      Throwable failure = putFailure(sink, "massfetch-test-object.png", new byte[] {1, 2, 3});

      assertNotNull(failure, "a put into a read-only folder succeeded");
      assertInstanceOf(StoreUnavailableException.class, failure, String.valueOf(failure));
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertFalse(Files.exists(root.resolve("massfetch-test-object.png")));
  }

  @Test
  void givenReadOnlySubfolderToCreate_whenPut_thenStoreUnavailable() throws Exception {
    Path readOnly = Files.createDirectories(dir.resolve("ro2"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Assumptions.assumeTrue(permissionsEnforced(readOnly),
          "running as root: permission bits are ignored, so no folder is read-only to this test");
      try (LocalFileSink sink = sink(readOnly, false)) {
        // The sink must create "new/" first, which the folder's permissions refuse.
        assertInstanceOf(StoreUnavailableException.class, putFailure(sink, "new/a.png", new byte[] {1}));
      }
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** Whether creating a file in {@code folder} is refused (false when running as root). */
  private static boolean permissionsEnforced(Path folder) throws IOException {
    Path probe = folder.resolve("probe");
    try {
      Files.createFile(probe);
    } catch (AccessDeniedException e) {
      return true;
    }
    Files.delete(probe);
    return false;
  }

  private static boolean deniesNewFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    Path probe = folder.resolve(".massfetch-probe-" + System.nanoTime());
    try {
      Files.createFile(probe);
      Files.deleteIfExists(probe);
      return false;
    } catch (AccessDeniedException e) {
      return true;
    } catch (FileSystemException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
