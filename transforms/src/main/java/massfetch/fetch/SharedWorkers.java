package massfetch.fetch;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import massfetch.sink.SinkConfig;

/**
 * A JVM-wide, reference-counted holder of {@link Worker}s. Runners make one DoFn instance per thread
 * (and re-create them after failures); they all lease the same worker so the in-flight limit and
 * the connection pool are per JVM, and the last one to tear down closes it.
 */
final class SharedWorkers {
  private static final Map<Key, Entry> WORKERS = new HashMap<>();

  private SharedWorkers() {}

  /** A worker for this configuration; call {@link Lease#close()} exactly once when done. */
  static synchronized Lease acquire(FetchConfig fetch, SinkConfig sink) {
    Key key = new Key(fetch, sink);
    Entry entry = WORKERS.get(key);
    if (entry == null) {
      entry = new Entry(new Worker(fetch, sink));
      WORKERS.put(key, entry);
    }
    entry.leases++;
    entry.worker.leasesChanged(entry.leases);
    return new Lease(key, entry.worker);
  }

  private static synchronized void release(Key key) {
    Entry entry = WORKERS.get(key);
    if (entry != null && --entry.leases == 0) {
      WORKERS.remove(key);
      entry.worker.close();
    } else if (entry != null) {
      entry.worker.leasesChanged(entry.leases);
    }
  }

  /** One DoFn instance's use of a shared worker. */
  static final class Lease implements AutoCloseable {
    private final Key key;
    private final Worker worker;
    private boolean closed;

    private Lease(Key key, Worker worker) {
      this.key = key;
      this.worker = worker;
    }

    Worker worker() {
      return worker;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        release(key);
      }
    }
  }

  private static final class Entry {
    final Worker worker;
    int leases;

    Entry(Worker worker) {
      this.worker = worker;
    }
  }

  private static final class Key {
    final FetchConfig fetch;
    final SinkConfig sink;

    Key(FetchConfig fetch, SinkConfig sink) {
      this.fetch = fetch;
      this.sink = sink;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).fetch.equals(fetch) && ((Key) o).sink.equals(sink);
    }

    @Override
    public int hashCode() {
      return Objects.hash(fetch, sink);
    }
  }
}
