package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;

/**
 * {@link FileSystemsSetup} against the GCS and S3 emulators: Beam's own {@code gs://} and {@code
 * s3://} file systems read a gzipped manifest and write sharded results (temp files, then
 * finalisation by copy and delete) on each store, on the DirectRunner. Each test is skipped unless
 * its store's endpoint variable is set.
 */
class FileSystemsSetupTest {

  @Test
  void givenGcsEmulator_whenReadingManifestAndWritingResults_thenBeamFileSystemWorks()
      throws Exception {
    String endpoint = StoreTestSupport.env(StoreTestSupport.GCS_ENDPOINT_VAR);
    assumeTrue(endpoint != null, StoreTestSupport.GCS_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    PipelineOptions options = PipelineOptionsFactory.create();
    FileSystemsSetup.configure(
        options,
        SinkConfig.builder()
            .setOutput("gs://" + StoreTestSupport.bucket() + "/unused")
            .setStore(GcsSink.Settings.builder().setEndpoint(endpoint).build())
            .build());
    roundTrip(options, "gs://" + StoreTestSupport.bucket() + "/fs-test/" + UUID.randomUUID());
  }

  @Test
  void givenS3Emulator_whenReadingManifestAndWritingResults_thenBeamFileSystemWorks()
      throws Exception {
    String endpoint = StoreTestSupport.env(StoreTestSupport.S3_ENDPOINT_VAR);
    assumeTrue(endpoint != null, StoreTestSupport.S3_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    PipelineOptions options = PipelineOptionsFactory.create();
    FileSystemsSetup.configure(
        options,
        SinkConfig.builder()
            .setOutput("s3://" + StoreTestSupport.bucket() + "/unused")
            .setStore(S3Sink.Settings.builder().setEndpoint(endpoint).setPathStyle(true).build())
            .build());
    roundTrip(options, "s3://" + StoreTestSupport.bucket() + "/fs-test/" + UUID.randomUUID());
  }

  private static void roundTrip(PipelineOptions options, String base) throws Exception {
    List<String> manifest = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      manifest.add("images/" + i + ".png");
    }
    // A gzipped manifest, as a user would upload it.
    ResourceId manifestId = FileSystems.matchNewResource(base + "/manifest.txt.gz", false);
    try (OutputStream out =
        new GZIPOutputStream(
            Channels.newOutputStream(FileSystems.create(manifestId, MimeTypes.BINARY)))) {
      out.write((String.join("\n", manifest) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    Pipeline write = Pipeline.create(options);
    PCollection<String> lines =
        write.apply("ReadManifest", TextIO.read().from(base + "/manifest.txt.gz"));
    PAssert.that(lines).containsInAnyOrder(manifest);
    lines.apply(
        "WriteResults",
        TextIO.write().to(base + "/results/results").withSuffix(".jsonl").withNumShards(3));
    assertEquals(PipelineResult.State.DONE, write.run().waitUntilFinish());

    MatchResult shards = FileSystems.match(base + "/results/results-*.jsonl");
    assertEquals(3, shards.metadata().size(), "result shards on " + base);

    Pipeline read = Pipeline.create(options);
    PAssert.that(read.apply("ReadResults", TextIO.read().from(base + "/results/results-*.jsonl")))
        .containsInAnyOrder(manifest);
    assertEquals(PipelineResult.State.DONE, read.run().waitUntilFinish());
    System.out.println("file system round trip ok on " + base + ": 500 lines, 3 shards");
  }
}
