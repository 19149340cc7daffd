package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import massfetch.sink.StoreTestSupport.TestObject;

/**
 * A GCS JSON API server (fake-gcs-server, gcp-storage-emulator): objects are read back over plain
 * HTTP, not through the client library under test.
 */
final class GcsStoreUnderTest extends StoreUnderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final String endpoint;
  final String bucket = StoreTestSupport.bucket();

  GcsStoreUnderTest(String server, String endpoint) {
    super(server);
    this.endpoint = endpoint;
  }

  /**
   * gcp-storage-emulator is a Python server with a listen backlog of 5: more connections at once
   * are reset before it reads them (a limit of the emulator, not of the sink).
   */
  private int uploadsInFlight() {
    return "gcp-storage-emulator".equals(server) ? 4 : 16;
  }

  @Override
  SinkConfig.Builder config(String prefix) {
    return SinkConfig.builder()
        .setOutput("gs://" + bucket + "/" + prefix)
        .setStore(GcsSink.Settings.builder().setEndpoint(endpoint).build())
        .setMaxUploadsInFlight(uploadsInFlight())
        .setStoreTimeoutSeconds(20);
  }

  private String objectUrl(String name) {
    return endpoint + "/storage/v1/b/" + bucket + "/o/"
        + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  byte[] read(String prefix, String key) throws Exception {
    HttpResponse<byte[]> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(objectUrl(prefix + "/" + key) + "?alt=media")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    return r.statusCode() == 200 ? r.body() : null;
  }

  JsonNode metadata(String prefix, String key) throws Exception {
    String name = prefix + "/" + key;
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(objectUrl(name))).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), "metadata of " + name + ": " + r.body());
    return JSON.readTree(r.body());
  }

  @Override
  void assertRecorded(String prefix, TestObject o) throws Exception {
    JsonNode meta = metadata(prefix, o.key);
    assertEquals(Base64.getEncoder().encodeToString(o.md5), meta.path("md5Hash").asText(), "md5 of " + o.key);
    assertEquals(o.contentType, meta.path("contentType").asText(), "content type of " + o.key);
  }

  @Override
  String unavailableOutput() {
    return "gs://no-such-bucket-" + UUID.randomUUID() + "/p";
  }

  /**
   * gcp-storage-emulator ignores {@code ifGenerationMatch=0} and overwrites: a re-run against it
   * without {@code --skipExisting} rewrites every object.
   */
  @Override
  boolean honoursNoOverwrite() {
    return StoreTestSupport.honoursNoOverwritePrecondition(server);
  }
}
