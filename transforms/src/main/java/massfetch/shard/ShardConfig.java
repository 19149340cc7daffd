package massfetch.shard;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/** When a tar shard is cut (whichever limit is reached first), and the part it is uploaded in. */
@AutoValue
public abstract class ShardConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_IMAGES = 10_000;
  public static final long DEFAULT_MAX_BYTES = 1L << 30;
  /**
   * 64 MiB: a shard of 10,000 images of 50 KB (500 MB) is 8 parts, so with the upload's start and
   * completion it costs 10 store requests, one per 1,000 images, plus its index. The price is
   * memory: each shard being written holds one part (docs/shards.md, "Part size").
   */
  public static final int DEFAULT_PART_BYTES = 64 << 20;
  /** S3's least part (all but the last). */
  public static final int MIN_PART_BYTES = 5 << 20;
  /** GCS resumable uploads take chunks in multiples of 256 KiB. */
  public static final int PART_ALIGNMENT = 256 << 10;
  /** A part is one array in memory; beyond 1 GiB a worker would spend its heap on one shard. */
  public static final int MAX_PART_BYTES = 1 << 30;
  /** S3 takes at most 10,000 parts per upload; a little room is left for the last image. */
  static final long MAX_PARTS = 9_000;

  /** Images per shard at most. */
  public abstract int maxImages();

  /**
   * Image bytes per shard at most (tar headers and padding not counted). An image larger than
   * this on its own gets a shard of its own.
   */
  public abstract long maxBytes();

  /** Bytes per upload part (S3 multipart) or chunk (GCS resumable): the memory of one open shard. */
  public abstract int partBytes();

  public static ShardConfig of(int maxImages, long maxBytes) {
    return of(maxImages, maxBytes, DEFAULT_PART_BYTES);
  }

  /** Throws {@link IllegalArgumentException} with one line naming the option for a bad value. */
  public static ShardConfig of(int maxImages, long maxBytes, int partBytes) {
    if (maxImages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("--shardMaxImages and --shardMaxBytes must be at least 1");
    }
    if (partBytes < MIN_PART_BYTES || partBytes > MAX_PART_BYTES || partBytes % PART_ALIGNMENT != 0) {
      throw new IllegalArgumentException("--shardPartBytes must be a multiple of 262144 (256 KiB, GCS)"
          + " from 5242880 (5 MiB, S3's least part) to 1073741824, got " + partBytes);
    }
    if ((maxBytes + partBytes - 1) / partBytes > MAX_PARTS) {
      throw new IllegalArgumentException("--shardMaxBytes / --shardPartBytes must stay under " + MAX_PARTS
          + " parts (S3 takes 10,000 per upload); raise --shardPartBytes");
    }
    return new AutoValue_ShardConfig(maxImages, maxBytes, partBytes);
  }

  public static ShardConfig defaults() {
    return of(DEFAULT_MAX_IMAGES, DEFAULT_MAX_BYTES);
  }
}
