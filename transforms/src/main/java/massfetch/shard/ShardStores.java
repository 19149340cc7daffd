package massfetch.shard;

import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;

/** Opens the {@link ShardStore} for an output location, by its scheme. */
public final class ShardStores {
  private ShardStores() {}

  /** Schemes with a shard store. */
  public static boolean supports(String output) {
    return java.util.List.of("file", "s3", "gs").contains(ObjectSinks.schemeOf(output));
  }

  /** A store to read shards from (parts are for writing: the default size is never used). */
  public static ShardStore open(SinkConfig config) {
    return open(config, ShardConfig.DEFAULT_PART_BYTES);
  }

  /** A store to write shards to, uploading them in parts of {@code partBytes}. */
  public static ShardStore open(SinkConfig config, int partBytes) {
    String scheme = ObjectSinks.schemeOf(config.output());
    if (scheme.equals("file")) {
      return new LocalShardStore(ObjectSinks.localPath(config.output()));
    }
    if (scheme.equals("s3")) {
      return S3ShardStore.open(config, partBytes);
    }
    if (scheme.equals("gs")) {
      return GcsShardStore.open(config, partBytes);
    }
    throw new IllegalArgumentException(
        "--outputFormat=tar needs a local folder, gs:// or s3://, not " + scheme + "://");
  }
}
