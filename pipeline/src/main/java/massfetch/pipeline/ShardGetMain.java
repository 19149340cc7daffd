package massfetch.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import massfetch.shard.IndexEntry;
import massfetch.shard.ShardReader;
import massfetch.shard.ShardStore;
import massfetch.shard.ShardStores;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code scripts/massfetch-get KEY --from=<output>}: finds one image of a tar output in the shards'
 * indexes and fetches it with one range request, to stdout or {@code --save=FILE}; {@code --where}
 * prints its index entry instead. Exit 0 when found, 1 when no index lists the key, 2 for a usage
 * mistake, each failure as one line on stderr.
 */
public final class ShardGetMain {
  private ShardGetMain() {}

  /** The stores' own options (endpoints, region, project...), as each registered store declares them. */
  private static final List<String> STORE_OPTIONS = HelpText.optionNames(ObjectSinks.optionsInterfaces());

  static final String USAGE = "usage: massfetch-get KEY --from=<output> [--save=FILE | --where] ["
      + STORE_OPTIONS.stream().map(o -> "--" + o + "=…").collect(Collectors.joining(" ")) + "]";

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> keys = new ArrayList<>();
    String from = null;
    String save = null;
    boolean where = false;
    List<String> storeArgs = new ArrayList<>();
    for (String arg : args) {
      String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      switch (name) {
        case "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "--from" -> from = value;
        case "--save" -> save = value;
        case "--where" -> where = true;
        default -> {
          if (!arg.startsWith("--")) {
            keys.add(arg);
          } else if (STORE_OPTIONS.contains(name.substring(2))) {
            storeArgs.add(arg);
          } else {
            err.println("massfetch-get: error: unknown option " + name + "; " + USAGE);
            return 2;
          }
        }
      }
    }
    if (keys.size() != 1 || from == null || from.isBlank()) {
      err.println("massfetch-get: error: give one KEY and --from=<output>; " + USAGE);
      return 2;
    }
    if (!ShardStores.supports(from)) {
      err.println("massfetch-get: error: --from must be a local folder, gs:// or s3://, got " + from);
      return 2;
    }
    String key = keys.get(0);
    SinkConfig config;
    try {
      config = config(from, storeArgs);
    } catch (IllegalArgumentException e) {
      err.println("massfetch-get: error: " + OptionErrors.wrongType(e.getMessage(), storeArgs.toArray(String[]::new))
          .orElseGet(() -> MassfetchMain.oneLine(e.getMessage())));
      return 2;
    }
    try (ShardStore store = ShardStores.open(config)) {
      ShardReader reader = new ShardReader(store);
      Optional<IndexEntry> entry = reader.find(key);
      if (entry.isEmpty()) {
        err.println("massfetch-get: " + key + " is in no published shard index under " + from);
        return 1;
      }
      if (where) {
        out.println(entry.get().toJson());
        return 0;
      }
      byte[] image = reader.read(entry.get());
      if (save != null) {
        Files.write(Path.of(save), image);
      } else {
        out.write(image);
        out.flush();
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("massfetch-get: error: " + e.getMessage());
      return 1;
    }
  }

  /** The configuration of {@code from} with the stores' own options, each store reading its own. */
  private static SinkConfig config(String from, List<String> storeArgs) {
    SinkConfig.Builder config = SinkConfig.builder().setOutput(from);
    ObjectSinks.settingsFrom(PipelineOptionsFactory.fromArgs(storeArgs.toArray(String[]::new)).create())
        .forEach(config::setStore);
    return config.build();
  }
}
