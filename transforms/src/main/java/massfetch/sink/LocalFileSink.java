package massfetch.sink;

import java.io.IOException;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link ObjectSink} on a local (or mounted) file system. Each object is written to a hidden temp
 * file in its target folder and then published under its final name in one step: a hard link when
 * overwriting is off (fails if the name exists, so two writers never clobber each other), an atomic
 * rename otherwise. A crash leaves at most a hidden temp file, never a partial file under a final
 * name.
 */
public final class LocalFileSink implements ObjectSink {
  static final String TEMP_PREFIX = ".massfetch-tmp-";
  /** Folders remembered as existing; past this the set starts again (a path is ~100 bytes). */
  private static final int MAX_KNOWN_FOLDERS = 100_000;

  private final Path root;
  private final boolean overwrite;
  private final ExecutorService writers;
  private final Set<Path> knownFolders = ConcurrentHashMap.newKeySet();

  public LocalFileSink(Path root, SinkConfig config) {
    this.root = root.toAbsolutePath().normalize();
    this.overwrite = config.overwrite();
    this.writers = Executors.newFixedThreadPool(config.localWriteThreads(), daemonThreads());
  }

  @Override
  public CompletableFuture<Boolean> exists(String key) {
    // A stat is cheap and never blocks for long on a local disk: answer on the caller's thread.
    // Only a file is a stored object: a folder that happens to have the key's name is not.
    return CompletableFuture.completedFuture(Files.isRegularFile(pathOf(key)));
  }

  @Override
  public CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    return CompletableFuture.supplyAsync(() -> write(pathOf(key), bytes), writers);
  }

  @Override
  public String locationOf(String key) {
    return pathOf(key).toString();
  }

  private PutOutcome write(Path target, byte[] bytes) {
    Path temp = null;
    try {
      if (overwrite && Files.isDirectory(target)) {
        throw folderInTheWay(target);
      }
      // Not derived from the file name, so a name near the file system's limit still fits.
      temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
      writeNew(temp, bytes);
      if (overwrite) {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        temp = null;
      } else {
        // The link fails if anything has the name: no check before it, one system call fewer per
        // object, and no window between a check and the write.
        try {
          Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
          if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw folderInTheWay(target);
          }
          return compareStored(target, bytes);
        }
      }
      return PutOutcome.STORED;
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
    } finally {
      deleteQuietly(temp);
    }
  }

  /**
   * Writes a new file, creating its folder first if this sink has not seen it yet. Remembering
   * folders saves the two system calls of a {@code createDirectories} per object; a folder removed
   * behind our back is noticed by the write and created again.
   */
  private void writeNew(Path file, byte[] bytes) throws IOException {
    Path folder = file.getParent();
    if (!knownFolders.contains(folder)) {
      Files.createDirectories(folder);
      if (knownFolders.size() >= MAX_KNOWN_FOLDERS) {
        knownFolders.clear();
      }
      knownFolders.add(folder);
    }
    try {
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      knownFolders.remove(folder);
      Files.createDirectories(folder);
      Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
}
