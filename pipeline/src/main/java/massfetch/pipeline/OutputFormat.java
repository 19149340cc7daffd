package massfetch.pipeline;

import massfetch.shard.ShardConfig;
import massfetch.shard.ShardStores;

/** Reads {@link ShardOptions}: the shard limits in tar mode, null for one object per image. */
final class OutputFormat {
  private OutputFormat() {}

  /** Throws {@link IllegalArgumentException} with one line for a user mistake. */
  static ShardConfig shards(MassfetchOptions o) {
    switch (o.getOutputFormat()) {
      case "files":
        return null;
      case "tar":
        if (!ShardStores.supports(o.getOutput())) {
          throw new IllegalArgumentException(
              "--outputFormat=tar needs a local folder, gs:// or s3://, not " + o.getOutput());
        }
        return ShardConfig.of(o.getShardMaxImages(), o.getShardMaxBytes(), o.getShardPartBytes());
      default:
        throw new IllegalArgumentException(
            "--outputFormat must be files or tar, got '" + o.getOutputFormat() + "'");
    }
  }
}
