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
    /**
     * Overwriting is off and an object with the same size and MD5 was already there (stored before
     * this put, or by an earlier attempt of it whose answer was lost); nothing was written.
     */
    ALREADY_EXISTS,
    /**
     * Overwriting is off and an object with different bytes is stored under the key (another
     * source mapped to the same name, a case-insensitive file system, a changed image); nothing
     * was written and the stored object is left as it is.
     */
    KEY_CONFLICT
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
   * <p>With overwriting off, a key that is taken is compared with {@code bytes} by size and MD5
   * (S3: the ETag of a single PUT or the object's {@code md5} metadata; GCS: {@code md5Hash};
   * local: the file's size and MD5): {@link PutOutcome#ALREADY_EXISTS} when they are equal, {@link
   * PutOutcome#KEY_CONFLICT} when not.
   *
   * @param md5 the MD5 of {@code bytes}, for stores that verify it on arrival
   */
  default CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5) {
    return put(key, bytes, contentType, md5, null);
  }

  /**
   * As {@link #put(String, byte[], String, byte[])}, recording {@code sourceUrl} with the object
   * where the store keeps metadata ({@link ObjectMetadata}), so any object can be traced to where
   * it came from.
   *
   * @param sourceUrl the URL the bytes were fetched from; null when there is none
   */
  CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl);

  /** Where {@code key} ends up, for messages (a path or URI; never contains credentials). */
  String locationOf(String key);

  @Override
  void close();
}
