package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static massfetch.sink.StoreTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.TestObject;
import massfetch.sink.StoreUnderTest.Opener;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What only {@link GcsSink} does, against each GCS JSON API server (fake-gcs-server,
 * gcp-storage-emulator, started by {@code scripts/storage-emulators.sh}): object options. What every
 * sink does is {@link ObjectSinkContractTest}. Skipped unless {@code MASSFETCH_TEST_GCS_SERVERS} or
 * {@code MASSFETCH_TEST_GCS_ENDPOINT} is set.
 */
class GcsSinkTest {
  static Stream<Arguments> servers() {
    return StoreUnderTest.gcs();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenObjectOptions_whenPutting_thenSourceUrlMd5AndOptionsAreOnTheObject(String label, Opener opener)
      throws Exception {
    try (GcsStoreUnderTest store = (GcsStoreUnderTest) opener.open()) {
      String prefix = store.prefix();
      TestObject o = StoreTestSupport.objects("meta", 1, 8).get(0);
      SinkConfig config = store.config(prefix)
          .setStorageClass("NEARLINE")
          .setCacheControl("public, max-age=86400")
          .setObjectMetadataPairs(Map.of("batch", "2026-12, first"))
          .setStore(GcsSink.Settings.builder().setEndpoint(store.endpoint).setUserProject("massfetch-billing").build())
          .build();
      try (GcsSink sink = GcsSink.open(config)) {
        assertEquals(PutOutcome.STORED,
            await(sink.put(o.key, o.bytes, o.contentType, o.md5, "http://origin.example/a.png")));
      }
      JsonNode meta = store.metadata(prefix, o.key);
      assertEquals("http://origin.example/a.png", meta.path("metadata").path(ObjectMetadata.SOURCE_URL).asText());
      assertEquals(hex(o.md5), meta.path("metadata").path(ObjectMetadata.MD5).asText());
      assertEquals("2026-12, first", meta.path("metadata").path("batch").asText());
      assertEquals("public, max-age=86400", meta.path("cacheControl").asText(), meta.toString());
      assertEquals("NEARLINE", meta.path("storageClass").asText(), meta.toString());
    }
  }
}
