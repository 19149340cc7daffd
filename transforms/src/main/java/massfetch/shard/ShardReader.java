package massfetch.shard;

import java.io.IOException;
import java.util.Optional;

/**
 * Finds an image in a tar output and reads it: the key is looked up in the published indexes (one
 * read per index until it is found), then the image is ONE range request on its shard.
 */
public final class ShardReader {
  private final ShardStore store;

  public ShardReader(ShardStore store) {
    this.store = store;
  }

  /** Where {@code key} is stored, if any published index lists it. */
  public Optional<IndexEntry> find(String key) throws IOException {
    for (String index : store.indexNames()) {
      for (IndexEntry e : IndexEntry.parseLines(store.readText(index))) {
        if (e.key().equals(key)) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }

  /** The image bytes of {@code entry}. */
  public byte[] read(IndexEntry entry) throws IOException {
    return store.readRange(entry.shard(), entry.offset(), entry.length());
  }
}
