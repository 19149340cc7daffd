package massfetch.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import javax.annotation.Nullable;
import massfetch.metrics.JobMetrics;
import massfetch.metrics.ResultCounter;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;

/** Streams one manifest file, emitting a request per good entry and a failed result per bad one. */
class ReadManifestFileFn extends DoFn<FileIO.ReadableFile, FetchRequest> {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN_INPUT_CHARS = 200;

  private final @Nullable String baseUrl;
  private final int maxLineBytes;
  private final boolean onlyFailed;
  private final boolean pathsEncoded;
  private final Counter entries = JobMetrics.counter(JobMetrics.MANIFEST_ENTRIES);
  private final ResultCounter results = new ResultCounter();

  /** Keys under this folder (relative to the output, no trailing slash) are refused; null: none. */
  private final @Nullable String reservedKeyPrefix;

  ReadManifestFileFn(
      @Nullable String baseUrl,
      int maxLineBytes,
      boolean onlyFailed,
      boolean pathsEncoded,
      @Nullable String reservedKeyPrefix) {
    this.baseUrl = baseUrl;
    this.maxLineBytes = maxLineBytes;
    this.onlyFailed = onlyFailed;
    this.pathsEncoded = pathsEncoded;
    this.reservedKeyPrefix = reservedKeyPrefix;
  }

  private static boolean isUnder(String key, String folder) {
    return key.equals(folder) || key.startsWith(folder + "/");
  }

  @ProcessElement
  public void processElement(@Element FileIO.ReadableFile file, MultiOutputReceiver out)
      throws IOException {
    String source = file.getMetadata().resourceId().toString();
    ManifestParser parser =
        new ManifestParser(
            ManifestFormat.forFileName(file.getMetadata().resourceId().getFilename()), baseUrl, source, onlyFailed, pathsEncoded);
    try (InputStream in = Channels.newInputStream(file.open())) {
      BoundedLineReader reader = new BoundedLineReader(in, maxLineBytes);
      BoundedLineReader.Line line;
      while ((line = reader.next()) != null) {
        if (line.tooLong) {
          entries.inc();
          out.get(ReadManifest.INVALID)
              .output(invalid("<line over " + maxLineBytes + " bytes>", source, line.number,
                  "line longer than " + maxLineBytes + " bytes"));
          continue;
        }
        if (line.notUtf8) {
          entries.inc();
          out.get(ReadManifest.INVALID)
              .output(invalid("<not UTF-8>", source, line.number, "line is not valid UTF-8"));
          continue;
        }
        if (ManifestParser.isSkippable(line.text)) {
          continue;
        }
        try {
          FetchRequest request = parser.parse(line.text, line.number);
          if (request != null && reservedKeyPrefix != null && isUnder(request.getKey(), reservedKeyPrefix)) {
            throw new InvalidEntryException("object key is under " + reservedKeyPrefix
                + "/, the results folder, which a run clears");
          }
          if (request != null) {
            entries.inc();
            out.get(ReadManifest.REQUESTS).output(request);
          }
        } catch (InvalidEntryException e) {
          entries.inc();
          out.get(ReadManifest.INVALID).output(invalid(shown(line.text), source, line.number, e.getMessage()));
        }
      }
    }
  }

  private FetchResult invalid(String input, String source, long line, String reason) {
    return results.count(FetchResult.builder()
        .setUrl(input)
        .setStatus(Status.FAILED)
        .setError(ErrorClass.INVALID_ENTRY)
        .setDetail("line " + line + ": " + reason)
        .setSource(source)
        .setLine(line)
        .build());
  }

  /** The raw line as it may appear in a result: shortened, control characters made visible. */
  private static String shown(String text) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), SHOWN_INPUT_CHARS));
    for (int i = 0; i < text.length() && b.length() < SHOWN_INPUT_CHARS; i++) {
      char c = text.charAt(i);
      b.append(c < 0x20 || c == 0x7F ? '?' : c);
    }
    return b.toString();
  }
}
