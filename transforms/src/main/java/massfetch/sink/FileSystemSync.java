package massfetch.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Group commit for one file system: every write made before {@link #after()} is durable once the
 * future it returns completes, and one {@code syncfs(2)} (through coreutils' {@code sync -f}) serves
 * every write that asked while the previous one ran. Forcing each image file and its folder costs two
 * journal commits per image, which was the largest share of a local run's CPU; here a burst of
 * hundreds of images shares two.
 *
 * <p>Java has no {@code syncfs}, so the command is run; where it is missing or fails {@link
 * #start} gives null and the caller forces each file itself. A sync that fails later completes its
 * waiters exceptionally, and they force their own files, so an error is always reported by the
 * {@code fsync} of the file it concerns.
 */
final class FileSystemSync implements AutoCloseable {
  private final List<String> command;
  private final ExecutorService runner;
  private final AtomicLong syncs = new AtomicLong();
  private final Object lock = new Object();
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean running;

  private FileSystemSync(List<String> command, ExecutorService runner) {
    this.command = command;
    this.runner = runner;
  }

  /** coreutils' {@code sync -f PATH}: {@code syncfs(2)} of the file system holding PATH. */
  static final List<String> SYNC_FS = List.of("sync", "-f");

  /**
   * A sync of the file system holding {@code onIt} by {@code command} followed by that path, or
   * null when the command fails (not installed, not Linux): a command that cannot work is found here,
   * once, before any image relies on it.
   */
  static FileSystemSync start(List<String> command, Path onIt) {
    List<String> full = new ArrayList<>(command);
    full.add(onIt.toString());
    try {
      run(full);
    } catch (IOException e) {
      return null;
    }
    return new FileSystemSync(List.copyOf(full), Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "massfetch-file-system-sync");
      t.setDaemon(true);
      return t;
    }));
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
        run(command);
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

  private static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output;
    try (InputStream out = process.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    int exit;
    try {
      exit = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
      throw new IOException("interrupted while syncing the file system", e);
    }
    if (exit != 0) {
      throw new IOException(String.join(" ", command) + " exited " + exit + (output.isEmpty() ? "" : ": " + output));
    }
  }

  @Override
  public void close() {
    runner.shutdown();
  }
}
