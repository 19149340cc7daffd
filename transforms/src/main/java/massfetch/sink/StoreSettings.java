package massfetch.sink;

import java.io.Serializable;

/**
 * One store's own settings (endpoint, region, addressing…), made by its {@link ObjectStore} from
 * the store's options interface and carried to the workers inside {@link SinkConfig}, keyed by
 * {@link #scheme()}: the shared configuration holds them without knowing any store.
 */
public interface StoreSettings extends Serializable {
  /** The scheme of the store these settings belong to, e.g. {@code s3}. */
  String scheme();
}
