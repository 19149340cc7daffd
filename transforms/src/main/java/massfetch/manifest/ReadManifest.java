package massfetch.manifest;

import javax.annotation.Nullable;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads manifest files (a file or glob on any Beam file system; gzip and other compressions by
 * suffix) into {@link #REQUESTS}, and every line that cannot be an entry into {@link #INVALID} as a
 * failed {@code invalid_entry} result carrying its line number. Text, CSV/TSV, and JSON Lines results
 * files of an earlier run ({@code .jsonl}; see {@link #withOnlyFailed}) are read.
 *
 * <pre>{@code
 * PCollectionTuple manifest =
 *     p.apply("ReadManifest", ReadManifest.from("manifests/*.txt.gz").withBaseUrl("https://img.example"));
 * PCollection<FetchRequest> requests = manifest.get(ReadManifest.REQUESTS);
 * PCollection<FetchResult> invalid = manifest.get(ReadManifest.INVALID);
 * }</pre>
 */
public final class ReadManifest extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<FetchRequest> REQUESTS = new TupleTag<FetchRequest>() {};
  public static final TupleTag<FetchResult> INVALID = new TupleTag<FetchResult>() {};

  /** Longest manifest line read; longer ones are rejected without being buffered. */
  public static final int DEFAULT_MAX_LINE_BYTES = 8192;

  private final String filepattern;
  private final @Nullable String baseUrl;
  private final int maxLineBytes;
  private final boolean onlyFailed;
  private final boolean pathsEncoded;
  private final @Nullable String reservedKeyPrefix;

  private ReadManifest(
      String filepattern,
      @Nullable String baseUrl,
      int maxLineBytes,
      boolean onlyFailed,
      boolean pathsEncoded,
      @Nullable String reservedKeyPrefix) {
    this.filepattern = filepattern;
    this.baseUrl = baseUrl;
    this.maxLineBytes = maxLineBytes;
    this.onlyFailed = onlyFailed;
    this.pathsEncoded = pathsEncoded;
    this.reservedKeyPrefix = reservedKeyPrefix;
  }

  /**
   * Refuses keys under {@code folder} (relative to the output, e.g. {@code _results}) as {@code
   * invalid_entry}: the results folder lives there, and a run clears it. Null: no folder is reserved.
   */
  public ReadManifest withReservedFolder(@Nullable String folder) {
    String f = folder;
    while (f != null && f.endsWith("/")) {
      f = f.substring(0, f.length() - 1);
    }
    String reserved = f == null || f.isEmpty() ? null : f;
    return new ReadManifest(filepattern, baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reserved);
  }

  public static ReadManifest from(String filepattern) {
    return new ReadManifest(filepattern, null, DEFAULT_MAX_LINE_BYTES, false, false, null);
  }

  /** Base URL that relative manifest paths are appended to. */
  public ReadManifest withBaseUrl(@Nullable String baseUrl) {
    return new ReadManifest(filepattern, baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reservedKeyPrefix);
  }

  public ReadManifest withMaxLineBytes(int maxLineBytes) {
    return new ReadManifest(filepattern, baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reservedKeyPrefix);
  }

  /**
   * Of results records fed as a manifest ({@code results-*.jsonl}), only {@code failed} ones become
   * entries; the others are passed over like comments. Text and CSV lines are not affected.
   */
  public ReadManifest withOnlyFailed(boolean onlyFailed) {
    return new ReadManifest(filepattern, baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reservedKeyPrefix);
  }

  /**
   * Relative paths are already percent-encoded: {@code img%20one.png} is requested as written, like an
   * absolute URL, instead of as a file named with a percent sign ({@code img%2520one.png}).
   */
  public ReadManifest withPathsEncoded(boolean pathsEncoded) {
    return new ReadManifest(filepattern, baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reservedKeyPrefix);
  }

  /** Whether a manifest file of this name is read decompressed (by its suffix, e.g. {@code .gz}). */
  public static boolean isCompressed(String fileName) {
    return ManifestFormat.compressionSuffix(fileName) != null;
  }

  /** Whether a manifest file of this name is read as JSON Lines results records ({@code .jsonl}). */
  public static boolean isResults(String fileName) {
    return ManifestFormat.forFileName(fileName) == ManifestFormat.RESULTS;
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    return input
        .apply("MatchManifests", FileIO.match().filepattern(filepattern)
            .withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
        .apply("OpenManifests", FileIO.readMatches())
        .apply("ParseLines", ParDo.of(new ReadManifestFileFn(
                baseUrl, maxLineBytes, onlyFailed, pathsEncoded, reservedKeyPrefix))
            .withOutputTags(REQUESTS, TupleTagList.of(INVALID)));
  }
}
