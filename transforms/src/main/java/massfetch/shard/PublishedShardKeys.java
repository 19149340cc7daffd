package massfetch.shard;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import massfetch.results.LongHashSet;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The keys of the tar shards published under an output since a time (the run's start), read from
 * their indexes: one set per output and JVM, shared by every fetch instance in it.
 *
 * <p>A fetch task restarted after a failure (a lost TaskManager, a failed region) finds here the
 * images that an attempt before it published but whose results never reached the results ledger
 * (killed between the two, or cancelled while publishing), and skips them instead of storing them
 * in a second shard. The index name alone cannot catch that repeat: shards are cut in the order
 * fetches complete, so a new attempt's shards hold other sets of keys, hence other index names.
 *
 * <p>Published indexes never change, so {@link #refresh} reads only the indexes it has not read,
 * and of those only the ones written since the cutoff: earlier runs' shards are left out upstream
 * (ReadShardIndexKeys), and a first attempt finds nothing to read. A key is held as 64 bits of its
 * SHA-256 (8 to 16 bytes, as {@link LongHashSet} stores it): a different key taken for a published
 * one needs a collision, about n·m / 2^64 for n keys published before a restart and m checked after
 * it (under 0.1 % for 100 million each).
 */
public final class PublishedShardKeys {
  private static final Map<String, PublishedShardKeys> BY_OUTPUT = new ConcurrentHashMap<>();

  private final String indexGlob;
  private final long sinceMillis;
  private final Set<String> indexesRead = new HashSet<>();
  private final LongHashSet keys = new LongHashSet();

  private PublishedShardKeys(String indexGlob, long sinceMillis) {
    this.indexGlob = indexGlob;
    this.sinceMillis = sinceMillis;
  }

  /**
   * The JVM's set for the shards under {@code output} published from {@code sinceMillis} (epoch
   * milliseconds; 0 for every published shard).
   */
  public static PublishedShardKeys of(String output, long sinceMillis) {
    String base = output.endsWith("/") ? output : output + "/";
    String glob = base + ShardStore.FOLDER + "/" + ShardStore.indexNameOf("*");
    return BY_OUTPUT.computeIfAbsent(glob + "@" + sinceMillis, g -> new PublishedShardKeys(glob, sinceMillis));
  }

  /** Reads the indexes published since the last call; returns how many keys were added. */
  public synchronized long refresh() {
    long added = 0;
    try {
      MatchResult match = FileSystems.match(List.of(indexGlob), EmptyMatchTreatment.ALLOW).get(0);
      if (match.status() != MatchResult.Status.OK) {
        return 0;
      }
      for (MatchResult.Metadata index : match.metadata()) {
        String name = index.resourceId().toString();
        // 0: the file system does not say when; read it rather than miss a shard.
        boolean recent = index.lastModifiedMillis() == 0 || index.lastModifiedMillis() >= sinceMillis;
        if (recent && !indexesRead.contains(name)) {
          added += read(index);
        }
        indexesRead.add(name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the published shard indexes " + indexGlob, e);
    }
    return added;
  }

  /** Whether {@code key} is in a shard read by {@link #refresh}. */
  public synchronized boolean contains(String key) {
    return keys.contains(hash(key));
  }

  private long read(MatchResult.Metadata index) throws IOException {
    long added = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Channels.newInputStream(FileSystems.open(index.resourceId())), StandardCharsets.UTF_8), 1 << 16)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank() && keys.add(hash(IndexEntry.parse(line).key()))) {
          added++;
        }
      }
    }
    return added;
  }

  private static long hash(String key) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
          .getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
