package massfetch.sink;

import java.util.concurrent.CompletableFuture;
import javax.annotation.Nullable;

/**
 * A store for fetched objects, addressed by key relative to the output prefix. Implementations are
 * thread-safe and shared by every fetch in a worker JVM; every call returns at once and completes
 * its future later, so a slow store never blocks the fetch loop.
 *
 * <p>Writes are idempotent (same key, same bytes), so a retried bundle is harmless, and atomic: an
 * object is either absent or complete under its final name.
 */
public interface ObjectSink extends AutoCloseable {

  /** What {@link #put} did. */
  enum PutOutcome {
    /** The object was written. */
    STORED,
    /** Overwriting is off and the object was already there; nothing was written. */
    ALREADY_EXISTS
  }

  /** Whether an object is stored under {@code key}. */
  CompletableFuture<Boolean> exists(String key);

  /**
   * Whether a whole object is stored under {@code key}: one the store can check against the
   * manifest's {@code expectedSize} and {@code expectedMd5} (hex; either may be null) and finds
   * different, or finds empty, is not, and the put that follows replaces it. Stores that cannot
   * check cheaply answer {@link #exists(String)}.
   */
  default CompletableFuture<Boolean> exists(
      String key, @Nullable Long expectedSize, @Nullable String expectedMd5) {
    return exists(key);
  }

  /**
   * Stores {@code bytes} under {@code key}. A transient store fault completes the future with a
   * {@link StoreException} whose {@link StoreException#retryable()} says whether to try again; a
   * fault that makes the whole store unusable (out of disk, no permission) with {@link
   * StoreUnavailableException}.
   *
   * @param md5 the MD5 of {@code bytes}, for stores that verify it on arrival
   */
  CompletableFuture<PutOutcome> put(String key, byte[] bytes, String contentType, byte[] md5);

  /** Where {@code key} ends up, for messages (a path or URI; never contains credentials). */
  String locationOf(String key);

  @Override
  void close();
}
