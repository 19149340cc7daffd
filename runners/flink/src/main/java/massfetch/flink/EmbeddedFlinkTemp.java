package massfetch.flink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.runners.flink.FlinkPipelineOptions;

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
  /** Passes over the folder at most, and the pause between them, when Flink is still closing. */
  static final int ATTEMPTS = 20;
  static final long RETRY_MILLIS = 100;

  private final Path root;

  private EmbeddedFlinkTemp(Path root) {
    this.root = root;
  }

  /** The folder for an embedded Flink run that brings no configuration of its own, else empty. */
  static Optional<EmbeddedFlinkTemp> createIfNeeded(FlinkPipelineOptions options, Map<String, String> env)
      throws IOException {
    boolean embedded = !FlinkDefaults.isCluster(options.getFlinkMaster());
    boolean configured = options.getFlinkConfDir() != null
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
    options.setFlinkConfDir(conf.toString());
    // One more pass when the JVM exits, for what Flink's closing threads make after close().
    Runtime.getRuntime().addShutdownHook(new Thread(temp::close, "massfetch-flink-temp-removal"));
    return Optional.of(temp);
  }

  /**
   * Removes the folder and everything in it; the JVM may still hold files open, which Linux allows.
   * Flink's mini cluster may still be closing and deleting its own files in it (its RPC jar, its
   * blob and I/O folders): a file that vanishes under us is skipped, and a folder that is not empty
   * yet is tried again shortly. Gives up quietly after about {@code ATTEMPTS × RETRY_MILLIS}: a
   * leftover temp folder is not worth failing a finished job over.
   */
  @Override
  public void close() {
    remove(root);
  }

  /** What {@link #close} does, for any folder. */
  static void remove(Path root) {
    for (int attempt = 0; attempt < ATTEMPTS && Files.exists(root, LinkOption.NOFOLLOW_LINKS); attempt++) {
      if (attempt > 0 && !pause()) {
        return;
      }
      removeTree(root);
    }
  }

  /** One pass, depth first. Files.walk would stop at the first entry deleted under it. */
  private static void removeTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          if (e != null && !(e instanceof NoSuchFileException)) {
            throw e;
          }
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // A folder that got a new entry while we emptied it (DirectoryNotEmptyException), or an
      // entry we could not read: close() tries again.
    }
  }

  private static boolean pause() {
    try {
      Thread.sleep(RETRY_MILLIS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
