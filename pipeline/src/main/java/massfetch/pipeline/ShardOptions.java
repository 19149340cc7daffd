package massfetch.pipeline;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How stored images are laid out: one object each, or tar shards with an index (docs/shards.md). */
public interface ShardOptions extends PipelineOptions {
  @Description("files: one object per image, named by its key. tar: POSIX tar shards under"
      + " <output>/shards/, members named by key, each with an index (<shard id>.index.jsonl) giving"
      + " every image's byte range; ok records carry shard and offset. See docs/shards.md.")
  @Default.String("files")
  String getOutputFormat();

  void setOutputFormat(String value);

  @Description("Tar mode: images per shard at most.")
  @Default.Integer(10_000)
  int getShardMaxImages();

  void setShardMaxImages(int value);

  @Description("Tar mode: image bytes per shard at most (an image larger than this gets a shard of its own).")
  @Default.Long(1L << 30)
  long getShardMaxBytes();

  void setShardMaxBytes(long value);

  @Description("Tar mode on s3:// and gs://: bytes per upload part, the memory each shard being"
      + " written holds (64 MiB: about one store request per 1,000 images of 50 KB). A multiple of"
      + " 256 KiB, at least 5 MiB.")
  @Default.Integer(massfetch.shard.ShardConfig.DEFAULT_PART_BYTES)
  int getShardPartBytes();

  void setShardPartBytes(int value);
}
