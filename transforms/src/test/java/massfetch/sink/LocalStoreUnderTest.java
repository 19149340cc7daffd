package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import massfetch.sink.StoreTestSupport.TestObject;

/** A local folder of the test's own: the file is the object, and holds nothing besides its bytes. */
final class LocalStoreUnderTest extends StoreUnderTest {
  private final Path root;

  LocalStoreUnderTest() throws Exception {
    super("local");
    root = Files.createTempDirectory("massfetch-sink-test-");
  }

  @Override
  SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder().setOutput(root.resolve(prefix).toString());
  }

  @Override
  byte[] read(String prefix, String key) throws Exception {
    Path file = root.resolve(prefix).resolve(key);
    return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
  }

  @Override
  void assertRecorded(String prefix, TestObject o) throws Exception {
    assertEquals(StoreTestSupport.hex(o.md5), StoreTestSupport.hex(StoreTestSupport.md5(read(prefix, o.key))),
        "md5 of " + key(prefix, o));
  }

  /** A folder nobody may write in (as root, the test cannot make one, so there is none). */
  @Override
  String unavailableOutput() throws Exception {
    Path locked = Files.createDirectory(root.resolve("locked"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
    return Files.isWritable(locked) ? null : locked.resolve("out").toString();
  }

  private static String key(String prefix, TestObject o) {
    return prefix + "/" + o.key;
  }

  @Override
  public void close() throws Exception {
    try (var files = Files.walk(root)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        p.toFile().setWritable(true);
        p.toFile().delete();
      });
    }
  }
}
