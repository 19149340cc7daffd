package massfetch.shard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * Shards in a local or mounted folder, {@code <output>/shards/}: written to a hidden temp file,
 * forced to disk, then renamed to a name of their own; the index is linked in last, which fails
 * when its name is taken, so the index of a key set is published once.
 */
public final class LocalShardStore implements ShardStore {
  /** The prefix of temp files, shared with the object sink's so one cleanup rule covers both. */
  static final String TEMP_PREFIX = ".massfetch-tmp-";

  private final Path folder;

  public LocalShardStore(Path output) {
    this.folder = output.resolve(FOLDER);
  }

  @Override
  public ShardUpload begin() throws IOException {
    Files.createDirectories(folder);
    return new Upload(folder.resolve(TEMP_PREFIX + UUID.randomUUID() + ".tar"));
  }

  @Override
  public List<String> indexNames() throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(ShardStore.indexNameOf("")) && !n.startsWith(TEMP_PREFIX)).sorted().toList();
    }
  }

  @Override
  public String readText(String name) throws IOException {
    return Files.readString(folder.resolve(name), StandardCharsets.UTF_8);
  }

  @Override
  public byte[] readRange(String name, long offset, long length) throws IOException {
    try (FileChannel in = FileChannel.open(folder.resolve(name), StandardOpenOption.READ)) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(Math.toIntExact(length));
      while (buf.hasRemaining()) {
        if (in.read(buf, offset + buf.position()) < 0) {
          throw new IOException(name + " ends before byte " + (offset + length));
        }
      }
      return buf.array();
    }
  }

  @Override
  public void close() {}

  /** The entries of a published index file, or null when there is none. */
  static List<IndexEntry> readIndex(Path index) throws IOException {
    try {
      return IndexEntry.parseLines(Files.readString(index, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private final class Upload implements ShardUpload {
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream stream;

    Upload(Path temp) throws IOException {
      this.temp = temp;
      this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    @Override
    public OutputStream stream() {
      return stream;
    }

    @Override
    public List<IndexEntry> publish(String id, List<IndexEntry> index) throws IOException {
      stream.flush();
      channel.force(true);
      channel.close();
      Path indexFile = folder.resolve(ShardStore.indexNameOf(id));
      List<IndexEntry> published = readIndex(indexFile);
      if (published != null) {
        Files.deleteIfExists(temp);
        return published;
      }
      String name = ShardNames.attempt();
      Path shard = folder.resolve(name);
      Files.move(temp, shard, StandardCopyOption.ATOMIC_MOVE);
      List<IndexEntry> named = index.stream().map(e -> e.inShard(name)).toList();
      Path tempIndex = folder.resolve(TEMP_PREFIX + UUID.randomUUID() + ".index.jsonl");
      try {
        try (FileChannel out = FileChannel.open(tempIndex, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          out.write(StandardCharsets.UTF_8.encode(IndexEntry.lines(named)));
          out.force(true);
        }
        try {
          // A link, unlike a rename, never replaces: of two attempts with the same keys, one wins.
          Files.createLink(indexFile, tempIndex);
        } catch (FileAlreadyExistsException e) {
          Files.deleteIfExists(shard);
          return readIndex(indexFile);
        }
      } finally {
        Files.deleteIfExists(tempIndex);
      }
      try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
        dir.force(true);
      }
      return named;
    }

    @Override
    public void abort() {
      try {
        channel.close();
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // A temp file left behind is harmless (hidden, never indexed) and removed by a later run.
      }
    }
  }
}
