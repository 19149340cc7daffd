package massfetch.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A temp folder of this JVM's own for an embedded Flink run, removed when the run ends.
 *
 * <p>An embedded Flink unpacks its RPC system, a 22 MB {@code flink-rpc-akka<uuid>.jar}, into its
 * first {@code io.tmp.dirs} folder ({@code /tmp} by default) and deletes it only when the mini
 * cluster has finished closing, which runs on after the job's result is back: a launcher that exits
 * then left one such jar behind in about every other run. Its web server also leaves an empty
 * {@code flink-web-upload} folder in {@code web.tmpdir} ({@code /tmp} too). Pointing both at a
 * folder of the run's own (through a generated {@code --flinkConfDir}) lets the run remove it.
 * Nothing is done when the user gave {@code --flinkConfDir} or {@code FLINK_CONF_DIR}: their
 * configuration decides.
 *
 * <pre>{@code
 * Optional<EmbeddedFlinkTemp> temp = EmbeddedFlinkTemp.createIfNeeded(options, System.getenv());
 * try { ... run the job ... } finally { temp.ifPresent(EmbeddedFlinkTemp::close); }
 * }</pre>
 */
final class EmbeddedFlinkTemp implements AutoCloseable {
  private final Path root;

  private EmbeddedFlinkTemp(Path root) {
    this.root = root;
  }

  /** The folder for an embedded Flink run that brings no configuration of its own, else empty. */
  static Optional<EmbeddedFlinkTemp> createIfNeeded(PipelineOptions options, Map<String, String> env)
      throws IOException {
    boolean embedded = FlinkOptionsByName.get(options, "getFlinkMaster")
        .map(m -> !FlinkDefaults.isCluster(m.toString())).orElse(false);
    boolean configured = FlinkOptionsByName.get(options, "getFlinkConfDir").isPresent()
        || (env.get("FLINK_CONF_DIR") != null && !env.get("FLINK_CONF_DIR").isBlank());
    if (!embedded || configured) {
      return Optional.empty();
    }
    Path root = Files.createTempDirectory("massfetch-flink-");
    Path conf = Files.createDirectories(root.resolve("conf"));
    Path tmp = Files.createDirectories(root.resolve("tmp"));
    // Flink 1.19 reads config.yaml (standard YAML); the path is quoted for YAML's sake. The web
    // server's folder (its upload folder) goes there too: it defaults to java.io.tmpdir as well.
    String quoted = "\"" + tmp.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    Files.writeString(conf.resolve("config.yaml"),
        "io.tmp.dirs: " + quoted + "\nweb.tmpdir: " + quoted + "\n", StandardCharsets.UTF_8);
    EmbeddedFlinkTemp temp = new EmbeddedFlinkTemp(root);
    if (!FlinkOptionsByName.set(options, "setFlinkConfDir", conf.toString())) {
      temp.close();
      return Optional.empty();
    }
    return Optional.of(temp);
  }

  /** Removes the folder and everything in it; the JVM may still hold files open, which Linux allows. */
  @Override
  public void close() {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // Best effort: a leftover temp folder is not worth failing a finished job over.
    }
  }
}
