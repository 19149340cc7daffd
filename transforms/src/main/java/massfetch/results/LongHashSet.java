package massfetch.results;

import java.util.Arrays;

/**
 * A set of {@code long}s in one array (open addressing, linear probing): 8 to 16 bytes an entry,
 * where a {@code HashSet<Long>} takes about 50 — what lets a worker hold the ids of millions of
 * published results. Not thread-safe: its users guard it.
 */
public final class LongHashSet {
  /** Marks a free slot; the one value never stored in the table (tracked apart). */
  private static final long FREE = Long.MIN_VALUE;

  private long[] table = newTable(1024);
  private int size;
  private boolean hasFree;

  public boolean add(long v) {
    if (v == FREE) {
      boolean added = !hasFree;
      hasFree = true;
      return added;
    }
    if ((size + 1) * 2L > table.length) {
      grow();
    }
    if (insert(table, v)) {
      size++;
      return true;
    }
    return false;
  }

  public boolean contains(long v) {
    if (v == FREE) {
      return hasFree;
    }
    int mask = table.length - 1;
    for (int i = slot(v, mask); ; i = (i + 1) & mask) {
      long t = table[i];
      if (t == v) {
        return true;
      }
      if (t == FREE) {
        return false;
      }
    }
  }

  public int size() {
    return size + (hasFree ? 1 : 0);
  }

  private void grow() {
    long[] bigger = newTable(table.length * 2);
    for (long t : table) {
      if (t != FREE) {
        insert(bigger, t);
      }
    }
    table = bigger;
  }

  private static boolean insert(long[] table, long v) {
    int mask = table.length - 1;
    for (int i = slot(v, mask); ; i = (i + 1) & mask) {
      long t = table[i];
      if (t == v) {
        return false;
      }
      if (t == FREE) {
        table[i] = v;
        return true;
      }
    }
  }

  private static int slot(long v, int mask) {
    long h = v * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private static long[] newTable(int capacity) {
    long[] t = new long[capacity];
    Arrays.fill(t, FREE);
    return t;
  }
}
