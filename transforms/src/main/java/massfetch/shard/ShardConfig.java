package massfetch.shard;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/** When a tar shard is cut: whichever limit is reached first. */
@AutoValue
public abstract class ShardConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_IMAGES = 10_000;
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** Images per shard at most. */
  public abstract int maxImages();

  /**
   * Image bytes per shard at most (tar headers and padding not counted). An image larger than
   * this on its own gets a shard of its own.
   */
  public abstract long maxBytes();

  public static ShardConfig of(int maxImages, long maxBytes) {
    if (maxImages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("--shardMaxImages and --shardMaxBytes must be at least 1");
    }
    return new AutoValue_ShardConfig(maxImages, maxBytes);
  }

  public static ShardConfig defaults() {
    return of(DEFAULT_MAX_IMAGES, DEFAULT_MAX_BYTES);
  }
}
