package massfetch.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ObjectSink} on a local (or mounted) file system. Each object is written to a hidden temp
 * file in its target folder and then published under its final name in one step: a hard link when
 * overwriting is off (fails if the name exists, so two writers never clobber each other), an atomic
 * rename otherwise. A crash leaves at most a hidden temp file, never a partial file under a final
 * name: with {@link Durability#CONTENTS} or {@link Durability#FULL} the file's bytes are forced to
 * disk before it gets its name (and with {@code FULL} the folder after it), so a power loss cannot
 * leave an empty or zero-filled file there either. Temp files a killed worker left behind, older
 * than the run ({@link SinkConfig#staleTempBefore()}), are removed from each folder the first time
 * this sink writes to it.
 */
public final class LocalFileSink implements ObjectSink {
  static final String TEMP_PREFIX = ".massfetch-tmp-";
  /** Folders remembered as existing; past this the set starts again (a path is ~100 bytes). */
  private static final int MAX_KNOWN_FOLDERS = 100_000;

  private final Path root;
  private final boolean overwrite;
  private final ExecutorService writers;
  /** Folders known to exist, each with whether it is on {@link #sync}'s file system. */
  private final Map<Path, Boolean> knownFolders = new ConcurrentHashMap<>();
  private final Durability durability;
  private final long staleTempBefore;
  /**
   * Files {@link #exists(String, Long, String)} judged damaged (empty, or not what the manifest
   * says): the put that follows replaces them even when overwriting is off. Bounded like {@link
   * #knownFolders}; an entry lost to the bound only means the damaged file is reported as found.
   */
  private final Set<Path> damaged = ConcurrentHashMap.newKeySet();
  /** Files and folders forced to disk so far, for tests: a forced write looks like any other. */
  private final AtomicLong forces = new AtomicLong();
  /** Shared forcing for the root's file system; null when nothing is forced or it cannot be had. */
  private final FileSystemSync sync;
  /** The root's device, to tell folders mounted under it; null when unknown. */
  private final Object rootDevice;

  public LocalFileSink(Path root, SinkConfig config) {
    this(root, config, FileSystemSync.SYNC_FS);
  }

  /**
   * {@code syncs}: opens the sync of a file system; one that cannot be opened or fails at once
   * leaves each file and folder to be forced on its own.
   */
  LocalFileSink(Path root, SinkConfig config, FileSystemSync.Opener syncs) {
    this.root = root.toAbsolutePath().normalize();
    this.overwrite = config.overwrite();
    this.writers = Executors.newFixedThreadPool(config.localWriteThreads(), daemonThreads());
    this.durability = config.durability();
    this.staleTempBefore = config.staleTempBefore();
    Path made = nearestExisting(this.root);
    this.rootDevice = durability == Durability.NONE || made == null ? null : deviceOf(made);
    this.sync = rootDevice == null ? null : FileSystemSync.start(syncs, made);
  }

  /** {@code path} or its nearest existing parent: the folder it will be made in, on that device. */
  private static Path nearestExisting(Path path) {
    for (Path p = path; p != null; p = p.getParent()) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return null;
  }

  private static Object deviceOf(Path folder) {
    try {
      return Files.getAttribute(folder, "unix:dev");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public CompletableFuture<Boolean> exists(String key) {
    // A stat is cheap and never blocks for long on a local disk: answer on the caller's thread.
    // Only a file is a stored object: a folder that happens to have the key's name is not.
    return CompletableFuture.completedFuture(Files.isRegularFile(pathOf(key)));
  }

  /**
   * A stored object is a non-empty file of the manifest's size and MD5 when it gives them; an
   * empty file (what a power loss can leave) or a different one is not, and is replaced by the put
   * that follows. Only a file with an expected MD5 is read, on a writer thread.
   */
  @Override
  public CompletableFuture<Boolean> exists(String key, Long expectedSize, String expectedMd5) {
    Path path = pathOf(key);
    long size;
    try {
      size = Files.size(path);
    } catch (IOException e) {
      return CompletableFuture.completedFuture(false); // absent (or unreadable: the put will tell)
    }
    if (!Files.isRegularFile(path)) {
      return CompletableFuture.completedFuture(false);
    }
    if (size == 0 || (expectedSize != null && expectedSize != size)) {
      return CompletableFuture.completedFuture(markDamaged(path));
    }
    if (expectedMd5 == null) {
      return CompletableFuture.completedFuture(true);
    }
    return CompletableFuture.supplyAsync(() -> md5Matches(path, expectedMd5) || markDamaged(path), writers);
  }

  /** Remembers {@code path} as damaged; always false (it is no stored object). */
  private boolean markDamaged(Path path) {
    if (damaged.size() >= MAX_KNOWN_FOLDERS) {
      damaged.clear();
    }
    damaged.add(path);
    return false;
  }

  private static boolean md5Matches(Path path, String expectedHex) {
    try (InputStream in = Files.newInputStream(path)) {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md5.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(md5.digest()).equalsIgnoreCase(expectedHex);
    } catch (IOException e) {
      throw new StoreException("cannot read " + path + " to check its MD5: " + e.getMessage(), true, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }

  @Override
  public CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    return CompletableFuture.supplyAsync(() -> write(pathOf(key), bytes), writers).thenCompose(f -> f);
  }

  @Override
  public String locationOf(String key) {
    return pathOf(key).toString();
  }

  /**
   * Writes the temp file, then publishes it under its final name. With a {@link FileSystemSync} the
   * forcing is shared: the name is added only once a sync that began after the write has returned,
   * and (with {@code FULL}) the put completes only once another has returned after the name was
   * added; without one, the file and its folder are each forced here, on this writer thread.
   */
  private CompletableFuture<PutOutcome> write(Path target, byte[] bytes) {
    Staged staged = onDisk(target, () -> stage(target, bytes));
    Path temp = staged.temp();
    if (!staged.shared()) {
      try {
        PutOutcome outcome = onDisk(target, () -> publish(temp, target, bytes));
        if (outcome == PutOutcome.STORED && durability == Durability.FULL) {
          onDisk(target, () -> force(target.getParent()));
        }
        return CompletableFuture.completedFuture(outcome);
      } finally {
        deleteQuietly(temp);
      }
    }
    CompletableFuture<PutOutcome> published = sync.after()
        .handleAsync((synced, failed) -> {
          try {
            if (failed != null) {
              onDisk(target, () -> force(temp)); // the shared sync failed: this file's own fsync tells
            }
            return onDisk(target, () -> publish(temp, target, bytes));
          } finally {
            deleteQuietly(temp);
          }
        }, writers);
    if (durability != Durability.FULL) {
      return published;
    }
    return published.thenCompose(outcome -> outcome != PutOutcome.STORED
        ? CompletableFuture.completedFuture(outcome)
        : sync.after().handle((synced, failed) -> failed).thenCompose(failed -> failed == null
            ? CompletableFuture.completedFuture(outcome)
            : CompletableFuture.supplyAsync(() -> onDisk(target, () -> force(target.getParent())), writers)
                .thenApply(forced -> outcome)));
  }

  /** A temp file written, and whether forcing it is left to {@link #sync} (else it is forced already). */
  private record Staged(Path temp, boolean shared) {}

  /**
   * Writes {@code bytes} to a new hidden temp file beside {@code target}, forced at once unless
   * {@link #sync} serves its folder.
   */
  private Staged stage(Path target, byte[] bytes) throws IOException {
    if (overwrite && Files.isDirectory(target)) {
      throw folderInTheWay(target);
    }
    // Not derived from the file name, so a name near the file system's limit still fits.
    Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
    try {
      return new Staged(temp, writeNew(temp, bytes));
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
  }

  /**
   * Gives the written {@code temp} the name {@code target}: STORED, or (overwriting off, the name
   * taken) what the comparison with the stored file found. Forcing is the caller's.
   */
  private PutOutcome publish(Path temp, Path target, byte[] bytes) throws IOException {
    if (overwrite) {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return PutOutcome.STORED;
    }
    // The link fails if anything has the name: no check before it, one system call fewer per
    // object, and no window between a check and the write.
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw folderInTheWay(target);
      }
      if (!damaged.remove(target) && !isEmptyFile(target)) {
        return compareStored(target, bytes);
      }
      // An empty file is never an image, and a damaged one was judged so by exists(): replace
      // it in one step, like an overwrite.
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return PutOutcome.STORED;
  }

  /** A step on the disk, its failures as the store exceptions the fetcher acts on. */
  private interface DiskStep<T> {
    T run() throws IOException;
  }

  private static <T> T onDisk(Path target, DiskStep<T> step) {
    try {
      return step.run();
    } catch (AccessDeniedException e) {
      throw new StoreUnavailableException("permission denied writing " + target, e);
    } catch (FileSystemException e) {
      if (isOutOfSpace(e)) {
        throw new StoreUnavailableException("cannot write " + target + ": " + e.getReason(), e);
      }
      throw new StoreException(describe(e), false, e);
    } catch (IOException e) {
      if (isOutOfSpace(e)) {
        throw new StoreUnavailableException("no space left writing " + target, e);
      }
      throw new StoreException(describe(e), true, e);
    }
  }

  /**
   * Writes a new file, creating its folder first if this sink has not seen it yet, and forces it
   * unless {@link #sync} serves the folder (returned: whether it does). Remembering folders saves the
   * two system calls of a {@code createDirectories} per object; a folder removed behind our back is
   * noticed by the write and created again.
   */
  private boolean writeNew(Path file, byte[] bytes) throws IOException {
    Path folder = file.getParent();
    Boolean synced = knownFolders.get(folder);
    if (synced == null) {
      Files.createDirectories(folder);
      removeStaleTemps(folder);
      if (knownFolders.size() >= MAX_KNOWN_FOLDERS) {
        knownFolders.clear();
      }
      synced = sync != null && sameDevice(folder);
      knownFolders.put(folder, synced);
    }
    boolean forceNow = durability != Durability.NONE && !synced;
    try {
      writeFile(file, bytes, forceNow);
    } catch (NoSuchFileException e) {
      knownFolders.remove(folder);
      Files.createDirectories(folder);
      writeFile(file, bytes, forceNow);
    }
    return durability != Durability.NONE && synced;
  }

  private void writeFile(Path file, byte[] bytes, boolean force) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (force) {
        channel.force(true);
        forces.incrementAndGet();
      }
    }
  }

  /** Forces a file, or a folder's list of names, to disk; returns null. */
  private Void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
      forces.incrementAndGet();
    }
    return null;
  }

  /**
   * Whether {@code folder} is on the root's file system, which {@link #sync} covers: a folder under
   * the root can be another file system mounted there, which a sync of the root's would not reach.
   */
  private boolean sameDevice(Path folder) {
    return rootDevice != null && rootDevice.equals(deviceOf(folder));
  }

  /** Shared file system syncs so far (0 without one), for tests. */
  long fileSystemSyncs() {
    return sync == null ? 0 : sync.syncs();
  }

  /** How many times this sink forced a file or folder to disk. */
  long forces() {
    return forces.get();
  }

  private static boolean isEmptyFile(Path path) throws IOException {
    return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Files.size(path) == 0;
  }

  /**
   * Removes hidden temp files older than the run from {@code folder}: what a killed worker left
   * behind (a live worker's temp files are younger than the run it belongs to). A file that cannot
   * be removed stays, harmless; the next run tries again.
   */
  private void removeStaleTemps(Path folder) {
    if (staleTempBefore <= 0) {
      return;
    }
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(folder, TEMP_PREFIX + "*")) {
      for (Path temp : temps) {
        try {
          if (Files.getLastModifiedTime(temp, LinkOption.NOFOLLOW_LINKS).toMillis() < staleTempBefore) {
            Files.deleteIfExists(temp);
          }
        } catch (IOException e) {
          // Gone meanwhile, or not ours to remove: either way nothing to do.
        }
      }
    } catch (IOException e) {
      // An unlistable folder fails the write that follows, which reports it.
    }
  }

  /**
   * The name is taken: the same size and bytes is the same object (stored before, or by an attempt
   * whose answer was lost), anything else a conflict — e.g. {@code A.png} and {@code a.png} on a
   * case-insensitive file system.
   */
  private static PutOutcome compareStored(Path target, byte[] bytes) throws IOException {
    if (Files.size(target) != bytes.length) {
      return PutOutcome.KEY_CONFLICT;
    }
    // The bytes are at hand: comparing them is exact and costs no more than hashing the file.
    boolean same = Arrays.equals(bytes, Files.readAllBytes(target));
    return same ? PutOutcome.ALREADY_EXISTS : PutOutcome.KEY_CONFLICT;
  }

  private static StoreException folderInTheWay(Path target) {
    return new StoreException("a folder already has the name " + target, false, null);
  }

  private Path pathOf(String key) {
    Path path = root.resolve(key).normalize();
    // Keys are validated when the manifest is read; this is the last line of defence.
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IllegalArgumentException("key escapes the output folder: " + key);
    }
    return path;
  }

  /** Faults that no other object can escape: the disk is full or mounted read-only. */
  private static boolean isOutOfSpace(IOException e) {
    String message = e.getMessage();
    return message != null && (message.contains("No space left") || message.contains("Read-only file system"));
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // The temp file is hidden and harmless; losing it must not turn a stored object into a failure.
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "massfetch-file-writer-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    if (sync != null) {
      sync.close();
    }
    writers.shutdown();
    try {
      if (!writers.awaitTermination(30, TimeUnit.SECONDS)) {
        writers.shutdownNow();
      }
    } catch (InterruptedException e) {
      writers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** A local or mounted folder: a plain path or {@code file://}. Registered in META-INF/services. */
  public static final class Store implements ObjectStore {
    @Override
    public String scheme() {
      return "file";
    }

    @Override
    public ObjectSink open(SinkConfig config) {
      return new LocalFileSink(ObjectSinks.localPath(config.output()), config);
    }
  }
}
