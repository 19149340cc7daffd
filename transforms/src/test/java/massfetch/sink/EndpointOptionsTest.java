package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link FileSystemsSetup} with options shaped like the job's: its own {@code --gcsEndpoint} is
 * the same property as Beam's {@link GcsOptions#getGcsEndpoint()}, so both readers must accept the
 * value the other one leaves there.
 */
class EndpointOptionsTest {

  /** The job's sink options, as far as endpoints go. */
  public interface JobLikeOptions extends PipelineOptions {
    @Description("GCS endpoint")
    String getGcsEndpoint();

    void setGcsEndpoint(String value);

    @Description("S3 endpoint")
    String getS3Endpoint();

    void setS3Endpoint(String value);
  }

  @Test
  void givenJobEndpointOptions_whenConfigured_thenBeamAndSinkAgreeOnEndpoints() {
    JobLikeOptions options =
        PipelineOptionsFactory.fromArgs(
                "--gcsEndpoint=http://127.0.0.1:4443", "--s3Endpoint=http://127.0.0.1:9000")
            .as(JobLikeOptions.class);
    FileSystemsSetup.configure(
        options, options.getGcsEndpoint(), null, options.getS3Endpoint(), null, false);

    GcsOptions gcs = options.as(GcsOptions.class);
    assertEquals("http://127.0.0.1:4443/storage/v1/", gcs.getGcsEndpoint());
    assertEquals(NoopCredentialFactory.class, gcs.getCredentialFactoryClass());
    // The job reads its (shared) option back after configure: the sink still finds the host.
    assertEquals("http://127.0.0.1:4443", GcsSink.hostOf(options.getGcsEndpoint()));

    S3Options s3 = options.as(S3Options.class);
    assertEquals(URI.create("http://127.0.0.1:9000"), s3.getEndpoint());
    assertEquals(S3CompatibleClientBuilderFactory.class, s3.getS3ClientFactoryClass());
    // Configuring twice (main, then a worker) changes nothing.
    FileSystemsSetup.configure(options, options.getGcsEndpoint(), null, null, null, false);
    assertEquals("http://127.0.0.1:4443/storage/v1/", gcs.getGcsEndpoint());
  }
}
