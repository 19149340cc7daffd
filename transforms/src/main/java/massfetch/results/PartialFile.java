package massfetch.results;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * One results file, written under a hidden {@code .partial-} name and published under its final
 * name by one rename when whole: a results file under its final name is never half-written, and
 * readers of {@code results-*.jsonl} never see one in progress.
 */
final class PartialFile {
  private final ResourceId partial;
  private final ResourceId finished;
  private final WritableByteChannel channel;

  private PartialFile(ResourceId partial, ResourceId finished) throws IOException {
    this.partial = partial;
    this.finished = finished;
    this.channel = FileSystems.create(partial, MimeTypes.TEXT);
  }

  /** Opens {@code .partial-<name>} in {@code directory}, to be published as {@code name}. */
  static PartialFile create(String directory, String name) throws IOException {
    ResourceId folder = FileSystems.matchNewResource(directory, true);
    return new PartialFile(
        folder.resolve(WriteResults.PARTIAL_PREFIX + name, StandardResolveOptions.RESOLVE_FILE),
        folder.resolve(name, StandardResolveOptions.RESOLVE_FILE));
  }

  /** Appends {@code text} and a newline. */
  void writeLine(String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Closes the file and gives it its final name. */
  void publish() throws IOException {
    channel.close();
    FileSystems.rename(List.of(partial), List.of(finished));
  }

  /** Closes and deletes the file: a bundle that failed leaves no half-written file behind. */
  void discard() throws IOException {
    try {
      channel.close();
    } finally {
      FileSystems.delete(List.of(partial), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }
}
