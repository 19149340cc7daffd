package massfetch.shard;

import massfetch.sink.ObjectSinks;
import massfetch.sink.S3ShardStore;
import massfetch.sink.SinkConfig;

/** Opens the {@link ShardStore} for an output location, by its scheme. */
public final class ShardStores {
  private ShardStores() {}

  /** Schemes with a shard store. */
  public static boolean supports(String output) {
    return java.util.List.of("file", "s3").contains(ObjectSinks.schemeOf(output));
  }

  public static ShardStore open(SinkConfig config) {
    String scheme = ObjectSinks.schemeOf(config.output());
    if (scheme.equals("file")) {
      return new LocalShardStore(ObjectSinks.localPath(config.output()));
    }
    if (scheme.equals("s3")) {
      return S3ShardStore.open(config);
    }
    throw new IllegalArgumentException(
        "--outputFormat=tar writes to a local folder or s3:// only so far, not " + scheme + "://");
  }
}
