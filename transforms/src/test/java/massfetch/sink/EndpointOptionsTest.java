package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link FileSystemsSetup} with the stores' own endpoint options: {@code --gcsEndpoint} is the same
 * property as Beam's {@link GcsOptions#getGcsEndpoint()}, so both readers must accept the value
 * the other one leaves there.
 */
class EndpointOptionsTest {

  @Test
  void givenStoreEndpointOptions_whenConfigured_thenBeamAndSinkAgreeOnEndpoints() {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--gcsEndpoint=http://127.0.0.1:4443", "--s3Endpoint=http://127.0.0.1:9000")
            .create();
    FileSystemsSetup.configure(options);

    GcsOptions gcs = options.as(GcsOptions.class);
    assertEquals("http://127.0.0.1:4443/storage/v1/", gcs.getGcsEndpoint());
    assertEquals(NoopCredentialFactory.class, gcs.getCredentialFactoryClass());
    // The job reads the store's (shared) option back after configure: the sink still finds the host.
    GcsSink.Settings settings = GcsSink.Settings.from(options.as(GcsStoreOptions.class));
    assertEquals("http://127.0.0.1:4443", GcsSink.hostOf(settings.endpoint()));

    S3Options s3 = options.as(S3Options.class);
    assertEquals(URI.create("http://127.0.0.1:9000"), s3.getEndpoint());
    assertEquals(S3CompatibleClientBuilderFactory.class, s3.getS3ClientFactoryClass());
    // Configuring twice (main, then a worker) changes nothing.
    FileSystemsSetup.configure(options);
    assertEquals("http://127.0.0.1:4443/storage/v1/", gcs.getGcsEndpoint());
  }
}
