package massfetch.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalShardStore}: the index of a key set is published once, whatever the attempts. */
class LocalShardStoreTest {
  @TempDir Path output;

  private TarShard shardOf(LocalShardStore store, String... keys) throws Exception {
    TarShard shard = new TarShard(store.begin());
    for (String key : keys) {
      byte[] bytes = ("bytes of " + key).getBytes();
      shard.add(key, "http://origin/" + key, bytes, "00", "image/png");
    }
    return shard;
  }

  @Test
  void givenTwoAttemptsOfTheSameKeys_whenBothPublish_thenOneShardAndIndexAndBothSeeIt() throws Exception {
    LocalShardStore store = new LocalShardStore(output);
    TarShard first = shardOf(store, "a.png", "b.png", "c.png");
    TarShard retried = shardOf(store, "c.png", "a.png", "b.png"); // finished in another order

    List<IndexEntry> published = first.publish();
    List<IndexEntry> seen = retried.publish();

    assertEquals(published, seen, "the retry is told where the published copy is");
    try (Stream<Path> files = Files.list(output.resolve(ShardStore.FOLDER))) {
      List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
      assertEquals(2, names.size(), "one tar and one index, no temp file: " + names);
      assertEquals(true, names.contains(published.get(0).shard()), names.toString());
    }
  }

  @Test
  void givenAnAbortedUpload_whenAborted_thenNothingIsLeft() throws Exception {
    LocalShardStore store = new LocalShardStore(output);
    shardOf(store, "x.png").abort();
    try (Stream<Path> files = Files.list(output.resolve(ShardStore.FOLDER))) {
      assertEquals(0, files.count());
    }
  }
}
