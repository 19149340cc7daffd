package massfetch.sink;

import java.util.Locale;

/**
 * The bucket and object-name prefix of an object-store output such as {@code gs://bucket/a/b} or
 * {@code s3://bucket/a/b}, and the rule that turns a manifest key into an object name under it.
 */
public final class BucketPrefix {
  private final String scheme;
  private final String bucket;
  private final String prefix;

  private BucketPrefix(String scheme, String bucket, String prefix) {
    this.scheme = scheme;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  /** Parses {@code scheme://bucket[/prefix]}; the prefix, if any, ends in exactly one slash. */
  public static BucketPrefix parse(String output, String expectedScheme) {
    String head = expectedScheme + "://";
    if (!output.toLowerCase(Locale.ROOT).startsWith(head)) {
      throw new IllegalArgumentException("expected " + head + "bucket/prefix, got " + output);
    }
    String rest = output.substring(head.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("no bucket in " + output);
    }
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!prefix.isEmpty()) {
      checkRelative(prefix, output);
      prefix = prefix + "/";
    }
    return new BucketPrefix(expectedScheme, bucket, prefix);
  }

  public String bucket() {
    return bucket;
  }

  public String prefix() {
    return prefix;
  }

  /**
   * The object name for {@code key}. Object stores have no folders, but every tool that mirrors a
   * bucket to disk does, so a key that would escape the prefix there ({@code ..}, a leading slash)
   * is refused here as it is by the local sink.
   */
  public String objectName(String key) {
    checkRelative(key, key);
    return prefix + key;
  }

  /** {@code scheme://bucket/prefix+key}, for messages. */
  public String uriOf(String key) {
    return scheme + "://" + bucket + "/" + prefix + key;
  }

  private static void checkRelative(String path, String shown) {
    if (path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("key escapes the output prefix: " + shown);
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("key escapes the output prefix: " + shown);
      }
    }
  }
}
