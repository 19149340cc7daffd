package massfetch.shard;

import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;

/** Opens the {@link ShardStore} for an output location, by its scheme. */
public final class ShardStores {
  private ShardStores() {}

  /** Schemes with a shard store. */
  public static boolean supports(String output) {
    return ObjectSinks.schemeOf(output).equals("file");
  }

  public static ShardStore open(SinkConfig config) {
    String scheme = ObjectSinks.schemeOf(config.output());
    if (scheme.equals("file")) {
      return new LocalShardStore(ObjectSinks.localPath(config.output()));
    }
    throw new IllegalArgumentException(
        "--outputFormat=tar writes to a local or mounted folder only so far, not " + scheme + "://");
  }
}
