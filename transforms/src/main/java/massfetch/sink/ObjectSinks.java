package massfetch.sink;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.beam.sdk.options.PipelineOptions;

/** Opens the {@link ObjectSink} for an output location, by its scheme, from the registered {@link ObjectStore}s. */
public final class ObjectSinks {
  /**
   * Every registered store by scheme, in registration order. Loaded with this module's class loader,
   * which on a Flink worker is the job jar's own, not the thread's context loader.
   */
  private static final Map<String, ObjectStore> STORES = load();

  private ObjectSinks() {}

  private static Map<String, ObjectStore> load() {
    Map<String, ObjectStore> stores = new LinkedHashMap<>();
    for (ObjectStore store : ServiceLoader.load(ObjectStore.class, ObjectStore.class.getClassLoader())) {
      ObjectStore earlier = stores.putIfAbsent(store.scheme(), store);
      if (earlier != null) {
        throw new IllegalStateException("two stores registered for " + store.scheme() + "://: "
            + earlier.getClass().getName() + " and " + store.getClass().getName());
      }
    }
    return Collections.unmodifiableMap(stores); // Map.copyOf would lose the registration order
  }

  /** The scheme of an output location: {@code file} for a plain path. */
  public static String schemeOf(String output) {
    int colon = output.indexOf("://");
    if (colon <= 0) {
      return "file";
    }
    return output.substring(0, colon).toLowerCase(Locale.ROOT);
  }

  /** The store of a location, when one is registered for its scheme. */
  public static Optional<ObjectStore> storeOf(String location) {
    return Optional.ofNullable(STORES.get(schemeOf(location)));
  }

  /** Every registered store. */
  public static Iterable<ObjectStore> stores() {
    return STORES.values();
  }

  /** Each registered store's own options interface, in registration order (see {@link ObjectStore#optionsInterface()}). */
  public static List<Class<? extends PipelineOptions>> optionsInterfaces() {
    List<Class<? extends PipelineOptions>> all = new ArrayList<>();
    for (ObjectStore store : STORES.values()) {
      if (store.optionsInterface() != null) {
        all.add(store.optionsInterface());
      }
    }
    return all;
  }

  /** Every store's default settings, by scheme (stores without settings left out). */
  static Map<String, StoreSettings> defaultSettings() {
    Map<String, StoreSettings> all = new LinkedHashMap<>();
    for (ObjectStore store : STORES.values()) {
      StoreSettings settings = store.defaultSettings();
      if (settings != null) {
        all.put(settings.scheme(), settings);
      }
    }
    return Collections.unmodifiableMap(all);
  }

  /**
   * Every store's settings from the job's parsed options; a value a store cannot use is an {@link
   * IllegalArgumentException} with one line naming the option.
   */
  public static List<StoreSettings> settingsFrom(PipelineOptions options) {
    List<StoreSettings> all = new ArrayList<>();
    for (ObjectStore store : STORES.values()) {
      StoreSettings settings = store.settings(options);
      if (settings != null) {
        all.add(settings);
      }
    }
    return all;
  }

  /** Whether a location is in a remote object store (see {@link ObjectStore#remote()}). */
  public static boolean isRemote(String location) {
    return storeOf(location).map(ObjectStore::remote).orElse(false);
  }

  /** Opens the sink for {@code config.output()}; the caller closes it. */
  public static ObjectSink open(SinkConfig config) {
    return storeOf(config.output())
        .orElseThrow(() -> new IllegalArgumentException("unsupported output scheme '" + schemeOf(config.output())
            + "://' (use a local folder, " + remoteSchemes() + ")"))
        .open(config);
  }

  /** The local path of a {@code file} scheme location: a plain path or a {@code file://} URI. */
  public static Path localPath(String output) {
    if (output.startsWith("file://")) {
      return Path.of(URI.create(output));
    }
    return Path.of(output);
  }

  private static String remoteSchemes() {
    return String.join(" or ", STORES.values().stream().filter(ObjectStore::remote)
        .map(s -> s.scheme() + "://").sorted().toList());
  }
}
