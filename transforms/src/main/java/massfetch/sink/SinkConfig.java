package massfetch.sink;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;

/** Everything a worker needs to open the {@link ObjectSink} for the job's output. */
@AutoValue
public abstract class SinkConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  // Defaults, written only here: the builder starts from them and SinkOptions' @Default
  // annotations name them.
  public static final boolean DEFAULT_OVERWRITE = false;
  public static final int DEFAULT_LOCAL_WRITE_THREADS = 8;
  /** {@link Durability#parse} of this is the default durability. */
  public static final String DEFAULT_DURABILITY = "full";
  public static final int DEFAULT_MAX_UPLOADS_IN_FLIGHT = 256;
  public static final int DEFAULT_STORE_TIMEOUT_SECONDS = 60;
  /** Longest store request deadline accepted: a day (and what fits a client's int milliseconds). */
  public static final int MAX_STORE_TIMEOUT_SECONDS = 86_400;
  public static final double DEFAULT_MAX_WRITES_PER_SECOND = 0;
  public static final boolean DEFAULT_WRITE_RAMP_UP = false;

  /** Output prefix: a local folder, {@code gs://bucket/prefix} or {@code s3://bucket/prefix}. */
  public abstract String output();

  /** Replace objects that are already stored; off by default so re-runs never rewrite. */
  public abstract boolean overwrite();

  /** Threads that write local files (blocking file I/O kept off the HTTP client's threads). */
  public abstract int localWriteThreads();

  /** How far a local file is forced to disk before its put completes. */
  public abstract Durability durability();

  /**
   * Hidden temp files older than this (epoch milliseconds) are a killed worker's leftovers: the
   * local sink removes them from the folders it writes. 0: none are removed.
   */
  public abstract long staleTempBefore();

  /** Uploads in flight at once, for object stores. */
  public abstract int maxUploadsInFlight();

  /** Deadline for one object-store request (connect, send, answer), in seconds. */
  public abstract int storeTimeoutSeconds();

  /** Storage class of new objects (S3: STANDARD_IA…; GCS: NEARLINE…); null for the bucket's default. */
  public abstract @Nullable String storageClass();

  /** {@code Cache-Control} of new objects on S3 and GCS; null for none. */
  public abstract @Nullable String cacheControl();

  /** User metadata added to every new object on S3 and GCS (besides source URL and MD5). */
  public abstract Map<String, String> objectMetadata();

  /**
   * Store requests per second for the whole job (puts and existence checks, retries included); 0
   * means no cap. Split over the job's parallelism like {@code --maxRequestsPerSecond}.
   */
  public abstract double maxWritesPerSecond();

  /**
   * Ramp store requests up as GCS asks of a new bucket: 1,000 per second at first, at most doubling
   * every 20 minutes (under {@link #maxWritesPerSecond()} when that is set too).
   */
  public abstract boolean writeRampUp();

  /**
   * Each store's own settings, by scheme: what its options said, made by the store itself (see
   * {@link ObjectStore#settings}), so this class names no store.
   */
  public abstract Map<String, StoreSettings> storeSettings();

  /** The settings of the store of {@code scheme}, as the type that store keeps them in. */
  public <T extends StoreSettings> T settings(String scheme, Class<T> type) {
    StoreSettings settings = storeSettings().get(scheme);
    if (settings == null) {
      throw new IllegalStateException("no settings for " + scheme + "://: is its store registered?");
    }
    return type.cast(settings);
  }

  public static Builder builder() {
    return new AutoValue_SinkConfig.Builder()
        .setOverwrite(DEFAULT_OVERWRITE)
        .setLocalWriteThreads(DEFAULT_LOCAL_WRITE_THREADS)
        .setDurability(Durability.parse(DEFAULT_DURABILITY))
        .setStaleTempBefore(0)
        .setMaxUploadsInFlight(DEFAULT_MAX_UPLOADS_IN_FLIGHT)
        .setStoreTimeoutSeconds(DEFAULT_STORE_TIMEOUT_SECONDS)
        .setObjectMetadata(Map.of())
        .setMaxWritesPerSecond(DEFAULT_MAX_WRITES_PER_SECOND)
        .setWriteRampUp(DEFAULT_WRITE_RAMP_UP)
        .setStoreSettings(ObjectSinks.defaultSettings());
  }

  public abstract Builder toBuilder();

  /** Builder for {@link SinkConfig}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setOutput(String output);

    public abstract Builder setOverwrite(boolean overwrite);

    public abstract Builder setLocalWriteThreads(int threads);

    public abstract Builder setMaxUploadsInFlight(int uploads);

    public abstract Builder setDurability(Durability durability);

    public abstract Builder setStaleTempBefore(long epochMillis);

    public abstract Builder setStoreTimeoutSeconds(int seconds);

    public abstract Builder setStorageClass(@Nullable String storageClass);

    public abstract Builder setCacheControl(@Nullable String cacheControl);

    abstract Builder setObjectMetadata(Map<String, String> metadata);

    /** Sets the metadata pairs (copied, in order). */
    public Builder setObjectMetadataPairs(Map<String, String> metadata) {
      return setObjectMetadata(Collections.unmodifiableMap(new LinkedHashMap<>(metadata)));
    }

    public abstract Builder setMaxWritesPerSecond(double perSecond);

    public abstract Builder setWriteRampUp(boolean rampUp);

    abstract Builder setStoreSettings(Map<String, StoreSettings> settings);

    abstract Map<String, StoreSettings> storeSettings();

    /** Sets the settings of one store, replacing those of its scheme (every store starts at its defaults). */
    public Builder setStore(StoreSettings settings) {
      Map<String, StoreSettings> all = new LinkedHashMap<>(storeSettings());
      all.put(settings.scheme(), settings);
      return setStoreSettings(Collections.unmodifiableMap(all));
    }

    abstract SinkConfig autoBuild();

    /** The configuration; a value no store could use is refused with a one-line message. */
    public SinkConfig build() {
      SinkConfig c = autoBuild();
      if (c.storeTimeoutSeconds() < 1 || c.storeTimeoutSeconds() > MAX_STORE_TIMEOUT_SECONDS) {
        throw new IllegalArgumentException("--storeTimeoutSeconds must be between 1 and " + MAX_STORE_TIMEOUT_SECONDS
            + ", got " + c.storeTimeoutSeconds());
      }
      return c;
    }
  }
}
