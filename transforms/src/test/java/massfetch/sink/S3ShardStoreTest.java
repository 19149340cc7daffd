package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import massfetch.shard.IndexEntry;
import massfetch.shard.ShardConfig;
import massfetch.shard.ShardStore;
import massfetch.shard.ShardedOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link S3ShardStore} against every S3 server {@code scripts/storage-emulators.sh env} names
 * (S3Proxy, moto): shards streamed as multipart uploads, published whole, once per key set, and
 * each image one range request away.
 */
class S3ShardStoreTest {
  static Stream<Arguments> servers() {
    return StoreTestSupport.servers(S3SinkTest.S3_SERVERS_VAR, StoreTestSupport.S3_ENDPOINT_VAR);
  }

  private static S3Client reader(String url) {
    return S3Client.builder().endpointOverride(URI.create(url)).region(Region.US_EAST_1)
        .forcePathStyle(true).build();
  }

  private static SinkConfig config(String url, String bucket, String prefix) {
    return SinkConfig.builder().setOutput("s3://" + bucket + "/" + prefix).setS3Endpoint(url)
        .setS3PathStyle(true).setStoreTimeoutSeconds(30).build();
  }

  /** Writes {@code images} through one DoFn-like user of the store and publishes; returns the index. */
  private static List<IndexEntry> writeAndPublish(ShardStore store, Map<String, byte[]> images, List<String> order)
      throws Exception {
    try (ShardedOutput<String> out = new ShardedOutput<>(store, ShardConfig.of(1000, 1L << 30))) {
      for (String key : order) {
        byte[] bytes = images.get(key);
        out.put(key, bytes, "image/png", StoreTestSupport.md5(bytes), "http://origin/" + key).join();
        assertTrue(out.hold(key, key).isEmpty(), "the open shard is published at the end only");
      }
      List<ShardedOutput.Published<String>> published = out.publishAll();
      assertEquals(1, published.size());
      return published.get(0).index();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenImagesLargerThanAPart_whenPublishedTwiceWithTheSameKeys_thenOneShardAndOneIndexAndRangeReadsAreExact(
      String server, String url) throws Exception {
    assumeTrue(url != null, StoreTestSupport.S3_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    String bucket = StoreTestSupport.bucket();
    String prefix = "s3-shard-test/" + UUID.randomUUID();
    Map<String, byte[]> images = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      byte[] b = new byte[3 << 20]; // 15 MiB in all: two 8 MiB parts
      random.nextBytes(b);
      images.put("img/" + i + ".png", b);
    }
    List<String> order = new ArrayList<>(images.keySet());

    try (S3ShardStore store = S3ShardStore.open(config(url, bucket, prefix)); S3Client s3 = reader(url)) {
      List<IndexEntry> first = writeAndPublish(store, images, order);
      java.util.Collections.reverse(order);
      List<IndexEntry> retried = writeAndPublish(store, images, order);

      assertEquals(first, retried, "a retried key set is told where the published copy is");
      List<String> names = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "/")).contents()
          .stream().map(S3Object::key).sorted().toList();
      assertEquals(2, names.size(), server + ": one tar and one index: " + names);
      for (IndexEntry e : first) {
        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "/shards/" + e.shard())
            .range("bytes=" + e.offset() + "-" + (e.offset() + e.length() - 1))).asByteArray();
        assertArrayEquals(images.get(e.key()), got, server + ": one range request gives " + e.key());
        assertEquals(StoreTestSupport.hex(StoreTestSupport.md5(images.get(e.key()))), e.md5());
      }
      assertEquals(0, s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix + "/")).uploads().size(),
          server + ": no multipart upload left open");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void givenAShardNeverPublished_whenClosed_thenItsUploadIsAbortedAndNothingShows(String server, String url)
      throws Exception {
    assumeTrue(url != null, StoreTestSupport.S3_ENDPOINT_VAR + StoreTestSupport.HOW_TO_RUN);
    String bucket = StoreTestSupport.bucket();
    String prefix = "s3-shard-test/" + UUID.randomUUID();
    byte[] big = new byte[9 << 20]; // more than a part: the upload has started
    new Random(3).nextBytes(big);
    try (S3ShardStore store = S3ShardStore.open(config(url, bucket, prefix)); S3Client s3 = reader(url)) {
      ShardedOutput<String> out = new ShardedOutput<>(store, ShardConfig.of(1000, 1L << 30));
      out.put("a.png", big, "image/png", StoreTestSupport.md5(big), "http://origin/a.png").join();
      assertEquals(1, s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix + "/")).uploads().size(),
          server + ": the shard is streaming");
      out.close(); // the bundle failed

      assertEquals(0, s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix + "/")).uploads().size(),
          server + ": aborted");
      assertEquals(0, s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/")).contents().size(),
          server + ": nothing published");
    }
  }
}
