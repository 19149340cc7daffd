package massfetch.resume;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import massfetch.shard.IndexEntry;
import massfetch.shard.ShardStore;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The keys of every image in a published tar shard under an output: read from the shards' indexes
 * ({@code <output>/shards/*.index.jsonl}), one file per shard, so resuming a tar output costs a
 * listing of the shards folder and a read per 10,000 images, never a request per key. No index
 * (a first run) means no keys.
 *
 * <pre>{@code
 * PCollection<String> done = p.apply("ReadShardIndexKeys", ReadShardIndexKeys.under("gs://b/images"));
 * }</pre>
 */
public final class ReadShardIndexKeys extends PTransform<PBegin, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String output;

  private ReadShardIndexKeys(String output) {
    this.output = output;
  }

  public static ReadShardIndexKeys under(String output) {
    return new ReadShardIndexKeys(output);
  }

  /** The glob of the index files under {@code output}. */
  static String indexGlob(String output) {
    String base = output.endsWith("/") ? output : output + "/";
    return base + ShardStore.FOLDER + "/" + ShardStore.indexNameOf("*");
  }

  @Override
  public PCollection<String> expand(PBegin input) {
    return input
        .apply("MatchShardIndexes", FileIO.match().filepattern(indexGlob(output))
            .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
        .apply("OpenShardIndexes", FileIO.readMatches())
        .apply("IndexedKeys", ParDo.of(new IndexedKeysFn()));
  }

  static class IndexedKeysFn extends DoFn<FileIO.ReadableFile, String> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void processElement(@Element FileIO.ReadableFile file, OutputReceiver<String> out) throws IOException {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(Channels.newInputStream(file.open()), StandardCharsets.UTF_8), 1 << 16)) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!line.isBlank()) {
            // A published index is whole (it is published last, in one step): a bad line is a bug
            // or damage worth failing for, not a key to fetch again silently.
            out.output(IndexEntry.parse(line).key());
          }
        }
      }
    }
  }
}
