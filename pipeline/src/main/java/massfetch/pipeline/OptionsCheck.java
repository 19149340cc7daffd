package massfetch.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import massfetch.sink.EndpointUrl;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;
import massfetch.sink.StoreProbe;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * Checks, before any work starts, what a user can get wrong: a manifest that is not there, a base
 * URL that is not http(s), an output or results location that cannot be written. Each problem is
 * one {@link UserError} line.
 */
final class OptionsCheck {
  private OptionsCheck() {}

  static void check(MassfetchOptions o) throws UserError {
    // An empty folder would mean the working folder, or for --results the root: clearing and
    // matching results files there walks the whole file system.
    checkNotBlank("--output", o.getOutput());
    checkNotBlank("--results", o.getResults());
    checkBaseUrl(o.getBaseUrl());
    checkStores(o);
    checkManifest(o.getManifest());
    checkWritableFolder("--output", o.getOutput());
    checkWritableFolder("--results", o.getResults());
    checkPreviousResults(o.getPreviousResults());
    checkNotReplaced("--manifest", o.getManifest(), o.getResults());
    checkNotReplaced("--previousResults", o.getPreviousResults(), o.getResults());
    if (o.getPreviousResults() != null && !o.getPreviousResultsAnyOutput()) {
      ResultsOutput.checkPrevious(o.getPreviousResults(), o.getOutput());
    }
    try {
      Configs.fetch(o);
      Configs.sink(o);
      OutputFormat.shards(o);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    checkHeaderEnv(o);
    if (!List.of("raw", "encoded").contains(o.getPathEncoding())) {
      throw new UserError("--pathEncoding must be raw or encoded, got '" + o.getPathEncoding() + "'");
    }
    if (o.getGroupSize() < 1 || o.getMinGroups() < 1) {
      throw new UserError("--groupSize and --minGroups must be at least 1");
    }
    if (o.getResultsFileRecords() < 1 || o.getResultsFileSeconds() < 1) {
      throw new UserError("--resultsFileRecords and --resultsFileSeconds must be at least 1");
    }
    if (!(o.getMaxFailureRatio() >= 0 && o.getMaxFailureRatio() <= 1)) {
      throw new UserError("--maxFailureRatio must be between 0 and 1 (a share of the entries), got " + o.getMaxFailureRatio());
    }
  }

  /**
   * The pre-flight of object stores: credentials and region for every gs:// or s3:// location, and
   * one probe object written and deleted in the output and results locations. Runs before the
   * manifest is matched and before the last run's results are cleared, which would otherwise be
   * the first to meet a missing region or credentials, with a long SDK message or a long hang.
   */
  private static void checkStores(MassfetchOptions o) throws UserError {
    if (!o.getPreflight()) {
      return;
    }
    SinkConfig sink;
    try {
      sink = Configs.sink(o);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    Map<String, String> env = System.getenv();
    String problem = StoreProbe.setupProblem("--manifest", o.getManifest(), sink, env);
    if (problem != null) {
      throw new UserError(problem);
    }
    for (String[] location : List.of(new String[] {"--output", o.getOutput()}, new String[] {"--results", o.getResults()})) {
      problem = StoreProbe.check(location[0], sink.toBuilder().setOutput(location[1]).build(), env);
      if (problem != null) {
        throw new UserError(problem);
      }
    }
  }

  private static void checkNotBlank(String option, String location) throws UserError {
    if (location == null || location.isBlank()) {
      throw new UserError(option + " is empty: give a local folder, gs://bucket/prefix or s3://bucket/prefix");
    }
  }

  /** When the workers run in this JVM, their header variables must be set here. */
  private static void checkHeaderEnv(MassfetchOptions o) throws UserError {
    if (o.getHeaderFromEnv() == null || !runsInThisJvm(o)) {
      return;
    }
    for (String h : o.getHeaderFromEnv()) {
      int colon = h.indexOf(':');
      String variable = colon > 0 ? h.substring(colon + 1).trim() : "";
      if (!variable.isEmpty() && System.getenv(variable) == null) {
        throw new UserError("--headerFromEnv names " + variable + ", which is not set in the environment");
      }
    }
  }

  private static boolean runsInThisJvm(MassfetchOptions o) {
    // The DirectRunner's workers are this JVM; a cluster's workers have their own environment.
    return o.getRunner().getSimpleName().equals("DirectRunner");
  }

  private static void checkBaseUrl(String baseUrl) throws UserError {
    checkHttpUrl("--baseUrl", baseUrl);
  }

  /**
   * Every store's own options (its endpoint, for one), checked by the store before the file systems
   * are set up with them: the storage SDKs answer a malformed endpoint with a NullPointerException.
   */
  static void checkEndpoints(MassfetchOptions o) throws UserError {
    try {
      ObjectSinks.settingsFrom(o);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  private static void checkHttpUrl(String option, String url) throws UserError {
    try {
      EndpointUrl.check(option, url);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  private static void checkManifest(String manifest) throws UserError {
    if (isMissingLocalFile(manifest)) {
      throw new UserError("--manifest matches no file: " + manifest);
    }
    MatchResult match;
    try {
      List<MatchResult> results = FileSystems.match(List.of(manifest), EmptyMatchTreatment.ALLOW);
      match = results.get(0);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("cannot read --manifest " + manifest + ": " + e.getMessage());
    }
    try {
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new UserError("--manifest matches no file: " + manifest);
      }
      readFirstByte(match.metadata().get(0).resourceId());
      for (MatchResult.Metadata m : match.metadata()) {
        ResourceId id = m.resourceId();
        if (ObjectSinks.schemeOf(id.toString()).equals("file") && !Files.isReadable(Path.of(id.toString()))) {
          throw new UserError("--manifest file is not readable: " + id);
        }
      }
    } catch (IOException e) {
      throw new UserError("--manifest matches no file: " + manifest);
    }
  }

  /** Proves the manifest can be read, not only listed (a bucket may allow one and not the other). */
  private static void readFirstByte(ResourceId id) throws UserError {
    if (ObjectSinks.schemeOf(id.toString()).equals("file")) {
      return; // checked for readability below, without opening it
    }
    try (ReadableByteChannel channel = FileSystems.open(id)) {
      channel.read(ByteBuffer.allocate(1));
    } catch (IOException | RuntimeException e) {
      String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
      throw new UserError("cannot read --manifest " + id + ": " + (why.length() > 160 ? why.substring(0, 157) + "..." : why));
    }
  }

  /**
   * True for a local path without wildcards that does not exist. Beam matches such a path by
   * walking the whole folder tree it would be in — for a mistyped name in a home folder, minutes —
   * so it is answered here first.
   */
  static boolean isMissingLocalFile(String spec) {
    if (!ObjectSinks.schemeOf(spec).equals("file") || spec.matches(".*[*?\\[{].*")) {
      return false;
    }
    try {
      return !Files.exists(ObjectSinks.localPath(spec));
    } catch (IllegalArgumentException e) {
      return false; // not a path: Beam's match reports it
    }
  }

  private static void checkPreviousResults(String previous) throws UserError {
    if (previous == null) {
      return;
    }
    if (isMissingLocalFile(previous)) {
      throw new UserError("--previousResults matches no file: " + previous);
    }
    try {
      if (ResultsLocation.matching(previous).isEmpty()) {
        throw new UserError("--previousResults matches no file: " + previous);
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError("cannot read --previousResults " + previous + ": " + e.getMessage());
    }
  }

  /**
   * An input must not be among the result files this run removes before it starts (the default
   * --results is where the last run's results are): reading them would find nothing.
   */
  private static void checkNotReplaced(String option, String input, String results) throws UserError {
    if (input == null || results == null) {
      return;
    }
    try {
      java.util.Set<String> replaced = new java.util.HashSet<>();
      for (ResourceId id : new ResultsLocation(results).previousFiles()) {
        replaced.add(id.toString());
      }
      for (ResourceId id : ResultsLocation.matching(input)) {
        if (replaced.contains(id.toString())) {
          throw new UserError(option + " reads " + id + ", which this run would replace with its own results:"
              + " give this run another --results folder (e.g. --results=" + sibling(results) + ")");
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable inputs are reported by their own checks; the results folder was checked writable.
    }
  }

  /** {@code <folder>-2}: a folder name suggested for a resumed run's results. */
  private static String sibling(String folder) {
    String f = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
    return f + "-2";
  }

  /** What went wrong with a file operation, in words rather than an exception name. */
  private static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "cannot create it there";
    }
    if (e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null) {
      return ((java.nio.file.FileSystemException) e).getReason();
    }
    return e.getMessage() != null ? e.getMessage() : "not writable";
  }

  /** For local folders: create them and prove a file can be written there. */
  private static void checkWritableFolder(String option, String location) throws UserError {
    if (!ObjectSinks.schemeOf(location).equals("file")) {
      return; // object stores are probed by checkStores
    }
    Path folder = ObjectSinks.localPath(location);
    try {
      Files.createDirectories(folder);
      Path probe = Files.createTempFile(folder, ".massfetch-probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      throw new UserError(option + " folder is not writable: " + folder + " (" + reason(e) + ")");
    }
  }
}
