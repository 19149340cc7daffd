package massfetch.model;

import com.google.auto.value.AutoValue;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;

/**
 * The outcome of one manifest entry. Keeps the original input (url or raw line, source, line) beside
 * the error so a failure can be fixed and re-run.
 */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class FetchResult {
  /** URL fetched; for an invalid entry, the raw line (shortened). */
  public abstract String getUrl();

  /** Object key; null when the entry was too broken to have one. */
  public abstract @Nullable String getKey();

  public abstract Status getStatus();

  /** Last HTTP status seen, when a response arrived. */
  public abstract @Nullable Integer getHttpStatus();

  /** Bytes stored (0 unless {@code ok}). */
  public abstract long getBytes();

  /** MD5 of the stored bytes, lower-case hex. */
  public abstract @Nullable String getMd5();

  /** Content-Type the server sent: recorded, never trusted. */
  public abstract @Nullable String getContentType();

  /** HTTP requests sent for this entry, redirects included (0 when none was needed). */
  public abstract int getAttempts();

  /** Wall time from the first request to the stored object (or the final failure). */
  public abstract long getElapsedMs();

  /** Failure class or skip reason (see {@link ErrorClass}); null when ok. */
  public abstract @Nullable String getError();

  /** One human-readable line about the error. */
  public abstract @Nullable String getDetail();

  /** Tar mode: the published shard holding the image, relative to the output; null otherwise. */
  public abstract @Nullable String getShard();

  /** Tar mode: where the image's bytes start in {@link #getShard()}; null otherwise. */
  public abstract @Nullable Long getOffset();

  public abstract String getSource();

  public abstract long getLine();

  public static Builder builder() {
    return new AutoValue_FetchResult.Builder().setBytes(0).setAttempts(0).setElapsedMs(0);
  }


  /** A result for a request, with its input fields filled in. */
  public static Builder forRequest(FetchRequest request) {
    return builder()
        .setUrl(request.getUrl())
        .setKey(request.getKey())
        .setSource(request.getSource())
        .setLine(request.getLine());
  }

  public abstract Builder toBuilder();

  /** Builder for {@link FetchResult}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setUrl(String url);

    public abstract Builder setKey(@Nullable String key);

    public abstract Builder setStatus(Status status);

    public abstract Builder setHttpStatus(@Nullable Integer httpStatus);

    public abstract Builder setBytes(long bytes);

    public abstract Builder setMd5(@Nullable String md5);

    public abstract Builder setContentType(@Nullable String contentType);

    public abstract Builder setAttempts(int attempts);

    public abstract Builder setElapsedMs(long elapsedMs);

    public abstract Builder setError(@Nullable String error);

    public abstract Builder setDetail(@Nullable String detail);

    public abstract Builder setShard(@Nullable String shard);

    public abstract Builder setOffset(@Nullable Long offset);

    public abstract Builder setSource(String source);

    public abstract Builder setLine(long line);

    public abstract FetchResult build();
  }
}
