package massfetch.shard;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import massfetch.sink.ObjectSink;
import massfetch.sink.StoreUnavailableException;

/**
 * The {@link ObjectSink} of one fetch DoFn instance in tar mode: each put appends the image to the
 * open shard, cut at the {@link ShardConfig} limits. A shard is published once every image in it
 * has its result on the DoFn thread ({@link #hold}), and at the end of the bundle ({@link
 * #publishAll}); only then are those results released, so an {@code ok} record always names a
 * published shard, and a bundle that fails before publishing leaves only a temp upload behind.
 *
 * <p>Puts come from the HTTP client's threads and are serialised here; publishing runs on the DoFn
 * thread, outside the lock, while the next shard fills.
 *
 * @param <T> what is held until a shard is published (the DoFn's pending results)
 */
public final class ShardedOutput<T> implements ObjectSink {
  private final ShardStore store;
  private final ShardConfig config;
  private final PublishedShardKeys published;
  private final Map<String, Shard<T>> shardOfKey = new HashMap<>();
  private final List<Shard<T>> unpublished = new ArrayList<>();
  private Shard<T> open;

  public ShardedOutput(ShardStore store, ShardConfig config) {
    this(store, config, null);
  }

  /** {@code published}: the shards this run published so far, which {@link #exists} answers from. */
  public ShardedOutput(ShardStore store, ShardConfig config, PublishedShardKeys published) {
    this.store = store;
    this.config = config;
    this.published = published;
  }

  /** A published shard: its index as published, and what was held for its images. */
  public record Published<T>(List<IndexEntry> index, List<T> held) {}

  /**
   * Whether {@code key} is in a shard this run published: an earlier attempt's, whose results a
   * failure lost. Earlier runs' shards are left out upstream; never a request per key.
   */
  @Override
  public CompletableFuture<Boolean> exists(String key) {
    return CompletableFuture.completedFuture(published != null && published.contains(key));
  }

  @Override
  public synchronized CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    try {
      if (open != null && open.tar.images() > 0
          && open.tar.imageBytes() + bytes.length > config.maxBytes()) {
        open.closed = true;
        open = null;
      }
      if (open == null) {
        open = new Shard<>(new TarShard(store.begin()));
        unpublished.add(open);
      }
      open.tar.add(key, sourceUrl, bytes, java.util.HexFormat.of().formatHex(md5), contentType);
      shardOfKey.put(key, open);
      if (open.tar.images() >= config.maxImages() || open.tar.imageBytes() >= config.maxBytes()) {
        open.closed = true;
        open = null;
      }
      return CompletableFuture.completedFuture(PutOutcome.STORED);
    } catch (IOException | RuntimeException e) {
      // A tar stream broken mid-member cannot be continued: the bundle fails and is retried.
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("cannot write tar shard: " + e.getMessage(), e));
    }
  }

  /**
   * Holds {@code item}, the result of the image stored under {@code key}, until its shard is
   * published; publishes the shard when it is closed and every image in it has its item.
   *
   * @return the shard published now, if any (empty list otherwise)
   */
  public List<Published<T>> hold(String key, T item) throws IOException {
    Shard<T> ready;
    synchronized (this) {
      Shard<T> shard = shardOfKey.remove(key);
      if (shard == null) {
        throw new IllegalStateException("no shard holds " + key);
      }
      shard.held.add(item);
      if (!shard.closed || shard.held.size() < shard.tar.images()) {
        return List.of();
      }
      unpublished.remove(shard);
      ready = shard;
    }
    return List.of(publish(ready));
  }

  /** Closes the open shard and publishes every shard; call once all puts have their results. */
  public List<Published<T>> publishAll() throws IOException {
    List<Shard<T>> ready;
    synchronized (this) {
      open = null;
      ready = new ArrayList<>(unpublished);
      unpublished.clear();
    }
    List<Published<T>> published = new ArrayList<>();
    for (Shard<T> shard : ready) {
      if (shard.held.size() != shard.tar.images()) {
        shard.tar.abort();
        throw new IllegalStateException("shard published with results missing");
      }
      published.add(publish(shard));
    }
    return published;
  }

  private Published<T> publish(Shard<T> shard) throws IOException {
    try {
      return new Published<>(shard.tar.publish(), shard.held);
    } catch (IOException | RuntimeException e) {
      shard.tar.abort();
      throw e;
    }
  }

  /** Throws away every shard not yet published (a failed or torn-down bundle). */
  @Override
  public synchronized void close() {
    for (Shard<T> shard : unpublished) {
      shard.tar.abort();
    }
    unpublished.clear();
    shardOfKey.clear();
    open = null;
  }

  @Override
  public String locationOf(String key) {
    return ShardStore.FOLDER + "/ (member " + key + ")";
  }

  private static final class Shard<T> {
    final TarShard tar;
    final List<T> held = new ArrayList<>();
    boolean closed;

    Shard(TarShard tar) {
      this.tar = tar;
    }
  }
}
