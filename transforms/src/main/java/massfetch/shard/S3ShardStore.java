package massfetch.shard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import massfetch.sink.BucketPrefix;
import massfetch.sink.S3Sink;
import massfetch.sink.SinkConfig;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Tar shards on S3 or an S3-compatible store, {@code s3://bucket/prefix/shards/}: one multipart
 * upload per shard, fed a part at a time (so a shard costs one part of memory, not its size),
 * completed only when the shard is published and aborted otherwise; the index is created with
 * {@code If-None-Match: *}. Uses the client {@link S3Sink} builds, with the same endpoint, region,
 * addressing and timeouts.
 */
public final class S3ShardStore implements ShardStore {
  private final BucketPrefix location;
  private final S3AsyncClient client;
  private final boolean conditionalWrites;
  private final int partBytes;

  private S3ShardStore(BucketPrefix location, S3AsyncClient client, boolean conditionalWrites, int partBytes) {
    this.location = location;
    this.client = client;
    this.conditionalWrites = conditionalWrites;
    this.partBytes = partBytes;
  }

  /** {@code partBytes}: every part but the last (S3 wants at least 5 MiB; ShardConfig checks). */
  public static S3ShardStore open(SinkConfig config, int partBytes) {
    return new S3ShardStore(BucketPrefix.parse(config.output(), "s3"), S3Sink.clientFor(config),
        S3Sink.settingsOf(config).conditionalWrites(), partBytes);
  }

  @Override
  public ShardUpload begin() throws IOException {
    return new Upload();
  }

  @Override
  public List<String> indexNames() throws IOException {
    String folder = location.objectName(FOLDER) + "/";
    List<String> names = new ArrayList<>();
    String token = null;
    do {
      String after = token;
      software.amazon.awssdk.services.s3.model.ListObjectsV2Response page = await(client.listObjectsV2(
          b -> b.bucket(location.bucket()).prefix(folder).continuationToken(after)),
          "listing " + location.uriOf(FOLDER));
      for (software.amazon.awssdk.services.s3.model.S3Object o : page.contents()) {
        String name = o.key().substring(folder.length());
        if (name.endsWith(ShardStore.indexNameOf("")) && !name.contains("/")) {
          names.add(name);
        }
      }
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    return names;
  }

  @Override
  public String readText(String name) throws IOException {
    return await(client.getObject(b -> b.bucket(location.bucket()).key(objectName(name)),
        AsyncResponseTransformer.toBytes()), "reading " + name).asUtf8String();
  }

  @Override
  public byte[] readRange(String name, long offset, long length) throws IOException {
    return await(client.getObject(b -> b.bucket(location.bucket()).key(objectName(name))
        .range("bytes=" + offset + "-" + (offset + length - 1)),
        AsyncResponseTransformer.toBytes()), "reading " + name).asByteArray();
  }

  @Override
  public void close() {
    client.close();
  }

  private String objectName(String name) {
    return location.objectName(FOLDER + "/" + name);
  }

  private static <T> T await(CompletableFuture<T> call, String what) throws IOException {
    try {
      return call.join();
    } catch (CompletionException e) {
      throw new IOException(what + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  private static boolean status(Throwable t, int code) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof AwsServiceException && ((AwsServiceException) c).statusCode() == code;
  }

  private final class Upload extends RemoteShardUpload {
    private final String key = objectName(name());
    private final List<CompletedPart> parts = new ArrayList<>();
    private final PartBuffer stream = new PartBuffer();
    private String uploadId;

    @Override
    public OutputStream stream() {
      return stream;
    }

    private void sendPart(byte[] bytes, int length) throws IOException {
      if (uploadId == null) {
        uploadId = await(client.createMultipartUpload(b -> b.bucket(location.bucket()).key(key)
            .contentType("application/x-tar")), "starting upload of " + key).uploadId();
      }
      int number = parts.size() + 1;
      String etag = await(client.uploadPart(
          b -> b.bucket(location.bucket()).key(key).uploadId(uploadId).partNumber(number)
              .contentLength((long) length),
          // No copy: the part is awaited before its buffer is written again.
          AsyncRequestBody.fromRemainingByteBufferUnsafe(java.nio.ByteBuffer.wrap(bytes, 0, length))),
          "uploading part " + number + " of " + key).eTag();
      parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    }

    @Override
    protected void complete() throws IOException {
      stream.flushPart();
      await(client.completeMultipartUpload(b -> b.bucket(location.bucket()).key(key).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts))), "completing " + key);
    }

    @Override
    protected boolean createIfAbsent(String indexName, String text) throws IOException {
      String indexKey = objectName(indexName);
      if (!conditionalWrites && read(indexName) != null) {
        return false; // a store without If-None-Match: a HEAD-like read first, with a small race
      }
      PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(location.bucket()).key(indexKey)
          .contentType("application/x-ndjson");
      if (conditionalWrites) {
        put.overrideConfiguration(o -> o.putHeader("If-None-Match", "*"));
      }
      try {
        client.putObject(put.build(), AsyncRequestBody.fromString(text, StandardCharsets.UTF_8)).join();
        return true;
      } catch (CompletionException e) {
        if (status(e, 412)) {
          return false;
        }
        throw new IOException("writing " + indexKey + ": " + e.getCause().getMessage(), e.getCause());
      }
    }

    @Override
    protected String read(String indexName) throws IOException {
      try {
        return client.getObject(b -> b.bucket(location.bucket()).key(objectName(indexName)),
            AsyncResponseTransformer.toBytes()).join().asUtf8String();
      } catch (CompletionException e) {
        if (status(e, 404)) {
          return null;
        }
        throw new IOException("reading " + indexName + ": " + e.getCause().getMessage(), e.getCause());
      }
    }

    @Override
    protected void deleteTar() throws IOException {
      await(client.deleteObject(b -> b.bucket(location.bucket()).key(key)), "deleting " + key);
    }

    @Override
    public void abort() {
      if (uploadId != null) {
        // Best effort: an upload a killed worker leaves is what the bucket's lifecycle rule
        // (AbortIncompleteMultipartUpload) is for; docs/shards.md shows it.
        client.abortMultipartUpload(b -> b.bucket(location.bucket()).key(key).uploadId(uploadId))
            .exceptionally(e -> null).join();
        uploadId = null;
      }
    }

    /**
     * Holds at most one part; each full part is uploaded before more is taken. The buffer grows
     * to the part size as the shard does, so a small shard costs no whole part of memory.
     */
    private final class PartBuffer extends OutputStream {
      private byte[] buffer = new byte[Math.min(partBytes, 1 << 20)];
      private int length;

      @Override
      public void write(int b) throws IOException {
        makeRoom();
        buffer[length++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          makeRoom();
          int n = Math.min(len, buffer.length - length);
          System.arraycopy(b, off, buffer, length, n);
          length += n;
          off += n;
          len -= n;
        }
      }

      private void makeRoom() throws IOException {
        if (length < buffer.length) {
          return;
        }
        if (buffer.length < partBytes) {
          buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(partBytes, 2L * buffer.length));
        } else {
          flushPart();
        }
      }

      void flushPart() throws IOException {
        if (length > 0) {
          sendPart(buffer, length);
          length = 0;
        }
      }
    }
  }
}
