package massfetch.shard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a shard's index ({@code shards/shard-<id>.index.jsonl}): where the image stored under
 * {@code key} lies. {@code shard} is the tar's name in the same folder; {@code offset} is the first
 * byte of the member's data (after its tar headers), so bytes {@code offset .. offset+length-1} of
 * the shard are the image.
 */
public record IndexEntry(
    String key, String url, String shard, long offset, long length, String md5, String contentType) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON line, without its newline. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("key", key);
    o.put("url", url);
    o.put("shard", shard);
    o.put("offset", offset);
    o.put("length", length);
    o.put("md5", md5);
    o.put("content_type", contentType);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and numbers always serialises", e);
    }
  }

  /** Reads one index line; throws {@link IllegalArgumentException} for a line that is none. */
  public static IndexEntry parse(String line) {
    try {
      JsonNode j = JSON.readTree(line);
      if (j == null || !j.hasNonNull("key") || !j.hasNonNull("shard") || !j.hasNonNull("offset") || !j.hasNonNull("length")) {
        throw new IllegalArgumentException("not an index line: " + abbreviate(line));
      }
      return new IndexEntry(
          j.get("key").asText(),
          j.path("url").asText(null),
          j.get("shard").asText(),
          j.get("offset").asLong(),
          j.get("length").asLong(),
          j.path("md5").asText(null),
          j.path("content_type").asText(null));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not an index line: " + abbreviate(line), e);
    }
  }

  /** Index entries as JSON lines, each ended by a newline. */
  public static String lines(List<IndexEntry> entries) {
    StringBuilder text = new StringBuilder();
    for (IndexEntry e : entries) {
      text.append(e.toJson()).append('\n');
    }
    return text.toString();
  }

  /** The entries of an index file's text; blank lines are ignored. */
  public static List<IndexEntry> parseLines(String text) {
    List<IndexEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        entries.add(parse(line));
      }
    }
    return entries;
  }

  /** This entry in shard {@code name}. */
  IndexEntry inShard(String name) {
    return new IndexEntry(key, url, name, offset, length, md5, contentType);
  }

  private static String abbreviate(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "…" : line;
  }
}
