package massfetch.sink;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/** Opens the {@link ObjectSink} for an output location, by its scheme. */
public final class ObjectSinks {
  private ObjectSinks() {}

  /** The scheme of an output location: {@code file} for a plain path. */
  public static String schemeOf(String output) {
    int colon = output.indexOf("://");
    if (colon <= 0) {
      return "file";
    }
    return output.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  /** Opens the sink for {@code config.output()}; the caller closes it. */
  public static ObjectSink open(SinkConfig config) {
    String scheme = schemeOf(config.output());
    switch (scheme) {
      case "file":
        return new LocalFileSink(localPath(config.output()), config);
      case "gs":
        return GcsSink.open(config);
      case "s3":
        return S3Sink.open(config);
      default:
        throw new IllegalArgumentException(
            "unsupported output scheme '" + scheme + "://' (use a local folder, gs:// or s3://)");
    }
  }

  /** The local path of a {@code file} scheme location: a plain path or a {@code file://} URI. */
  public static Path localPath(String output) {
    if (output.startsWith("file://")) {
      return Path.of(URI.create(output));
    }
    return Path.of(output);
  }
}
