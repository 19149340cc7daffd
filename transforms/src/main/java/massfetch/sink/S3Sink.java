package massfetch.sink;

import com.google.auto.value.AutoValue;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.annotation.Nullable;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * An {@link ObjectSink} on Amazon S3 or an S3-compatible store ({@code s3://bucket/prefix})
 * through the AWS SDK v2 {@link S3AsyncClient} on Netty: no thread waits on an upload.
 *
 * <p>Each put is ONE {@code PutObject} request with {@code Content-MD5}, so the store refuses
 * damaged bytes ({@code BadDigest}). With overwriting off it carries {@code If-None-Match: *} and
 * the store answers 412 when the key exists; a HEAD then compares the stored object with the bytes
 * ({@link PutOutcome#ALREADY_EXISTS} or {@link PutOutcome#KEY_CONFLICT}): a re-run or retried bundle
 * never rewrites an object, at one extra request only for a key that is taken. For a store that does not honour
 * that header, {@link Settings#conditionalWrites()} off makes the sink HEAD the key first (one
 * more request per object, and a small race between two writers of one key). The header is added
 * through the request's override configuration because the SDK version Beam ships predates the
 * typed {@code ifNoneMatch} field. Puts carry no {@code Expect: 100-continue} ({@link
 * NoExpectContinue}).
 *
 * <p>Connections and concurrent requests are capped at {@link SinkConfig#maxUploadsInFlight()}.
 * Endpoint and path-style addressing come from the store's {@link Settings}; region and credentials from the default
 * provider chains (environment, system properties, profile, instance role). The SDK's own retries
 * are off: the fetch loop retries {@link StoreException}s with backoff.
 */
public final class S3Sink implements ObjectSink {
  /** Region used with a custom endpoint when no region is configured anywhere. */
  static final Region ENDPOINT_DEFAULT_REGION = Region.US_EAST_1;

  private final BucketPrefix location;
  private final boolean overwrite;
  private final boolean conditionalWrites;
  private final S3AsyncClient client;
  private final Map<String, String> objectMetadata;
  private final String storageClass;
  private final String cacheControl;
  private final String kmsKeyId;

  private S3Sink(BucketPrefix location, SinkConfig config, S3AsyncClient client) {
    this.location = location;
    this.overwrite = config.overwrite();
    this.conditionalWrites = settingsOf(config).conditionalWrites();
    this.client = client;
    this.objectMetadata = config.objectMetadata();
    this.storageClass = config.storageClass();
    this.cacheControl = config.cacheControl();
    this.kmsKeyId = settingsOf(config).kmsKeyId();
  }

  /** The {@code s3://} store's own settings in {@code config}. */
  public static Settings settingsOf(SinkConfig config) {
    return config.settings(Store.SCHEME, Settings.class);
  }

  /** Opens the sink for {@code config.output()}, an {@code s3://} location. */
  public static S3Sink open(SinkConfig config) {
    return new S3Sink(BucketPrefix.parse(config.output(), "s3"), config, clientFor(config));
  }

  public static S3AsyncClient clientFor(SinkConfig config) {
    Settings s3 = settingsOf(config);
    Duration timeout = Duration.ofSeconds(config.storeTimeoutSeconds());
    int connections = Math.max(1, config.maxUploadsInFlight());
    S3AsyncClientBuilder builder =
        S3AsyncClient.builder()
            .httpClientBuilder(
                NettyNioAsyncHttpClient.builder()
                    .maxConcurrency(connections)
                    .connectionTimeout(Duration.ofSeconds(Math.min(10, config.storeTimeoutSeconds())))
                    .connectionAcquisitionTimeout(timeout)
                    .readTimeout(timeout)
                    .writeTimeout(timeout))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .addExecutionInterceptor(new NoExpectContinue())
                    .retryPolicy(RetryPolicy.none())
                    .apiCallTimeout(timeout)
                    .build())
            .credentialsProvider(DefaultCredentialsProvider.create())
            .region(regionFor(config))
            .serviceConfiguration(
                S3Configuration.builder()
                    .pathStyleAccessEnabled(s3.pathStyle())
                    // The SDK would hash every body again (MD5, on the event loop) to compare with
                    // the ETag; the put already carries the fetched bytes' MD5 as Content-MD5, which
                    // the store checks before it keeps the object, so the second hash buys nothing.
                    .checksumValidationEnabled(false)
                    .build());
    if (s3.endpoint() != null) {
      builder.endpointOverride(URI.create(s3.endpoint()));
    }
    return builder.build();
  }

  /**
   * The configured region; else, for a custom endpoint, the environment, system properties or
   * profile file and then us-east-1 (never the EC2 metadata service: an S3-compatible store does
   * not care, and the lookup would wait on a network call); else the SDK's default chain.
   */
  static Region regionFor(SinkConfig config) {
    return regionFor(settingsOf(config).region(), settingsOf(config).endpoint());
  }

  static Region regionFor(String region, String endpoint) {
    if (region != null) {
      return Region.of(region);
    }
    try {
      if (endpoint != null) {
        return new AwsRegionProviderChain(
                new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
            .getRegion();
      }
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      if (endpoint != null) {
        return ENDPOINT_DEFAULT_REGION;
      }
      throw new IllegalArgumentException(
          "no AWS region: set --s3Region, AWS_REGION or a profile region", e);
    }
  }

  @Override
  public CompletableFuture<Boolean> exists(String key) {
    String uri = location.uriOf(key);
    HeadObjectRequest head =
        HeadObjectRequest.builder().bucket(location.bucket()).key(location.objectName(key)).build();
    return client
        .headObject(head)
        .handle(
            (response, error) -> {
              if (error == null) {
                return true;
              }
              Throwable cause = unwrap(error);
              if (cause instanceof AwsServiceException
                  && ((AwsServiceException) cause).statusCode() == 404) {
                return false;
              }
              throw classify(cause, "checking " + uri);
            });
  }

  @Override
  public CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    if (overwrite || conditionalWrites) {
      return upload(key, bytes, contentType, md5, sourceUrl);
    }
    return compareStored(key, bytes, md5, false)
        .thenCompose(
            found ->
                found != null
                    ? CompletableFuture.completedFuture(found)
                    : upload(key, bytes, contentType, md5, sourceUrl));
  }

  private CompletableFuture<PutOutcome> upload(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    PutObjectRequest.Builder request =
        PutObjectRequest.builder()
            .bucket(location.bucket())
            .key(location.objectName(key))
            .contentType(contentType)
            .contentLength((long) bytes.length)
            .contentMD5(Base64.getEncoder().encodeToString(md5))
            .metadata(ObjectMetadata.of(sourceUrl, md5, objectMetadata));
    if (storageClass != null) {
      request.storageClass(storageClass);
    }
    if (cacheControl != null) {
      request.cacheControl(cacheControl);
    }
    if (kmsKeyId != null) {
      request.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(kmsKeyId);
    }
    boolean conditional = !overwrite && conditionalWrites;
    if (conditional) {
      request.overrideConfiguration(o -> o.putHeader("If-None-Match", "*"));
    }
    String uri = location.uriOf(key);
    CompletableFuture<PutOutcome> result;
    try {
      result =
          client
              .putObject(request.build(), AsyncRequestBody.fromBytes(bytes))
              .handle(
                  (response, error) -> {
                    if (error == null) {
                      return CompletableFuture.completedFuture(PutOutcome.STORED);
                    }
                    Throwable cause = unwrap(error);
                    if (conditional
                        && cause instanceof AwsServiceException
                        && ((AwsServiceException) cause).statusCode() == 412) {
                      return compareStored(key, bytes, md5, true);
                    }
                    throw classify(cause, "writing " + uri);
                  })
              .thenCompose(f -> f);
    } catch (IllegalStateException e) {
      // The client was closed under us: the worker is shutting down, not the store failing.
      result =
          CompletableFuture.failedFuture(
              new StoreUnavailableException("S3 sink is closed; cannot write " + uri, e));
    }
    return result;
  }

  /**
   * Compares the object stored under {@code key} with {@code bytes}: {@link
   * PutOutcome#ALREADY_EXISTS} when size and MD5 agree, {@link PutOutcome#KEY_CONFLICT} when not,
   * null when nothing is stored. The MD5 is the object's {@code md5} metadata when it has one, else
   * its ETag, which is the MD5 for a single PUT without SSE-KMS; a stored object whose MD5 cannot
   * be told (a multipart upload by another tool) is judged by its size alone.
   *
   * @param mustExist the store just said the key is taken: an object gone by now is a retryable
   *     fault, not a free key
   */
  private CompletableFuture<PutOutcome> compareStored(
      String key, byte[] bytes, byte[] md5, boolean mustExist) {
    String uri = location.uriOf(key);
    HeadObjectRequest head =
        HeadObjectRequest.builder().bucket(location.bucket()).key(location.objectName(key)).build();
    return client
        .headObject(head)
        .handle(
            (response, error) -> {
              if (error == null) {
                return sameObject(response, bytes, md5)
                    ? PutOutcome.ALREADY_EXISTS
                    : PutOutcome.KEY_CONFLICT;
              }
              Throwable cause = unwrap(error);
              boolean missing =
                  cause instanceof AwsServiceException
                      && ((AwsServiceException) cause).statusCode() == 404;
              if (missing && !mustExist) {
                return null;
              }
              if (missing) {
                throw new StoreException(
                    "S3 said " + uri + " exists, then that it does not", true, cause);
              }
              throw classify(cause, "checking " + uri);
            });
  }

  private boolean sameObject(HeadObjectResponse stored, byte[] bytes, byte[] md5) {
    if (stored.contentLength() == null || stored.contentLength() != bytes.length) {
      return false;
    }
    String hex = HexFormat.of().formatHex(md5);
    String recorded = stored.metadata().get(ObjectMetadata.MD5);
    if (recorded != null) {
      return recorded.equalsIgnoreCase(hex);
    }
    String etag = stored.eTag() == null ? "" : stored.eTag().replace("\"", "");
    if (kmsKeyId == null && etag.matches("[0-9a-fA-F]{32}")) {
      return etag.equalsIgnoreCase(hex);
    }
    return true;
  }

  /** Deletes the object under {@code key} (the pre-flight probe's clean-up). */
  CompletableFuture<Void> delete(String key) {
    String uri = location.uriOf(key);
    return client
        .deleteObject(b -> b.bucket(location.bucket()).key(location.objectName(key)))
        .handle(
            (response, error) -> {
              if (error != null) {
                throw classify(unwrap(error), "deleting " + uri);
              }
              return null;
            });
  }

  /** Maps an SDK error to the sink contract: retry, fail the entry, or fail the bundle. */
  static RuntimeException classify(Throwable cause, String what) {
    if (cause instanceof StoreException || cause instanceof StoreUnavailableException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof AwsServiceException) {
      AwsServiceException e = (AwsServiceException) cause;
      int status = e.statusCode();
      String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
      String message = "S3 " + status + (code != null ? " " + code : "") + " " + what;
      if (status == 401 || status == 403) {
        return new StoreUnavailableException(message, e);
      }
      if (status == 404 || "NoSuchBucket".equals(code)) {
        return new StoreUnavailableException(message + " (bucket not found?)", e);
      }
      if (status == 501) {
        return new StoreUnavailableException(
            message + " (store lacks a feature; for If-None-Match run with --s3ConditionalWrites=false)", e);
      }
      if (status == 429 || status == 503 || "SlowDown".equals(code)) {
        // The store's request-rate limit (per prefix on AWS): the pacing layer slows down and retries.
        return StoreException.slowDown(message, retryAfterOf(e), e);
      }
      if (status == 408 || status == 409 || status == 429 || status >= 500) {
        return new StoreException(message, true, e);
      }
      if ("BadDigest".equals(code)
          || "RequestTimeout".equals(code)
          || "IncompleteBody".equals(code)
          || "InvalidDigest".equals(code)) {
        return new StoreException(message, true, e);
      }
      return new StoreException(message, false, e);
    }
    if (cause instanceof SdkClientException
        && String.valueOf(cause.getMessage()).contains("Unable to load credentials")) {
      // Nothing this worker sends can succeed, like a 403: fail the bundle, not every entry.
      return new StoreUnavailableException("S3: no credentials on this worker (set AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY, or a profile, where the workers run) " + what, cause);
    }
    if (cause instanceof SdkClientException && StoreException.isTimeout(cause)) {
      return StoreException.timedOut("S3 " + describe(cause) + " " + what, cause);
    }
    if (cause instanceof SdkClientException) {
      // No answer from the store: refused, reset, timed out. It may come back.
      return new StoreException("S3 " + describe(cause) + " " + what, true, cause);
    }
    if (cause instanceof SdkException) {
      return new StoreException("S3 " + describe(cause) + " " + what, false, cause);
    }
    return new StoreException("S3 " + describe(cause) + " " + what, true, cause);
  }

  private static String retryAfterOf(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null
        ? null
        : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").orElse(null);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m != null ? ": " + m : "");
  }

  @Override
  public String locationOf(String key) {
    return location.uriOf(key);
  }

  @Override
  public void close() {
    client.close();
  }

  /** The {@code s3://} store's own settings, from {@link S3StoreOptions}. */
  @AutoValue
  public abstract static class Settings implements StoreSettings {
    private static final long serialVersionUID = 1L;

    // Defaults, written only here: the builder starts from them and S3StoreOptions names them.
    public static final boolean DEFAULT_PATH_STYLE = false;
    public static final boolean DEFAULT_CONDITIONAL_WRITES = true;

    /** S3 endpoint, for S3-compatible stores; null for AWS. */
    public abstract @Nullable String endpoint();

    /** S3 region; null for the default provider chain. */
    public abstract @Nullable String region();

    /** Path-style S3 addressing, which most S3-compatible stores need. */
    public abstract boolean pathStyle();

    /**
     * Send {@code If-None-Match: *} on puts when overwriting is off, so the store itself refuses to
     * replace an object (AWS S3, MinIO and S3Proxy honour it). Turn off for a store that rejects the
     * header; the sink then asks with a HEAD before each put, which costs a request per object and
     * leaves a small race between two writers of the same key.
     */
    public abstract boolean conditionalWrites();

    /** KMS key for server-side encryption (SSE-KMS) of new objects; null for the bucket's default. */
    public abstract @Nullable String kmsKeyId();

    @Override
    public String scheme() {
      return Store.SCHEME;
    }

    public static Builder builder() {
      return new AutoValue_S3Sink_Settings.Builder()
          .setPathStyle(DEFAULT_PATH_STYLE)
          .setConditionalWrites(DEFAULT_CONDITIONAL_WRITES);
    }

    /** The settings the options say; a malformed endpoint is refused in one line. */
    public static Settings from(S3StoreOptions o) {
      EndpointUrl.check("--s3Endpoint", o.getS3Endpoint());
      return builder()
          .setEndpoint(o.getS3Endpoint())
          .setRegion(o.getS3Region())
          .setPathStyle(o.getS3PathStyle())
          .setConditionalWrites(o.getS3ConditionalWrites())
          .setKmsKeyId(o.getS3KmsKeyId())
          .build();
    }

    /** Builder for {@link Settings}. */
    @AutoValue.Builder
    public abstract static class Builder {
      public abstract Builder setEndpoint(@Nullable String endpoint);

      public abstract Builder setRegion(@Nullable String region);

      public abstract Builder setPathStyle(boolean pathStyle);

      public abstract Builder setConditionalWrites(boolean conditionalWrites);

      public abstract Builder setKmsKeyId(@Nullable String keyId);

      public abstract Settings build();
    }
  }

  /** Amazon S3 and S3-compatible stores, {@code s3://bucket/prefix}. Registered in META-INF/services. */
  public static final class Store implements ObjectStore {
    static final String SCHEME = "s3";

    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public Class<S3StoreOptions> optionsInterface() {
      return S3StoreOptions.class;
    }

    @Override
    public Settings settings(PipelineOptions options) {
      return Settings.from(options.as(S3StoreOptions.class));
    }

    @Override
    public Settings defaultSettings() {
      return Settings.builder().build();
    }

    @Override
    public ObjectSink open(SinkConfig config) {
      return S3Sink.open(config);
    }

    @Override
    public boolean remote() {
      return true;
    }

    /** Region and credentials, looked up without a request to the store. */
    @Override
    public String setupProblem(SinkConfig config, Map<String, String> env) {
      try {
        regionFor(config);
      } catch (IllegalArgumentException e) {
        return "no AWS region: set --s3Region or AWS_REGION";
      }
      try (DefaultCredentialsProvider credentials = DefaultCredentialsProvider.create()) {
        credentials.resolveCredentials();
      } catch (SdkException e) {
        return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a"
            + " profile in ~/.aws/credentials";
      }
      return null;
    }

    @Override
    public @Nullable Answer answerOf(Throwable failure) {
      if (!(failure instanceof AwsServiceException) || ((AwsServiceException) failure).statusCode() <= 0) {
        return null;
      }
      AwsServiceException a = (AwsServiceException) failure;
      return new Answer(a.statusCode(), a.awsErrorDetails() != null ? a.awsErrorDetails().errorCode() : null);
    }

    /** Names the AWS credentials, IAM actions, KMS key and endpoint options a failure points at. */
    @Override
    public @Nullable String probeHint(@Nullable Answer answer, String detail, SinkConfig config) {
      if (answer == null) {
        return StoreProbe.noAnswer(settingsOf(config).endpoint(), detail, "--s3Endpoint");
      }
      if ("InvalidAccessKeyId".equals(answer.code()) || "SignatureDoesNotMatch".equals(answer.code())) {
        return "the store refused the credentials (" + detail
            + "): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile)";
      }
      if (answer.status() == 401 || answer.status() == 403) {
        return StoreProbe.accessDenied(detail, "grant s3:PutObject and s3:DeleteObject on the prefix"
            + (settingsOf(config).kmsKeyId() != null ? " and kms:GenerateDataKey on the key" : ""));
      }
      if (answer.status() == 400 && (config.storageClass() != null || settingsOf(config).kmsKeyId() != null)) {
        return StoreProbe.refused(detail, "--storageClass and --s3KmsKeyId");
      }
      return null;
    }

    @Override
    public CompletableFuture<Void> deleteProbe(ObjectSink sink, String key) {
      return ((S3Sink) sink).delete(key);
    }

    /**
     * A custom endpoint is an S3-compatible store or an emulator, which Beam's file system reaches
     * only path-style (see {@link S3CompatibleClientBuilderFactory}). A job with no {@code s3://}
     * location and no region or endpoint gets a fixed region, which it then never uses: without
     * one, registering Beam's S3 file system (which every job does) runs the AWS default region
     * chain, whose last step asks the EC2 metadata service, a network wait at every start outside
     * AWS.
     */
    @Override
    public void configureFileSystem(PipelineOptions options, SinkConfig config, boolean used) {
      Settings settings = settingsOf(config);
      org.apache.beam.sdk.io.aws2.options.S3Options s3 =
          options.as(org.apache.beam.sdk.io.aws2.options.S3Options.class);
      if (settings.endpoint() != null) {
        s3.setEndpoint(URI.create(settings.endpoint()));
      }
      if (settings.region() != null || settings.endpoint() != null) {
        s3.setAwsRegion(regionFor(settings.region(), settings.endpoint()));
      } else if (!used) {
        s3.setAwsRegion(software.amazon.awssdk.regions.Region.US_EAST_1);
      }
      if (settings.pathStyle() || settings.endpoint() != null) {
        s3.setS3ClientFactoryClass(S3CompatibleClientBuilderFactory.class);
      }
    }
  }
}
