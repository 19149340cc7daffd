package massfetch.shard;

import java.io.IOException;
import java.util.List;

/**
 * The publication rule of an object store, where an upload (multipart, resumable) shows nothing
 * until it is completed, under the name it was started with: complete the tar, then create the
 * index only if absent; an attempt that finds the index taken deletes its own tar and adopts the
 * published index. The stores supply the primitives.
 */
public abstract class RemoteShardUpload implements ShardUpload {
  private final String name = ShardNames.attempt();

  /** The tar's name in the shards folder, fixed when the upload starts. */
  protected final String name() {
    return name;
  }

  /** Makes the tar visible under {@link #name()}; nothing of it shows before. */
  protected abstract void complete() throws IOException;

  /** Creates the object {@code indexName} with {@code text} unless it exists; false if it did. */
  protected abstract boolean createIfAbsent(String indexName, String text) throws IOException;

  /** The text of object {@code indexName}, or null when there is none. */
  protected abstract String read(String indexName) throws IOException;

  /** Deletes the completed tar (a losing attempt's). */
  protected abstract void deleteTar() throws IOException;

  @Override
  public final List<IndexEntry> publish(String id, List<IndexEntry> index) throws IOException {
    String indexName = ShardStore.indexNameOf(id);
    String published = read(indexName);
    if (published != null) {
      abort();
      return IndexEntry.parseLines(published);
    }
    complete();
    List<IndexEntry> named = index.stream().map(e -> e.inShard(name)).toList();
    if (!createIfAbsent(indexName, IndexEntry.lines(named))) {
      deleteTar();
      return IndexEntry.parseLines(read(indexName));
    }
    return named;
  }
}
