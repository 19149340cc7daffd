package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import massfetch.sink.StoreTestSupport.TestObject;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One store a sink test runs against: how to configure the sink for it, and how to read an object
 * back without the sink under test. Every registered {@link ObjectStore} has one; {@link #all()}
 * lists the local folder and each configured S3 and GCS server.
 */
abstract class StoreUnderTest implements AutoCloseable {
  /** The server's name (e.g. {@code s3proxy}), or {@code local}. */
  final String server;

  StoreUnderTest(String server) {
    this.server = server;
  }

  /**
   * The local folder, then every S3 and every GCS server that {@code scripts/storage-emulators.sh
   * env} names; an API with no server configured is one entry whose tests skip with the reason.
   */
  static Stream<Arguments> all() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("local", (Opener) LocalStoreUnderTest::new));
    s3().forEach(out::add);
    gcs().forEach(out::add);
    return out.stream();
  }

  /** Every configured S3 server. */
  static Stream<Arguments> s3() {
    return servers("s3", StoreTestSupport.S3_SERVERS_VAR, StoreTestSupport.S3_ENDPOINT_VAR, S3StoreUnderTest::new);
  }

  /** Every configured GCS server. */
  static Stream<Arguments> gcs() {
    return servers("gcs", StoreTestSupport.GCS_SERVERS_VAR, StoreTestSupport.GCS_ENDPOINT_VAR, GcsStoreUnderTest::new);
  }

  private static Stream<Arguments> servers(String api, String listVar, String endpointVar, Remote make) {
    return StoreTestSupport.servers(listVar, endpointVar).map(a -> {
      String name = (String) a.get()[0];
      String url = (String) a.get()[1];
      Opener open = () -> {
        assumeTrue(url != null, endpointVar + StoreTestSupport.HOW_TO_RUN);
        return make.open(name, url);
      };
      return Arguments.of(api + " " + name, open);
    });
  }

  /** Makes the store when its test starts, so a missing server is that test's skip, not an error. */
  interface Opener {
    StoreUnderTest open() throws Exception;
  }

  private interface Remote {
    StoreUnderTest open(String name, String url) throws Exception;
  }

  /** A fresh prefix (folder) for one test. */
  String prefix() {
    return "sink-test/" + UUID.randomUUID();
  }

  /** The sink's configuration for {@code prefix}. */
  abstract SinkConfig.Builder config(String prefix);

  /** The bytes of {@code prefix/key} read past the sink, or null when there is no such object. */
  abstract byte[] read(String prefix, String key) throws Exception;

  /** Asserts what the store recorded of the object besides its bytes (its MD5, content type). */
  abstract void assertRecorded(String prefix, TestObject o) throws Exception;

  /** An output location whose bucket or folder cannot be written; null when the store has none. */
  abstract String unavailableOutput() throws Exception;

  /** Whether a put with overwriting off is refused by the store when the object exists. */
  boolean honoursNoOverwrite() {
    return true;
  }

  /** The {@code storage-emulators.sh} name to stop and start this server by; null: cannot be. */
  String ctlName() {
    return StoreTestSupport.persistentCtlName(server);
  }

  /** The bytes, then what the store recorded. */
  final void assertStored(String prefix, TestObject o) throws Exception {
    assertArrayEquals(o.bytes, read(prefix, o.key), "bytes of " + prefix + "/" + o.key);
    assertRecorded(prefix, o);
  }

  @Override
  public void close() throws Exception {}
}
