package massfetch.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import massfetch.shard.IndexEntry;
import massfetch.shard.ShardConfig;
import massfetch.shard.ShardReader;
import massfetch.shard.ShardStore;
import massfetch.shard.ShardStores;
import massfetch.shard.ShardedOutput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The shard stores of S3 and GCS against every server {@code scripts/storage-emulators.sh env}
 * names (S3Proxy and moto; fake-gcs-server and gcp-storage-emulator): shards streamed in parts,
 * published whole, once per key set, and each image one range request away.
 */
class ShardStoresTest {
  static Stream<Arguments> servers() {
    return Stream.concat(
        StoreTestSupport.servers(StoreTestSupport.S3_SERVERS_VAR, StoreTestSupport.S3_ENDPOINT_VAR)
            .map(a -> Arguments.of("s3", a.get()[0], a.get()[1])),
        StoreTestSupport.servers(StoreTestSupport.GCS_SERVERS_VAR, StoreTestSupport.GCS_ENDPOINT_VAR)
            .map(a -> Arguments.of("gs", a.get()[0], a.get()[1])));
  }

  /** What the test reads back with the store's own client, independent of the code under test. */
  private interface Reader extends AutoCloseable {
    List<String> names(String prefix);

    byte[] range(String name, long offset, long length) throws Exception;

    /** Unfinished multipart uploads under {@code prefix}; -1 where the API has no such listing. */
    int openUploads(String prefix);

    @Override
    void close() throws Exception;
  }

  private static Reader reader(String api, String url, String bucket) {
    if (api.equals("s3")) {
      S3Client s3 = S3Client.builder().endpointOverride(URI.create(url)).region(Region.US_EAST_1)
          .forcePathStyle(true).build();
      return new Reader() {
        public List<String> names(String prefix) {
          return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
              .map(S3Object::key).sorted().toList();
        }

        public byte[] range(String name, long offset, long length) {
          return s3.getObjectAsBytes(b -> b.bucket(bucket).key(name)
              .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArray();
        }

        public int openUploads(String prefix) {
          return s3.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads().size();
        }

        public void close() {
          s3.close();
        }
      };
    }
    Storage gcs = GcsSink.storageFor(SinkConfig.builder().setOutput("gs://" + bucket)
        .setStore(GcsSink.Settings.builder().setEndpoint(url).build()).build(), 2);
    return new Reader() {
      public List<String> names(String prefix) {
        return StreamSupport.stream(gcs.list(bucket, Storage.BlobListOption.prefix(prefix)).iterateAll().spliterator(), false)
            .map(Blob::getName).sorted().toList();
      }

      public byte[] range(String name, long offset, long length) throws Exception {
        try (ReadChannel in = gcs.reader(BlobId.of(bucket, name))) {
          in.seek(offset);
          in.limit(offset + length);
          ByteBuffer buf = ByteBuffer.allocate((int) length);
          while (buf.hasRemaining() && in.read(buf) >= 0) {
            // reads until the range is in
          }
          return buf.array();
        }
      }

      public int openUploads(String prefix) {
        return -1;
      }

      public void close() throws Exception {
        gcs.close();
      }
    };
  }

  /** The least part S3 takes (5 MiB), so that a few images make several parts. */
  private static final int PART = ShardConfig.MIN_PART_BYTES;

  private static SinkConfig config(String api, String url, String bucket, String prefix) {
    SinkConfig.Builder b = SinkConfig.builder().setOutput(api + "://" + bucket + "/" + prefix).setStoreTimeoutSeconds(30);
    return (api.equals("s3") ? b.setStore(S3Sink.Settings.builder().setEndpoint(url).setPathStyle(true).build())
        : b.setStore(GcsSink.Settings.builder().setEndpoint(url).build())).build();
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

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("servers")
  void givenImagesLargerThanAPart_whenPublishedTwiceWithTheSameKeys_thenOneShardAndOneIndexAndRangeReadsAreExact(
      String api, String server, String url) throws Exception {
    assumeTrue(url != null, "no " + api + " server:" + StoreTestSupport.HOW_TO_RUN);
    String bucket = StoreTestSupport.bucket();
    String prefix = "shard-test/" + UUID.randomUUID();
    Map<String, byte[]> images = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      byte[] b = new byte[3 << 20]; // 15 MiB in all: three 5 MiB parts or chunks
      random.nextBytes(b);
      images.put("img/" + i + ".png", b);
    }
    List<String> order = new ArrayList<>(images.keySet());

    try (ShardStore store = ShardStores.open(config(api, url, bucket, prefix), PART); Reader read = reader(api, url, bucket)) {
      List<IndexEntry> first = writeAndPublish(store, images, order);
      Collections.reverse(order);
      List<IndexEntry> retried = writeAndPublish(store, images, order);

      assertEquals(first, retried, "a retried key set is told where the published copy is");
      List<String> names = read.names(prefix + "/");
      assertEquals(2, names.size(), server + ": one tar and one index: " + names);
      for (IndexEntry e : first) {
        byte[] got = read.range(prefix + "/shards/" + e.shard(), e.offset(), e.length());
        assertArrayEquals(images.get(e.key()), got, server + ": one range request gives " + e.key());
        assertEquals(StoreTestSupport.hex(StoreTestSupport.md5(images.get(e.key()))), e.md5());
      }
      assertTrue(read.openUploads(prefix + "/") <= 0, server + ": no multipart upload left open");
      ShardReader reader = new ShardReader(store);
      IndexEntry found = reader.find("img/3.png").orElseThrow(() -> new AssertionError(server + ": key not found"));
      assertArrayEquals(images.get("img/3.png"), reader.read(found), server + ": the reader's range read");
      assertTrue(reader.find("img/none.png").isEmpty());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("servers")
  void givenAShardNeverPublished_whenClosed_thenNothingShowsAndNoUploadStaysOpen(String api, String server, String url)
      throws Exception {
    assumeTrue(url != null, "no " + api + " server:" + StoreTestSupport.HOW_TO_RUN);
    String bucket = StoreTestSupport.bucket();
    String prefix = "shard-test/" + UUID.randomUUID();
    byte[] big = new byte[7 << 20]; // more than a part: the upload has started
    new Random(3).nextBytes(big);
    try (ShardStore store = ShardStores.open(config(api, url, bucket, prefix), PART); Reader read = reader(api, url, bucket)) {
      ShardedOutput<String> out = new ShardedOutput<>(store, ShardConfig.of(1000, 1L << 30));
      out.put("a.png", big, "image/png", StoreTestSupport.md5(big), "http://origin/a.png").join();
      if (api.equals("s3")) {
        assertEquals(1, read.openUploads(prefix + "/"), server + ": the shard is streaming");
      }
      out.close(); // the bundle failed

      assertTrue(read.openUploads(prefix + "/") <= 0, server + ": aborted");
      assertEquals(List.of(), read.names(prefix + "/"), server + ": nothing published");
    }
  }
}
