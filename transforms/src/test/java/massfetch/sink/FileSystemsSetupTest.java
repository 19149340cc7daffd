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
import org.apache.beam.sdk.io.aws2.options.S3Options;
import software.amazon.awssdk.regions.Region;
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

  @Test
  void givenJobWithoutS3Location_whenConfigured_thenS3FileSystemGetsAFixedRegionElseTheChainDecides() {
    // No region or endpoint given: Beam's S3 file system would run the AWS region chain at start.
    PipelineOptions local = PipelineOptionsFactory.create();
    FileSystemsSetup.configure(local, java.util.Arrays.asList("/data/manifest.txt", "/out", null));
    assertEquals(Region.US_EAST_1, local.as(S3Options.class).getAwsRegion());

    // The chain's first step is this system property: no network asked in the test.
    String before = System.setProperty("aws.region", "eu-north-1");
    try {
      PipelineOptions s3 = PipelineOptionsFactory.create();
      FileSystemsSetup.configure(s3, List.of("/data/manifest.txt", " S3://bucket/out"));
      assertEquals(Region.EU_NORTH_1, s3.as(S3Options.class).getAwsRegion(), "a job in S3 keeps the region the chain finds");
    } finally {
      if (before == null) {
        System.clearProperty("aws.region");
      } else {
        System.setProperty("aws.region", before);
      }
    }
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
