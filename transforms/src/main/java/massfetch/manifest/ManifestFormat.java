package massfetch.manifest;

import java.util.Locale;

/** How a manifest file is laid out, told by its name (a compression suffix is looked through). */
enum ManifestFormat {
  /** One relative path or absolute URL a line; blank lines and {@code #} comments skipped. */
  TEXT,
  /** Comma-separated with a header naming {@code url} or {@code path}, optionally key, size, md5. */
  CSV,
  /** As CSV, tab-separated. */
  TSV;

  static ManifestFormat forFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String suffix : new String[] {".gz", ".gzip", ".bz2", ".zst", ".deflate", ".lzo", ".snappy"}) {
      if (n.endsWith(suffix)) {
        n = n.substring(0, n.length() - suffix.length());
        break;
      }
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".tsv") || n.endsWith(".tab")) {
      return TSV;
    }
    return TEXT;
  }
}
