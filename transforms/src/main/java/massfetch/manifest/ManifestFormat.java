package massfetch.manifest;

import java.util.Locale;

/** How a manifest file is laid out, told by its name (a compression suffix is looked through). */
enum ManifestFormat {
  /** One relative path or absolute URL a line; blank lines and {@code #} comments skipped. */
  TEXT,
  /** Comma-separated with a header naming {@code url} or {@code path}, optionally key, size, md5. */
  CSV,
  /** As CSV, tab-separated. */
  TSV,
  /**
   * JSON Lines, as massfetch's own {@code results-*.jsonl}: one record a line with {@code url} and
   * optionally {@code key}, so an earlier run's results (or just its failures) can be fed back.
   */
  RESULTS;

  /** Suffixes of the compressions Beam's file reading undoes (Compression.AUTO). */
  private static final String[] COMPRESSION_SUFFIXES = {".gz", ".gzip", ".bz2", ".zst", ".deflate", ".lzo", ".snappy"};

  /** The compression suffix {@code name} ends with (lower case), or null. */
  static String compressionSuffix(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String suffix : COMPRESSION_SUFFIXES) {
      if (n.endsWith(suffix)) {
        return suffix;
      }
    }
    return null;
  }

  static ManifestFormat forFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    String suffix = compressionSuffix(n);
    if (suffix != null) {
      n = n.substring(0, n.length() - suffix.length());
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".tsv") || n.endsWith(".tab")) {
      return TSV;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
      return RESULTS;
    }
    return TEXT;
  }
}
