package massfetch.sink;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.auto.value.AutoValue;
import com.google.cloud.BaseServiceException;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobField;
import com.google.cloud.storage.Storage.BlobGetOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.StorageClass;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.http.impl.client.HttpClientBuilder;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectSink} on Google Cloud Storage ({@code gs://bucket/prefix}) through {@code
 * com.google.cloud:google-cloud-storage}'s JSON API client.
 *
 * <p>Each put is ONE request (a multipart upload: metadata and bytes together, no resumable
 * session). The client computes the CRC32C of the bytes it sends and GCS refuses the object if what
 * arrived differs; the MD5 GCS reports back is then compared with the fetched image's MD5, so an
 * {@code ok} always means the stored object has the fetched bytes. With overwriting off the upload
 * carries {@code ifGenerationMatch=0} ({@link BlobTargetOption#doesNotExist()}): GCS answers 412
 * when the object exists, and a metadata request then compares its size and md5Hash with the bytes
 * ({@link PutOutcome#ALREADY_EXISTS} or {@link PutOutcome#KEY_CONFLICT}), so a re-run or a retried
 * bundle never rewrites an object and a free key never needs a metadata request first.
 *
 * <p>The client blocks, so requests run on a pool of {@link SinkConfig#maxUploadsInFlight()}
 * threads behind an unbounded queue: {@link #put} returns at once and the fetch loop's own
 * in-flight limit bounds what waits in the queue. The client's own retries are off: the fetch loop
 * retries {@link StoreException}s with backoff, and one place deciding retries keeps attempts
 * countable.
 */
public final class GcsSink implements ObjectSink {
  /** Project id the emulator is told when none is configured (emulators accept any). */
  static final String EMULATOR_PROJECT = "massfetch-local";

  private final BucketPrefix location;
  private final boolean overwrite;
  private final SinkConfig config;
  private final @Nullable String userProject;
  private final Storage storage;
  private final ExecutorService uploads;

  private GcsSink(BucketPrefix location, SinkConfig config, Storage storage, ExecutorService uploads) {
    this.location = location;
    this.overwrite = config.overwrite();
    this.config = config;
    this.userProject = settingsOf(config).userProject();
    this.storage = storage;
    this.uploads = uploads;
  }

  /** Opens the sink for {@code config.output()}, a {@code gs://} location. */
  public static GcsSink open(SinkConfig config) {
    BucketPrefix location = BucketPrefix.parse(config.output(), "gs");
    int threads = Math.max(1, config.maxUploadsInFlight());
    return new GcsSink(
        location,
        config,
        storageFor(config, threads),
        SinkThreads.boundedPool("massfetch-gcs-upload", threads));
  }

  /** The {@code gs://} store's own settings in {@code config}. */
  public static Settings settingsOf(SinkConfig config) {
    return config.settings(Store.SCHEME, Settings.class);
  }

  static Storage storageFor(SinkConfig config, int connections) {
    HttpClientBuilder http =
        ApacheHttpTransport.newDefaultHttpClientBuilder()
            // The JDK transport keeps only 5 idle connections per host, so hundreds of concurrent
            // uploads would reconnect constantly; Apache's pool keeps one per upload thread.
            .setMaxConnTotal(connections)
            .setMaxConnPerRoute(connections);
    return storageFor(config, new ApacheHttpTransport(http.build()));
  }

  /** A client for {@code config}'s endpoint and project that sends its requests through {@code transport}. */
  public static Storage storageFor(SinkConfig config, HttpTransport transport) {
    int timeoutMillis = Math.toIntExact(TimeUnit.SECONDS.toMillis(config.storeTimeoutSeconds()));
    HttpStorageOptions.Builder options =
        HttpStorageOptions.http()
            .setTransportOptions(
                HttpTransportOptions.newBuilder()
                    .setHttpTransportFactory(() -> transport)
                    .setConnectTimeout(timeoutMillis)
                    .setReadTimeout(timeoutMillis)
                    .build())
            .setRetrySettings(ServiceOptions.getNoRetrySettings());
    Settings gcs = settingsOf(config);
    if (gcs.endpoint() != null) {
      options
          .setHost(hostOf(gcs.endpoint()))
          .setCredentials(NoCredentials.getInstance())
          .setProjectId(gcs.project() != null ? gcs.project() : EMULATOR_PROJECT);
    } else if (gcs.project() != null) {
      options.setProjectId(gcs.project());
    }
    return options.build().getService();
  }

  /**
   * The client wants the server root ({@code http://127.0.0.1:4443}); Beam's file system wants the
   * API base ({@code .../storage/v1/}), and both read the same {@code --gcsEndpoint}: accept either.
   */
  static String hostOf(String endpoint) {
    String host = endpoint;
    while (host.endsWith("/")) {
      host = host.substring(0, host.length() - 1);
    }
    String api = "/storage/v1";
    return host.endsWith(api) ? host.substring(0, host.length() - api.length()) : host;
  }

  @Override
  public CompletableFuture<Boolean> exists(String key) {
    BlobId id = BlobId.of(location.bucket(), location.objectName(key));
    return submit(
        () -> storage.get(id, getOptions(BlobField.NAME)) != null, location.uriOf(key));
  }

  @Override
  public CompletableFuture<PutOutcome> put(
      String key, byte[] bytes, String contentType, byte[] md5, String sourceUrl) {
    BlobInfo.Builder info =
        BlobInfo.newBuilder(BlobId.of(location.bucket(), location.objectName(key)))
            .setContentType(contentType)
            .setMetadata(ObjectMetadata.of(sourceUrl, md5, config.objectMetadata()));
    if (config.storageClass() != null) {
      info.setStorageClass(StorageClass.valueOfStrict(config.storageClass()));
    }
    if (config.cacheControl() != null) {
      info.setCacheControl(config.cacheControl());
    }
    List<BlobTargetOption> options = new ArrayList<>();
    options.add(BlobTargetOption.disableGzipContent());
    if (!overwrite) {
      options.add(BlobTargetOption.doesNotExist());
    }
    if (userProject != null) {
      options.add(BlobTargetOption.userProject(userProject));
    }
    String uri = location.uriOf(key);
    BlobInfo blob = info.build();
    return submit(
        () -> create(blob, bytes, md5, options.toArray(new BlobTargetOption[0]), uri), uri);
  }

  private BlobGetOption[] getOptions(BlobField... fields) {
    return userProject != null
        ? new BlobGetOption[] {
          BlobGetOption.fields(fields), BlobGetOption.userProject(userProject)
        }
        : new BlobGetOption[] {BlobGetOption.fields(fields)};
  }

  private PutOutcome create(
      BlobInfo info, byte[] bytes, byte[] md5, BlobTargetOption[] options, String uri) {
    Blob stored;
    String expected = Base64.getEncoder().encodeToString(md5);
    try {
      stored = storage.create(info, bytes, options);
    } catch (StorageException e) {
      if (e.getCode() == 412 && !overwrite) {
        return compareStored(info.getBlobId(), bytes.length, expected, uri);
      }
      throw e;
    }
    if (stored.getMd5() != null && !expected.equals(stored.getMd5())) {
      // The CRC32C check makes this all but impossible; if it happens, retrying rewrites the same key
      // only when overwriting is on, so an object stored with overwrite off stays as GCS has it.
      throw new StoreException(
          "GCS stored " + uri + " with MD5 " + stored.getMd5() + ", expected " + expected, true, null);
    }
    return PutOutcome.STORED;
  }

  /** The key is taken: the same size and md5Hash is the same object, anything else a conflict. */
  private PutOutcome compareStored(BlobId id, long size, String md5Base64, String uri) {
    Blob found = storage.get(id, getOptions(BlobField.SIZE, BlobField.MD5HASH));
    if (found == null) {
      throw new StoreException("GCS said " + uri + " exists, then that it does not", true, null);
    }
    boolean same =
        found.getSize() != null
            && found.getSize() == size
            && (found.getMd5() == null || found.getMd5().equals(md5Base64));
    return same ? PutOutcome.ALREADY_EXISTS : PutOutcome.KEY_CONFLICT;
  }

  /** Deletes the object under {@code key} (the pre-flight probe's clean-up). */
  CompletableFuture<Void> delete(String key) {
    BlobId id = BlobId.of(location.bucket(), location.objectName(key));
    Storage.BlobSourceOption[] options =
        userProject != null
            ? new Storage.BlobSourceOption[] {
              Storage.BlobSourceOption.userProject(userProject)
            }
            : new Storage.BlobSourceOption[0];
    return submit(
        () -> {
          storage.delete(id, options);
          return null;
        },
        location.uriOf(key));
  }

  private <T> CompletableFuture<T> submit(Supplier<T> call, String uri) {
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return call.get();
            } catch (BaseServiceException e) {
              throw classify(e, uri);
            }
          },
          uploads);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new StoreUnavailableException("GCS sink is closed; cannot write " + uri, e));
    }
  }

  /** Maps a client error to the sink contract: retry, fail the entry, or fail the bundle. */
  static RuntimeException classify(BaseServiceException e, String uri) {
    int code = e.getCode();
    String message = "GCS " + (code > 0 ? code + " " : "") + describe(e) + " at " + uri;
    if (code == 401 || code == 403) {
      return new StoreUnavailableException(message, e);
    }
    if (code == 404) {
      // Uploads and gets address an existing bucket; 404 on them means the bucket is gone.
      return new StoreUnavailableException(message + " (bucket not found?)", e);
    }
    if (code == 429 || code == 503) {
      // GCS's request-rate limit (a bucket ramping up): the pacing layer slows down and retries.
      return StoreException.slowDown(message, null, e);
    }
    if (StoreException.isTimeout(e)) {
      return StoreException.timedOut(message, e);
    }
    if (code == 0 || isTransientIo(e)) {
      // No HTTP answer at all: refused, reset or timed out. The store may come back.
      return new StoreException(message, true, e);
    }
    if (code == 408 || code == 429 || code >= 500) {
      return new StoreException(message, true, e);
    }
    if (code == 400 && (mentions(e, "hash") || mentions(e, "checksum") || mentions(e, "crc32c"))) {
      // The bytes were damaged on the way: sending them again is the fix.
      return new StoreException(message, true, e);
    }
    return new StoreException(message, false, e);
  }

  private static boolean isTransientIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static boolean mentions(BaseServiceException e, String word) {
    String m = e.getMessage();
    return m != null && m.toLowerCase(Locale.ROOT).contains(word);
  }

  private static String describe(BaseServiceException e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline);
  }

  @Override
  public String locationOf(String key) {
    return location.uriOf(key);
  }

  @Override
  public void close() {
    SinkThreads.shutdown(uploads);
    try {
      storage.close();
    } catch (Exception e) {
      // Closing releases connections only; every put already completed or failed its future.
      LoggerFactory.getLogger(GcsSink.class).warn("closing the GCS client failed", e);
    }
  }

  /** The {@code gs://} store's own settings, from {@link GcsStoreOptions}. */
  @AutoValue
  public abstract static class Settings implements StoreSettings {
    private static final long serialVersionUID = 1L;

    /** GCS JSON API endpoint, for emulators; null for the real service. */
    public abstract @Nullable String endpoint();

    /** GCS project, when Application Default Credentials do not name one. */
    public abstract @Nullable String project();

    /** GCS project billed for requests to a requester-pays bucket; null for none. */
    public abstract @Nullable String userProject();

    @Override
    public String scheme() {
      return Store.SCHEME;
    }

    public static Builder builder() {
      return new AutoValue_GcsSink_Settings.Builder();
    }

    /** The settings the options say; a malformed endpoint is refused in one line. */
    public static Settings from(GcsStoreOptions o) {
      EndpointUrl.check("--gcsEndpoint", o.getGcsEndpoint());
      return builder()
          .setEndpoint(o.getGcsEndpoint())
          .setProject(o.getGcsProject())
          .setUserProject(o.getUserProject())
          .build();
    }

    /** Builder for {@link Settings}. */
    @AutoValue.Builder
    public abstract static class Builder {
      public abstract Builder setEndpoint(@Nullable String endpoint);

      public abstract Builder setProject(@Nullable String project);

      public abstract Builder setUserProject(@Nullable String project);

      public abstract Settings build();
    }
  }

  /** Google Cloud Storage, {@code gs://bucket/prefix}. Registered in META-INF/services. */
  public static final class Store implements ObjectStore {
    static final String SCHEME = "gs";

    @Override
    public String scheme() {
      return SCHEME;
    }

    @Override
    public Class<GcsStoreOptions> optionsInterface() {
      return GcsStoreOptions.class;
    }

    @Override
    public Settings settings(PipelineOptions options) {
      return Settings.from(options.as(GcsStoreOptions.class));
    }

    @Override
    public Settings defaultSettings() {
      return Settings.builder().build();
    }

    @Override
    public ObjectSink open(SinkConfig config) {
      return GcsSink.open(config);
    }

    @Override
    public boolean remote() {
      return true;
    }

    /**
     * Application Default Credentials, found the way the client library looks for them but without
     * its last step, a request to the Compute Engine metadata server that blocks for a long time
     * off Google's network.
     */
    @Override
    public String setupProblem(SinkConfig config, java.util.Map<String, String> env) {
      if (settingsOf(config).endpoint() != null) {
        return null; // emulators take no credentials
      }
      String fix = "run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS"
          + " to a service-account key file";
      String named = env.get("GOOGLE_APPLICATION_CREDENTIALS");
      if (named != null && !named.isBlank()) {
        return java.nio.file.Files.isReadable(java.nio.file.Path.of(named))
            ? null
            : "GOOGLE_APPLICATION_CREDENTIALS names " + named + ", which is not a readable file: " + fix;
      }
      String gcloud = env.get("CLOUDSDK_CONFIG");
      java.nio.file.Path folder =
          gcloud != null && !gcloud.isBlank()
              ? java.nio.file.Path.of(gcloud)
              : java.nio.file.Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config", "gcloud");
      if (java.nio.file.Files.isReadable(folder.resolve("application_default_credentials.json"))) {
        return null;
      }
      if (onGoogleCompute(env)) {
        return null;
      }
      return "no Google credentials: " + fix;
    }

    /** Compute Engine (and GKE) say so in the machine's product name; a metadata host may be set. */
    private static boolean onGoogleCompute(java.util.Map<String, String> env) {
      if (env.get("GCE_METADATA_HOST") != null) {
        return true;
      }
      try {
        String product = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/dmi/id/product_name"));
        return product.contains("Google");
      } catch (IOException | SecurityException e) {
        return false;
      }
    }

    @Override
    public @Nullable Answer answerOf(Throwable failure) {
      // The client reports a connection it could not make as code 0: no answer at all.
      if (!(failure instanceof BaseServiceException) || ((BaseServiceException) failure).getCode() <= 0) {
        return null;
      }
      BaseServiceException b = (BaseServiceException) failure;
      return new Answer(b.getCode(), b.getReason());
    }

    /** Names the IAM permissions, the requester-pays project and the endpoint option. */
    @Override
    public @Nullable String probeHint(@Nullable Answer answer, String detail, SinkConfig config) {
      if (answer == null) {
        return StoreProbe.noAnswer(settingsOf(config).endpoint(), detail, "--gcsEndpoint");
      }
      if (answer.status() == 401 || answer.status() == 403) {
        return StoreProbe.accessDenied(detail,
            "grant the account storage.objects.create and storage.objects.delete on the bucket"
                + (settingsOf(config).userProject() == null ? ", or set --userProject for a requester-pays bucket" : ""));
      }
      return null;
    }

    @Override
    public CompletableFuture<Void> deleteProbe(ObjectSink sink, String key) {
      return ((GcsSink) sink).delete(key);
    }

    /** An emulator's endpoint takes no credentials: Beam's file system is told to send none. */
    @Override
    public void configureFileSystem(PipelineOptions options, SinkConfig config, boolean used) {
      Settings settings = settingsOf(config);
      org.apache.beam.sdk.extensions.gcp.options.GcsOptions gcs =
          options.as(org.apache.beam.sdk.extensions.gcp.options.GcsOptions.class);
      if (settings.endpoint() != null) {
        gcs.setGcsEndpoint(fileSystemApiUrl(settings.endpoint()));
        gcs.setCredentialFactoryClass(org.apache.beam.sdk.extensions.gcp.auth.NoopCredentialFactory.class);
      }
      if (settings.project() != null) {
        gcs.setProject(settings.project());
      }
    }

    /** Beam wants the full JSON API base ({@code .../storage/v1/}); the sink wants only the host. */
    static String fileSystemApiUrl(String endpoint) {
      String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
      return base.endsWith("/storage/v1") ? base + "/" : base + "/storage/v1/";
    }
  }
}
