package massfetch.sink;

import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * A {@link org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory} for Beam's {@code s3://}
 * file system on an S3-compatible store (MinIO, Ceph, S3Proxy, a {@code localhost} endpoint):
 *
 * <ul>
 *   <li>path-style addressing ({@code http://host/bucket/key}), since {@code bucket.localhost} and
 *       most private host names do not resolve;
 *   <li>Beam's writer always sends {@code x-amz-server-side-encryption-bucket-key-enabled: false},
 *       which stores without server-side encryption refuse (S3Proxy: 501). {@code false} is S3's
 *       default, so the header is dropped when it says {@code false} and kept when it says {@code
 *       true}.
 *   <li>no {@code Expect: 100-continue} on uploads ({@link NoExpectContinue}).
 * </ul>
 *
 * <p>Named in {@link S3Options#setS3ClientFactoryClass} by {@link FileSystemsSetup}; it travels to
 * the workers inside the pipeline options.
 */
public class S3CompatibleClientBuilderFactory extends DefaultS3ClientBuilderFactory {
  static final String BUCKET_KEY_HEADER = "x-amz-server-side-encryption-bucket-key-enabled";

  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = super.createBuilder(options).forcePathStyle(true);
    ClientOverrideConfiguration existing = builder.overrideConfiguration();
    ClientOverrideConfiguration.Builder override =
        existing != null ? existing.toBuilder() : ClientOverrideConfiguration.builder();
    return builder.overrideConfiguration(
        override
            .addExecutionInterceptor(new DropDefaultBucketKeyHeader())
            .addExecutionInterceptor(new NoExpectContinue())
            .build());
  }

  /** Removes {@code x-amz-server-side-encryption-bucket-key-enabled: false} before signing. */
  static final class DropDefaultBucketKeyHeader implements ExecutionInterceptor {
    @Override
    public SdkHttpRequest modifyHttpRequest(
        Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
      SdkHttpRequest request = context.httpRequest();
      String value = request.firstMatchingHeader(BUCKET_KEY_HEADER).orElse(null);
      if (value != null && value.equalsIgnoreCase("false")) {
        return request.toBuilder().removeHeader(BUCKET_KEY_HEADER).build();
      }
      return request;
    }
  }
}
