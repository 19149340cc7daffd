package massfetch.pipeline;

import java.io.IOException;
import java.util.List;
import massfetch.manifest.ReadManifest;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Estimates how many entries a manifest holds from its files' sizes alone (no reading, so it costs
 * the same for 200 million lines as for 20), to choose the number of work groups when the job is
 * built. An estimate is enough: groups only need to be "a few thousand entries, at least one per
 * worker".
 */
final class ManifestSize {
  /** A provider path such as {@code 003-007-001-12752/<uuid>.png} plus newline is ~60 bytes. */
  static final int BYTES_PER_ENTRY = 60;
  /** A results record fed back as a manifest (.jsonl) is ~300 bytes. */
  static final int BYTES_PER_RESULT_RECORD = 300;
  /** Text manifests compress about this well with gzip and friends. */
  static final int COMPRESSION_RATIO = 4;

  private ManifestSize() {}

  static long estimateEntries(String manifest) {
    long entries = 0;
    try {
      for (MatchResult m : FileSystems.match(List.of(manifest), EmptyMatchTreatment.ALLOW)) {
        if (m.status() != MatchResult.Status.OK) {
          continue;
        }
        for (MatchResult.Metadata md : m.metadata()) {
          String name = md.resourceId().getFilename() == null ? "" : md.resourceId().getFilename();
          boolean compressed = ReadManifest.isCompressed(name);
          // With --onlyFailed this over-counts (only failed records are entries): groups come out
          // smaller than --groupSize, which costs some concurrency per group, never correctness.
          int perEntry = ReadManifest.isResults(name) ? BYTES_PER_RESULT_RECORD : BYTES_PER_ENTRY;
          entries += md.sizeBytes() * (compressed ? COMPRESSION_RATIO : 1) / perEntry;
        }
      }
    } catch (IOException e) {
      return 0; // OptionsCheck already proved the manifest readable; fall back to --minGroups
    }
    return entries;
  }
}
