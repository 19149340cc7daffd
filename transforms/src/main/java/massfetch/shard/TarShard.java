package massfetch.shard;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tar shard being written: each image becomes one member named by its key (pax headers for names
 * over 100 bytes or not ASCII), and its {@link IndexEntry} records where the member's data starts.
 * Not thread-safe: its owner serialises calls.
 */
final class TarShard {
  /** One 512-byte record per block, so every header reaches the counter before the data starts. */
  private static final int RECORD = 512;

  private final ShardUpload upload;
  private final Counter counter;
  private final TarArchiveOutputStream tar;
  private final List<IndexEntry> entries = new ArrayList<>();
  private final long createdMillis = System.currentTimeMillis();
  private long imageBytes;

  TarShard(ShardUpload upload) {
    this.upload = upload;
    this.counter = new Counter(upload.stream());
    this.tar = new TarArchiveOutputStream(counter, RECORD, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
  }

  /** Appends one image; returns its index entry. */
  IndexEntry add(String key, String url, byte[] bytes, String md5Hex, String contentType)
      throws IOException {
    TarArchiveEntry member = new TarArchiveEntry(key, true);
    member.setSize(bytes.length);
    member.setMode(0100644);
    member.setModTime(createdMillis);
    tar.putArchiveEntry(member);
    long offset = counter.count;
    tar.write(bytes);
    tar.closeArchiveEntry();
    IndexEntry entry = new IndexEntry(key, url, null, offset, bytes.length, md5Hex, contentType);
    entries.add(entry);
    imageBytes += bytes.length;
    return entry;
  }

  int images() {
    return entries.size();
  }

  long imageBytes() {
    return imageBytes;
  }

  List<IndexEntry> entries() {
    return Collections.unmodifiableList(entries);
  }

  /** Writes the end-of-archive records and publishes shard and index; see {@link ShardUpload#publish}. */
  List<IndexEntry> publish() throws IOException {
    tar.finish();
    tar.flush();
    List<String> keys = entries.stream().map(IndexEntry::key).toList();
    return upload.publish(ShardNames.forKeys(keys), entries);
  }

  void abort() {
    upload.abort();
  }

  /** Counts the bytes that reached the upload: the member offsets. */
  private static final class Counter extends FilterOutputStream {
    long count;

    Counter(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
