package massfetch.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import massfetch.results.WriteResults;
import massfetch.sink.ObjectSinks;

/**
 * What {@code --previousResults} names: a results file or a glob, as given, or the previous run's
 * {@code --results} folder (local, gs://, s3://), which means every results file published in it
 * ({@code results-*.jsonl}, whichever writer named them: the ledger's files of a run that was
 * killed included). A folder without results files is a user mistake, not a resume of nothing.
 */
final class PreviousResults {
  private PreviousResults() {}

  /** The file or glob to read for {@code spec}; null for null. */
  static String files(String spec) throws UserError {
    if (spec == null || spec.matches(".*[*?\\[{].*")) {
      return spec;
    }
    if (spec.isBlank()) {
      // As a folder it would be the file system's root: the match would walk all of it (/proc too).
      throw new UserError("--previousResults is empty: name the earlier run's results folder, a file or a glob");
    }
    try {
      if (spec.endsWith("/") || isLocalFolder(spec) || ResultsLocation.matching(spec).isEmpty()) {
        return inFolder(spec);
      }
      return spec;
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("cannot read --previousResults " + spec + ": " + e.getMessage());
    }
  }

  private static boolean isLocalFolder(String spec) {
    return ObjectSinks.schemeOf(spec).equals("file") && Files.isDirectory(ObjectSinks.localPath(spec));
  }

  private static String inFolder(String folder) throws UserError, IOException {
    String glob = (folder.endsWith("/") ? folder : folder + "/") + WriteResults.RESULT_FILES;
    if (ResultsLocation.matching(glob).isEmpty()) {
      throw new UserError("--previousResults " + folder + " is neither a results file nor a folder holding "
          + WriteResults.RESULT_FILES + " files");
    }
    return glob;
  }
}
