package massfetch.sink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one file system: every write made before {@link #after()} is durable once the
 * future it returns completes, and one {@code syncfs(2)} serves every write that asked while the
 * previous one ran. Forcing each image file and its folder costs two journal commits per image,
 * which was the largest share of a local run's CPU; here a burst of hundreds of images shares two.
 *
 * <p>Where the sync cannot be had (not Linux, JNA not loadable) or fails at once, {@link #start}
 * gives null and the caller forces each file itself. A sync that fails later completes its waiters
 * exceptionally, and they force their own files, so an error is always reported by the {@code
 * fsync} of the file it concerns.
 */
final class FileSystemSync implements AutoCloseable {
  /** One sync of a whole file system. */
  interface Call extends AutoCloseable {
    void sync() throws IOException;

    @Override
    void close();
  }

  /** Opens a {@link Call} for the file system holding a path. */
  @FunctionalInterface
  interface Opener {
    Call open(Path onIt) throws IOException;
  }

  /** The real one: {@code syncfs(2)}. */
  static final Opener SYNC_FS = SyncFs::open;

  private final Call call;
  private final ExecutorService runner;
  private final AtomicLong syncs = new AtomicLong();
  private final Object lock = new Object();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean running;

  private FileSystemSync(Call call, ExecutorService runner) {
    this.call = call;
    this.runner = runner;
  }

  /**
   * Shared syncs of the file system holding {@code onIt}, or null when they cannot be had: a sync
   * that cannot work is found here, once, before any image relies on it.
   */
  static FileSystemSync start(Opener opener, Path onIt) {
    Call call;
    try {
      call = opener.open(onIt);
    } catch (IOException e) {
      return unavailable(onIt, e);
    }
    try {
      call.sync();
    } catch (IOException e) {
      call.close();
      return unavailable(onIt, e);
    }
    return new FileSystemSync(call, Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "massfetch-file-system-sync");
      t.setDaemon(true);
      return t;
    }));
  }

  private static FileSystemSync unavailable(Path onIt, IOException why) {
    // Still durable, only dearer: worth one line, since a run of millions of images pays for it.
    LoggerFactory.getLogger(FileSystemSync.class).warn(
        "no shared file system syncs for {} ({}): each file and folder is forced on its own", onIt, why.getMessage());
    return null;
  }

  /** Completes once a sync that began after this call has returned; exceptionally if it failed. */
  CompletableFuture<Void> after() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (lock) {
      waiting.add(done);
      if (!running) {
        running = true;
        runner.execute(this::drain);
      }
    }
    return done;
  }

  /** Syncs so far, for tests: they show how many writes each one served. */
  long syncs() {
    return syncs.get();
  }

  private void drain() {
    while (true) {
      List<CompletableFuture<Void>> batch;
      synchronized (lock) {
        if (waiting.isEmpty()) {
          running = false;
          return;
        }
        batch = waiting;
        waiting = new ArrayList<>();
      }
      IOException failed = null;
      try {
        call.sync();
        syncs.incrementAndGet();
      } catch (IOException e) {
        failed = e;
      }
      for (CompletableFuture<Void> waiter : batch) {
        if (failed == null) {
          waiter.complete(null);
        } else {
          waiter.completeExceptionally(failed);
        }
      }
    }
  }

  @Override
  public void close() {
    // Queued behind a sync that is still running, so the descriptor outlives it.
    runner.execute(call::close);
    runner.shutdown();
  }
}
