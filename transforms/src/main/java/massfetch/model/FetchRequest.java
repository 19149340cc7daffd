package massfetch.model;

import com.google.auto.value.AutoValue;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;

/** One valid manifest entry: what to fetch, where to store it, and where it came from. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class FetchRequest {
  /** Absolute http(s) URL to fetch. */
  public abstract String getUrl();

  /** Object key relative to the output prefix; already checked so it cannot escape it. */
  public abstract String getKey();

  /** Manifest file the entry came from. */
  public abstract String getSource();

  /** 1-based line number in {@link #source()}. */
  public abstract long getLine();

  /** Size the manifest promised, when it had a size column. */
  public abstract @Nullable Long getExpectedSize();

  /** MD5 the manifest promised, normalised to lower-case hex. */
  public abstract @Nullable String getExpectedMd5();

  public static Builder builder() {
    return new AutoValue_FetchRequest.Builder();
  }


  public abstract Builder toBuilder();

  /** Builder for {@link FetchRequest}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setUrl(String url);

    public abstract Builder setKey(String key);

    public abstract Builder setSource(String source);

    public abstract Builder setLine(long line);

    public abstract Builder setExpectedSize(@Nullable Long expectedSize);

    public abstract Builder setExpectedMd5(@Nullable String expectedMd5);

    public abstract FetchRequest build();
  }
}
