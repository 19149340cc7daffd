package massfetch.shard;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * One shard on its way into a store: bytes streamed to a temporary place (a hidden temp file, a
 * multipart or resumable upload) that nobody reads, then published whole or thrown away.
 */
public interface ShardUpload {

  /** Where the tar's bytes go; buffered by the store no further than its part size. */
  OutputStream stream();

  /**
   * Publishes the shard as {@code <id>.<attempt>.tar} in the shards folder, then its index, with
   * that name in every entry, as {@code <id>.index.jsonl} only if no index has that name yet. The
   * index, published last and once, is what makes a shard visible to readers and to resume.
   *
   * <p>The id is derived from the shard's keys ({@link ShardNames}), so a retried bundle that wrote
   * the same keys again finds the index taken: the published one wins, this attempt's shard is
   * deleted, and the published entries are returned so every result points at the one copy.
   *
   * @return the entries of the index published under {@code id}
   */
  List<IndexEntry> publish(String id, List<IndexEntry> index) throws IOException;

  /** Throws the bytes away (deletes the temp file, aborts the multipart upload); never throws. */
  void abort();
}
