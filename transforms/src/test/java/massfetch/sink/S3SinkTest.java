package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static massfetch.sink.StoreTestSupport.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.TestObject;
import massfetch.sink.StoreUnderTest.Opener;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * What only {@link S3Sink} does, against each S3 API server (S3Proxy, moto, started by {@code
 * scripts/storage-emulators.sh}): conditional writes off, a refused Content-MD5, object options and
 * SSE-KMS. What every sink does is {@link ObjectSinkContractTest}. Skipped unless {@code
 * MASSFETCH_TEST_S3_SERVERS} or {@code MASSFETCH_TEST_S3_ENDPOINT} is set; credentials come from the
 * default provider chain.
 */
class S3SinkTest {
  static Stream<Arguments> servers() {
    return StoreUnderTest.s3();
  }

  private static S3StoreUnderTest open(Opener opener) throws Exception {
    return (S3StoreUnderTest) opener.open();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenConditionalWritesOff_whenPutAgain_thenHeadFindsItAndObjectUnchanged(String label, Opener opener)
      throws Exception {
    try (S3StoreUnderTest store = open(opener)) {
      String prefix = store.prefix();
      List<TestObject> first = StoreTestSupport.objects("h", 20, 14);
      List<TestObject> second = StoreTestSupport.objects("h", 20, 15);
      try (S3Sink sink = S3Sink.open(store.config(prefix).setStore(store.settings().setConditionalWrites(false).build()).build())) {
        Map<String, PutOutcome> once = StoreTestSupport.putAll(sink, first);
        assertTrue(once.values().stream().allMatch(PutOutcome.STORED::equals), once.toString());
        Map<String, PutOutcome> same = StoreTestSupport.putAll(sink, first);
        assertTrue(same.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals), same.toString());
        Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
        assertTrue(again.values().stream().allMatch(PutOutcome.KEY_CONFLICT::equals), again.toString());
      }
      for (TestObject o : first) {
        store.assertStored(prefix, o);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenWrongMd5_whenPutting_thenStoreRefusesTheBytesAsRetryable(String label, Opener opener)
      throws Exception {
    try (S3StoreUnderTest store = open(opener)) {
      assumeTrue(!store.server.equals("moto"), "moto does not check Content-MD5: it stores damaged bytes");
      String prefix = store.prefix();
      TestObject o = StoreTestSupport.objects("m", 1, 19).get(0);
      try (S3Sink sink = S3Sink.open(store.config(prefix).build())) {
        StoreException e = assertThrows(StoreException.class,
            () -> await(sink.put(o.key, o.bytes, o.contentType, new byte[16])));
        assertTrue(e.retryable(), e.toString());
      }
      assertEquals(null, store.read(prefix, o.key), "a refused put left an object");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenObjectOptions_whenPutting_thenSourceUrlMd5AndOptionsAreOnTheObject(String label, Opener opener)
      throws Exception {
    try (S3StoreUnderTest store = open(opener)) {
      String prefix = store.prefix();
      TestObject o = StoreTestSupport.objects("meta", 1, 20).get(0);
      String source = "http://origin.example/img/caf\u00e9 1.png?v=2";
      SinkConfig config = store.config(prefix)
          .setStorageClass("STANDARD_IA")
          .setCacheControl("public, max-age=86400")
          .setObjectMetadataPairs(Map.of("batch", "2026-12, first"))
          .build();
      try (S3Sink sink = S3Sink.open(config)) {
        assertEquals(PutOutcome.STORED, await(sink.put(o.key, o.bytes, o.contentType, o.md5, source)));
      }
      HeadObjectResponse head = store.head(prefix, o.key);
      assertEquals("http://origin.example/img/caf%C3%A9 1.png?v=2", head.metadata().get(ObjectMetadata.SOURCE_URL));
      assertEquals(hex(o.md5), head.metadata().get(ObjectMetadata.MD5));
      assertEquals("2026-12, first", head.metadata().get("batch"));
      assertEquals("public, max-age=86400", head.cacheControl());
      assertEquals("STANDARD_IA", head.storageClassAsString());
    }
  }

  /**
   * SSE-KMS: the put names the key; a server that keeps KMS keys (moto) reports it back on the
   * object. S3Proxy has no server-side encryption and refuses the header (501): the entry fails
   * with a store error naming the missing feature, rather than storing an unencrypted object.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenKmsKey_whenPutting_thenObjectEncryptedWithItOrRefused(String label, Opener opener) throws Exception {
    try (S3StoreUnderTest store = open(opener)) {
      String prefix = store.prefix();
      TestObject o = StoreTestSupport.objects("kms", 1, 21).get(0);
      String keyId = "arn:aws:kms:us-east-1:123456789012:key/massfetch-test";
      try (S3Sink sink = S3Sink.open(store.config(prefix).setStore(store.settings().setKmsKeyId(keyId).build()).build())) {
        if (store.server.equals("s3proxy")) {
          assertThrows(RuntimeException.class, () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
          assertEquals(null, store.read(prefix, o.key), "no unencrypted object");
          return;
        }
        assertEquals(PutOutcome.STORED, await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
        // SSE-KMS makes the ETag something other than the MD5: a re-put compares the md5 metadata.
        assertEquals(PutOutcome.ALREADY_EXISTS, await(sink.put(o.key, o.bytes, o.contentType, o.md5, null)));
      }
      HeadObjectResponse head = store.head(prefix, o.key);
      assertEquals("aws:kms", head.serverSideEncryptionAsString());
      assertEquals(keyId, head.ssekmsKeyId());
      assertArrayEquals(o.bytes, store.read(prefix, o.key));
    }
  }
}
