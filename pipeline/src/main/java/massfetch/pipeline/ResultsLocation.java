package massfetch.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import massfetch.results.WriteResults;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/** The results folder on any Beam file system: cleared of an earlier run's files, summary read back. */
final class ResultsLocation {
  private final String folder;

  ResultsLocation(String folder) {
    this.folder = folder.endsWith("/") ? folder : folder + "/";
  }

  /**
   * Removes results-*.jsonl and summary.json left by an earlier run into the same folder: the new
   * run may write a different number of shards, and mixing two runs' records would break the
   * one-record-per-entry invariant. Also the hidden .partial-results-*.jsonl of a DirectRunner run
   * that died mid-bundle. Objects are never touched.
   */
  void clearPrevious() throws IOException {
    List<ResourceId> old = previousFiles();
    if (!old.isEmpty()) {
      FileSystems.delete(old, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** The files {@link #clearPrevious} would remove. */
  List<ResourceId> previousFiles() throws IOException {
    List<ResourceId> old = new ArrayList<>();
    for (String pattern : List.of(folder + WriteResults.RESULT_FILES,
        folder + WriteResults.PARTIAL_PREFIX + WriteResults.RESULT_FILES, folder + "summary.json")) {
      old.addAll(matching(pattern));
    }
    return old;
  }

  /** The files {@code pattern} matches now; none when it matches nothing. */
  static List<ResourceId> matching(String pattern) throws IOException {
    List<ResourceId> files = new ArrayList<>();
    for (MatchResult m : FileSystems.match(List.of(pattern), EmptyMatchTreatment.ALLOW)) {
      if (m.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata md : m.metadata()) {
          files.add(md.resourceId());
        }
      }
    }
    return files;
  }

  String summaryPath() {
    return folder + "summary.json";
  }

  /** summary.json's text, or null when the run wrote none. */
  String readSummary() throws IOException {
    MatchResult m = FileSystems.match(List.of(summaryPath()), EmptyMatchTreatment.ALLOW).get(0);
    if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
      return null;
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(m.metadata().get(0).resourceId()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
