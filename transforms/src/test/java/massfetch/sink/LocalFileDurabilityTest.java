package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import massfetch.sink.ObjectSink.PutOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalFileSink}: a file is forced to disk before it gets its name and before it is reported
 * stored (and its folder with {@code full}), by shared file system syncs or, without them, one by
 * one; an empty file, or one that is not what the manifest says, is no stored object and is
 * replaced; temp files a killed worker left are removed, fresh ones kept.
 */
class LocalFileDurabilityTest {
  private static final byte[] BODY = "a whole image".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  private LocalFileSink sink(Durability durability, long staleTempBefore) {
    return sink(durability, staleTempBefore, FileSystemSync.SYNC_FS);
  }

  private LocalFileSink sink(Durability durability, long staleTempBefore, FileSystemSync.Opener syncs) {
    return new LocalFileSink(dir, SinkConfig.builder().setOutput(dir.toString())
        .setDurability(durability).setStaleTempBefore(staleTempBefore).build(), syncs);
  }

  private static PutOutcome put(ObjectSink sink, String key, byte[] bytes) throws Exception {
    return sink.put(key, bytes, "image/png", new byte[16]).get(30, TimeUnit.SECONDS);
  }

  private static boolean exists(ObjectSink sink, String key, Long size, String md5) throws Exception {
    return sink.exists(key, size, md5).get(30, TimeUnit.SECONDS);
  }

  @Test
  void givenNoFileSystemSync_whenPut_thenFileForcedAndFolderTooWhenFull() throws Exception {
    FileSystemSync.Opener unusable = onIt -> {
      throw new IOException("no syncfs here");
    };
    try (LocalFileSink none = sink(Durability.NONE, 0, unusable);
        LocalFileSink contents = sink(Durability.CONTENTS, 0, unusable);
        LocalFileSink full = sink(Durability.FULL, 0, unusable)) {
      put(none, "n/a.png", BODY);
      put(contents, "c/a.png", BODY);
      put(full, "f/a.png", BODY);

      assertEquals(0, none.forces());
      assertEquals(1, contents.forces(), "the file, before it is linked into place");
      assertEquals(2, full.forces(), "the file, then its folder");
      assertEquals(0, full.fileSystemSyncs());
    }
    assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("f/a.png")));
  }

  @Test
  void givenManyPutsAtOnce_whenFull_thenSharedSyncsServeThemAndNoFileIsForcedAlone() throws Exception {
    int images = 200;
    try (LocalFileSink full = sink(Durability.FULL, 0)) {
      List<CompletableFuture<PutOutcome>> puts = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        puts.add(full.put("k" + i + "/a.png", BODY, "image/png", new byte[16]));
      }
      for (CompletableFuture<PutOutcome> p : puts) {
        assertEquals(PutOutcome.STORED, p.get(30, TimeUnit.SECONDS));
      }
      assertEquals(0, full.forces(), "no file or folder forced on its own");
      assertTrue(full.fileSystemSyncs() >= 2, "the contents, then the names: " + full.fileSystemSyncs());
      assertTrue(full.fileSystemSyncs() <= images / 4,
          "each sync serves every write made while the one before it ran: " + full.fileSystemSyncs());
    }
    for (int i = 0; i < images; i++) {
      assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("k" + i + "/a.png")));
    }
  }

  /**
   * Each sync lists, as it starts, the temp files and final names there are: a final name must
   * never be listed before a sync that saw its temp file (its bytes were durable before it got the
   * name), and with {@code full} every final name is listed by a sync before its put completes.
   */
  @Test
  void givenSharedSyncs_whenFull_thenBytesDurableBeforeTheNameAndTheNameBeforeThePutEnds() throws Exception {
    Path root = Files.createDirectories(dir.resolve("out"));
    List<List<String>> listings = new CopyOnWriteArrayList<>();
    FileSystemSync.Opener listThenSync = onIt -> {
      FileSystemSync.Call real = FileSystemSync.SYNC_FS.open(onIt);
      return new FileSystemSync.Call() {
        @Override
        public void sync() throws IOException {
          try (Stream<Path> files = Files.walk(root)) {
            listings.add(files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString()).toList());
          }
          real.sync();
        }

        @Override
        public void close() {
          real.close();
        }
      };
    };
    int images = 60;
    try (LocalFileSink full = new LocalFileSink(root, SinkConfig.builder().setOutput(root.toString())
        .setDurability(Durability.FULL).build(), listThenSync)) {
      List<CompletableFuture<Integer>> listedWhenDone = new ArrayList<>();
      for (int i = 0; i < images; i++) {
        listedWhenDone.add(full.put("k" + i + "/a.png", BODY, "image/png", new byte[16])
            .thenApply(outcome -> outcome == PutOutcome.STORED ? listings.size() : -1));
        if (i % 10 == 0) {
          Thread.sleep(20); // spread the writes over several syncs
        }
      }
      for (int i = 0; i < images; i++) {
        String folder = "k" + i + "/";
        int listed = listedWhenDone.get(i).get(30, TimeUnit.SECONDS);
        assertTrue(listed >= 0, folder + " stored");
        assertTrue(firstListing(List.copyOf(listings).subList(0, listed), name -> name.equals(folder + "a.png")) >= 0,
            folder + " had its name synced before its put completed");
      }
      assertEquals(0, full.forces());
    }
    assertTrue(listings.size() > 2, "several syncs: " + listings.size());
    for (int i = 0; i < images; i++) {
      String folder = "k" + i + "/";
      int firstTemp = firstListing(listings, name -> name.startsWith(folder + LocalFileSink.TEMP_PREFIX));
      int firstName = firstListing(listings, name -> name.equals(folder + "a.png"));
      assertTrue(firstTemp >= 0, folder + " had its temp file synced");
      assertTrue(firstName > firstTemp, folder + " got its name only after its bytes were synced");
    }
  }

  private static int firstListing(List<List<String>> listings, java.util.function.Predicate<String> match) {
    for (int i = 0; i < listings.size(); i++) {
      if (listings.get(i).stream().anyMatch(match)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void givenSharedSyncFailingAfterStart_whenPut_thenEachFileAndFolderIsForcedOnItsOwn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FileSystemSync.Opener failAfterFirst = onIt -> new FileSystemSync.Call() {
      @Override
      public void sync() throws IOException {
        if (calls.incrementAndGet() > 1) {
          throw new IOException("disk gone");
        }
      }

      @Override
      public void close() {}
    };
    Path root = Files.createDirectories(dir.resolve("out"));
    try (LocalFileSink full = new LocalFileSink(root, SinkConfig.builder().setOutput(root.toString())
        .setDurability(Durability.FULL).build(), failAfterFirst)) {
      assertEquals(PutOutcome.STORED, put(full, "x/a.png", BODY));
      assertEquals(2, full.forces(), "the file, then its folder, by their own fsync");
      assertEquals(0, full.fileSystemSyncs());
    }
    assertArrayEquals(BODY, Files.readAllBytes(root.resolve("x/a.png")));
  }

  @Test
  void givenLinux_whenSyncFsOpened_thenItSyncsAndAMissingPathIsOneClearError() throws Exception {
    try (SyncFs sync = SyncFs.open(dir)) {
      sync.sync();
      sync.sync();
    }
    IOException missing = assertThrows(IOException.class, () -> SyncFs.open(dir.resolve("nowhere")));
    assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
  }

  @Test
  void givenDefaults_whenConfigured_thenFull() {
    assertEquals(Durability.FULL, SinkConfig.builder().setOutput("x").build().durability());
  }

  @Test
  void givenDurabilityWords_whenParsed_thenAnyCaseAndBadOnesRefused() {
    assertEquals(Durability.NONE, Durability.parse("none"));
    assertEquals(Durability.CONTENTS, Durability.parse(" Contents "));
    assertThrows(IllegalArgumentException.class, () -> Durability.parse("fsync"));
  }

  @Test
  void givenEmptyFileUnderFinalName_whenCheckedThenPut_thenNotStoredAndReplaced() throws Exception {
    Files.createDirectories(dir.resolve("x"));
    Files.write(dir.resolve("x/a.png"), new byte[0]);
    try (LocalFileSink sink = sink(Durability.FULL, 0)) {
      assertFalse(exists(sink, "x/a.png", null, null), "an empty file is never a stored image");

      assertEquals(PutOutcome.STORED, put(sink, "x/a.png", BODY));
    }
    assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("x/a.png")));
  }

  @Test
  void givenEmptyFileAndNoCheck_whenPut_thenReplacedAnyway() throws Exception {
    Files.write(dir.resolve("a.png"), new byte[0]);
    try (LocalFileSink sink = sink(Durability.NONE, 0)) {
      assertEquals(PutOutcome.STORED, put(sink, "a.png", BODY));
    }
    assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("a.png")));
  }

  @Test
  void givenFileOfOtherSizeOrMd5ThanManifest_whenChecked_thenNotStoredAndThePutReplacesIt() throws Exception {
    byte[] stale = "zero-filled, say".getBytes(StandardCharsets.US_ASCII);
    Files.write(dir.resolve("size.png"), stale);
    Files.write(dir.resolve("md5.png"), BODY);
    Files.write(dir.resolve("good.png"), BODY);
    try (LocalFileSink sink = sink(Durability.NONE, 0)) {
      assertFalse(exists(sink, "size.png", (long) BODY.length, null));
      assertFalse(exists(sink, "md5.png", (long) BODY.length, md5("something else")));
      assertTrue(exists(sink, "good.png", (long) BODY.length, HexFormat.of().formatHex(md5(BODY))));
      assertTrue(exists(sink, "good.png", null, null));

      assertEquals(PutOutcome.STORED, put(sink, "size.png", BODY));
      assertEquals(PutOutcome.KEY_CONFLICT, put(sink, "good.png", "other".getBytes(StandardCharsets.US_ASCII)),
          "a file that passed its check is never rewritten");
    }
    assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("size.png")));
    assertArrayEquals(BODY, Files.readAllBytes(dir.resolve("good.png")));
  }

  @Test
  void givenTempFilesOfAKilledWorkerAndOfThisRun_whenTheFolderIsWritten_thenOnlyTheStaleOnesGo() throws Exception {
    long runStart = System.currentTimeMillis();
    Path folder = Files.createDirectories(dir.resolve("f"));
    Path stale = Files.write(folder.resolve(LocalFileSink.TEMP_PREFIX + "killed"), BODY);
    Files.setLastModifiedTime(stale, FileTime.fromMillis(runStart - TimeUnit.HOURS.toMillis(2)));
    Path fresh = Files.write(folder.resolve(LocalFileSink.TEMP_PREFIX + "live"), BODY);
    Path other = Files.write(folder.resolve(".not-ours"), BODY);
    Files.setLastModifiedTime(other, FileTime.fromMillis(runStart - TimeUnit.HOURS.toMillis(2)));
    Path elsewhere = Files.write(dir.resolve(LocalFileSink.TEMP_PREFIX + "unwritten-folder"), BODY);
    Files.setLastModifiedTime(elsewhere, FileTime.fromMillis(runStart - TimeUnit.HOURS.toMillis(2)));

    try (LocalFileSink sink = sink(Durability.NONE, runStart - TimeUnit.MINUTES.toMillis(10))) {
      put(sink, "f/a.png", BODY);
    }

    assertFalse(Files.exists(stale), "a killed worker's temp file is removed");
    assertTrue(Files.exists(fresh), "a temp file of this run may be another worker's write in progress");
    assertTrue(Files.exists(other), "only massfetch's temp files");
    assertTrue(Files.exists(elsewhere), "only in folders this run writes");
  }

  private static byte[] md5(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("MD5").digest(bytes);
  }

  private static String md5(String text) throws Exception {
    return HexFormat.of().formatHex(md5(text.getBytes(StandardCharsets.UTF_8)));
  }
}
