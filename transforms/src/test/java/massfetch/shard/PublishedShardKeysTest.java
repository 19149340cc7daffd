package massfetch.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PublishedShardKeys} and {@link ShardedOutput#exists}: a restarted attempt sees the keys of
 * the shards published since the run began, and only those.
 */
class PublishedShardKeysTest {
  @TempDir Path output;

  private void publish(LocalShardStore store, String... keys) throws Exception {
    TarShard shard = new TarShard(store.begin());
    for (String key : keys) {
      shard.add(key, "http://origin/" + key, ("bytes of " + key).getBytes(), "00", "image/png");
    }
    shard.publish();
  }

  @Test
  void givenShardsPublishedBeforeAndSinceTheCutoff_whenRefreshed_thenOnlyTheRecentKeysExist() throws Exception {
    LocalShardStore store = new LocalShardStore(output);
    publish(store, "old/a.png", "old/b.png");
    long cutoff = System.currentTimeMillis();
    // An earlier run's index: written an hour before the cutoff.
    try (Stream<Path> files = Files.list(output.resolve(ShardStore.FOLDER))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".index.jsonl")).toList()) {
        Files.setLastModifiedTime(f, FileTime.fromMillis(cutoff - 3_600_000));
      }
    }
    PublishedShardKeys keys = PublishedShardKeys.of(output.toString(), cutoff);
    assertEquals(0, keys.refresh(), "an earlier run's index is not read");

    publish(store, "new/c.png", "new/d.png");
    assertEquals(2, keys.refresh(), "the run's own shard is read");
    assertEquals(0, keys.refresh(), "and only once");

    ShardedOutput<String> restarted = new ShardedOutput<>(store, ShardConfig.defaults(), keys);
    assertTrue(restarted.exists("new/c.png").get(), "published by an earlier attempt of the run");
    assertFalse(restarted.exists("old/a.png").get(), "left out upstream, not here");
    assertFalse(restarted.exists("new/e.png").get());
    assertFalse(new ShardedOutput<String>(store, ShardConfig.defaults()).exists("new/c.png").get(),
        "without the set, nothing exists");
    restarted.close();
  }
}
