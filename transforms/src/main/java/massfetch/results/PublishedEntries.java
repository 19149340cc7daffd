package massfetch.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The manifest entries (source file and line) that a run has already published a result for, read
 * from its results files — one index per run and JVM, shared by every worker thread in it.
 *
 * <p>Published files never change, so {@link #refresh} reads only the files it has not read yet: a
 * restarted task reads what the failed attempts published, a first attempt reads little or nothing.
 * An entry is one {@code long} (source number in the top 24 bits, line in the low 40), so a worker
 * holds the ids of a 20-million-entry batch in about 320 MB — only after a failure, when there is
 * something to hold.
 */
final class PublishedEntries {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int LINE_BITS = 40;
  private static final Map<String, PublishedEntries> BY_RUN = new ConcurrentHashMap<>();

  private final ResultsLedger ledger;
  private final Set<String> filesRead = new HashSet<>();
  private final Map<String, Integer> sources = new HashMap<>();
  private final LongHashSet entries = new LongHashSet();

  private PublishedEntries(ResultsLedger ledger) {
    this.ledger = ledger;
  }

  /** The JVM's index of {@code ledger}'s run. */
  static PublishedEntries of(ResultsLedger ledger) {
    return BY_RUN.computeIfAbsent(ledger.publishedGlob(), g -> new PublishedEntries(ledger));
  }

  /** Reads the run's files published since the last call; returns how many entries were added. */
  synchronized long refresh() {
    MatchResult match;
    try {
      match = FileSystems.match(ledger.publishedGlob(), EmptyMatchTreatment.ALLOW);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + ledger.publishedGlob(), e);
    }
    long added = 0;
    try {
      if (match.status() != MatchResult.Status.OK) {
        return 0;
      }
      for (MatchResult.Metadata file : match.metadata()) {
        String name = file.resourceId().toString();
        if (filesRead.contains(name)) {
          continue;
        }
        added += read(file);
        filesRead.add(name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the published results " + ledger.publishedGlob(), e);
    }
    return added;
  }

  synchronized boolean contains(String source, long line) {
    Integer s = sources.get(source);
    return s != null && entries.contains(id(s, line));
  }

  synchronized int size() {
    return entries.size();
  }

  private long read(MatchResult.Metadata file) throws IOException {
    long added = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        Channels.newInputStream(FileSystems.open(file.resourceId())), StandardCharsets.UTF_8))) {
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        if (text.isBlank()) {
          continue;
        }
        // A published file is whole by construction: damage here is a fault, not an entry.
        JsonNode node = MAPPER.readTree(text);
        JsonNode source = node.get(ResultFields.SOURCE);
        JsonNode line = node.get(ResultFields.LINE);
        if (source == null || !source.isTextual() || line == null || !line.canConvertToLong()) {
          throw new IOException("a record without source and line in " + file.resourceId());
        }
        Integer s = sources.computeIfAbsent(source.asText(), k -> sources.size());
        if (entries.add(id(s, line.asLong()))) {
          added++;
        }
      }
    }
    return added;
  }

  private static long id(int source, long line) {
    if (line < 0 || line >= (1L << LINE_BITS) || source >= (1 << (64 - LINE_BITS - 1))) {
      throw new IllegalArgumentException("a manifest line number or file count beyond the ledger's range");
    }
    return ((long) source << LINE_BITS) | line;
  }
}
