package massfetch.shard;

import java.io.IOException;

/** A store that takes tar shards: local folder, S3 or GCS. Thread-safe; shared by a worker. */
public interface ShardStore extends AutoCloseable {

  /** The folder under the output that holds the shards and their indexes. */
  String FOLDER = "shards";

  /** Starts a new shard upload. */
  ShardUpload begin() throws IOException;

  /** The names of the published indexes in the shards folder ({@code *.index.jsonl}). */
  java.util.List<String> indexNames() throws IOException;

  /** The whole text of {@code name} in the shards folder (an index). */
  String readText(String name) throws IOException;

  /** Bytes {@code offset .. offset+length-1} of {@code name} in the shards folder: ONE range request. */
  byte[] readRange(String name, long offset, long length) throws IOException;

  /** The index of the shards with id {@code id}: the one name a shard's key set publishes under. */
  static String indexNameOf(String id) {
    return id + ".index.jsonl";
  }

  @Override
  void close();
}
