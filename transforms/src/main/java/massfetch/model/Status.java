package massfetch.model;

/** How a manifest entry ended. Every entry ends in exactly one of these. */
public enum Status {
  /** Fetched, validated and stored. */
  OK,
  /** Not fetched on purpose: already stored, done in an earlier run, or a repeat of another line. */
  SKIPPED,
  /** Could not be fetched or stored; {@link FetchResult#error()} says why. */
  FAILED;

  /** The lower-case name used in result files. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
