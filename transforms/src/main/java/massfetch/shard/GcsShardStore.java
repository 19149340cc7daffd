package massfetch.shard;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage.BlobWriteOption;
import com.google.cloud.storage.StorageException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import massfetch.sink.BucketPrefix;
import massfetch.sink.GcsSink;
import massfetch.sink.SinkConfig;

/**
 * Tar shards on Google Cloud Storage, {@code gs://bucket/prefix/shards/}: one resumable upload
 * per shard through the client's {@link WriteChannel}, which holds one chunk in memory and makes
 * the object visible only when the channel is closed at publication; the index is created with a
 * {@code doesNotExist} precondition. Uses the client {@link GcsSink} builds (endpoint, project,
 * timeouts).
 */
public final class GcsShardStore implements ShardStore {
  private final BucketPrefix location;
  private final Storage storage;
  private final String userProject;
  /** The resumable upload's chunk: the memory a shard in progress costs. */
  private final int chunkBytes;

  private GcsShardStore(BucketPrefix location, Storage storage, String userProject, int chunkBytes) {
    this.location = location;
    this.storage = storage;
    this.userProject = userProject;
    this.chunkBytes = chunkBytes;
  }

  /** {@code chunkBytes}: a multiple of 256 KiB, as resumable uploads require (ShardConfig checks). */
  public static GcsShardStore open(SinkConfig config, int chunkBytes) {
    // The JDK transport, not the sink's bounded Apache pool: the client starts a resumable upload
    // by reading only the Location header of the answer, never its body, so where a server sends
    // one (fake-gcs-server does) a pooled connection stays leased for good, and a few shards in,
    // every request waits for a connection. The JDK transport has no lease to run out of.
    return new GcsShardStore(BucketPrefix.parse(config.output(), "gs"),
        GcsSink.storageFor(config, new NetHttpTransport()), GcsSink.settingsOf(config).userProject(),
        chunkBytes);
  }

  @Override
  public ShardUpload begin() throws IOException {
    return new Upload();
  }

  @Override
  public List<String> indexNames() throws IOException {
    String folder = location.objectName(FOLDER) + "/";
    List<String> names = new ArrayList<>();
    try {
      for (com.google.cloud.storage.Blob b : storage.list(location.bucket(),
          Storage.BlobListOption.prefix(folder), Storage.BlobListOption.currentDirectory()).iterateAll()) {
        String name = b.getName().substring(folder.length());
        if (name.endsWith(ShardStore.indexNameOf(""))) {
          names.add(name);
        }
      }
    } catch (StorageException e) {
      throw new IOException("listing " + location.uriOf(FOLDER) + ": " + e.getMessage(), e);
    }
    return names;
  }

  @Override
  public String readText(String name) throws IOException {
    try {
      return new String(storage.readAllBytes(idOf(name)), StandardCharsets.UTF_8);
    } catch (StorageException e) {
      throw new IOException("reading " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] readRange(String name, long offset, long length) throws IOException {
    // The reader asks for [offset, limit) in one ranged GET once its chunk covers the range.
    try (com.google.cloud.ReadChannel in = storage.reader(idOf(name))) {
      in.setChunkSize(Math.toIntExact(Math.max(length, 1)));
      in.seek(offset);
      in.limit(offset + length);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.toIntExact(length));
      while (buf.hasRemaining()) {
        if (in.read(buf) < 0) {
          throw new IOException(name + " ends before byte " + (offset + length));
        }
      }
      return buf.array();
    } catch (StorageException e) {
      throw new IOException("reading " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      storage.close();
    } catch (Exception e) {
      // Closing releases connections only; nothing is lost if it fails.
    }
  }

  private BlobId idOf(String name) {
    return BlobId.of(location.bucket(), location.objectName(FOLDER + "/" + name));
  }

  private final class Upload extends RemoteShardUpload {
    private final WriteChannel channel;
    private final OutputStream stream;

    Upload() throws IOException {
      List<BlobWriteOption> options = new ArrayList<>(List.of(BlobWriteOption.doesNotExist(),
          BlobWriteOption.disableGzipContent()));
      if (userProject != null) {
        options.add(BlobWriteOption.userProject(userProject));
      }
      try {
        channel = storage.writer(BlobInfo.newBuilder(idOf(name())).setContentType("application/x-tar").build(),
            options.toArray(new BlobWriteOption[0]));
      } catch (StorageException e) {
        throw new IOException("starting upload of " + name() + ": " + e.getMessage(), e);
      }
      channel.setChunkSize(chunkBytes);
      stream = Channels.newOutputStream(channel);
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    @Override
    protected void complete() throws IOException {
      try {
        channel.close();
      } catch (StorageException e) {
        throw new IOException("completing " + name() + ": " + e.getMessage(), e);
      }
    }

    @Override
    protected boolean createIfAbsent(String indexName, String text) throws IOException {
      List<BlobTargetOption> options = new ArrayList<>(List.of(BlobTargetOption.doesNotExist()));
      if (userProject != null) {
        options.add(BlobTargetOption.userProject(userProject));
      }
      try {
        storage.create(BlobInfo.newBuilder(idOf(indexName)).setContentType("application/x-ndjson").build(),
            text.getBytes(StandardCharsets.UTF_8), options.toArray(new BlobTargetOption[0]));
        return true;
      } catch (StorageException e) {
        if (e.getCode() == 412) {
          return false;
        }
        throw new IOException("writing " + indexName + ": " + e.getMessage(), e);
      }
    }

    @Override
    protected String read(String indexName) throws IOException {
      try {
        byte[] bytes = userProject != null
            ? storage.readAllBytes(idOf(indexName), Storage.BlobSourceOption.userProject(userProject))
            : storage.readAllBytes(idOf(indexName));
        return new String(bytes, StandardCharsets.UTF_8);
      } catch (StorageException e) {
        if (e.getCode() == 404) {
          return null;
        }
        throw new IOException("reading " + indexName + ": " + e.getMessage(), e);
      }
    }

    @Override
    protected void deleteTar() throws IOException {
      try {
        storage.delete(idOf(name()));
      } catch (StorageException e) {
        throw new IOException("deleting " + name() + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void abort() {
      // The client cannot cancel a resumable session; left unclosed, it never becomes an object,
      // and GCS drops it after a week.
    }
  }
}
