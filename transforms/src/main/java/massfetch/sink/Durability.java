package massfetch.sink;

import java.util.Locale;

/**
 * How far {@link LocalFileSink} forces a file to disk before it reports the object stored (object
 * stores answer a put only once the object is durable, so this is about local and mounted disks).
 */
public enum Durability {
  /** Written and linked into place; the operating system writes it back when it likes. */
  NONE,
  /**
   * The file's bytes are forced to disk before it gets its final name: after a power loss a final
   * name holds the whole file or nothing, never an empty or zero-filled one.
   */
  CONTENTS,
  /**
   * {@link #CONTENTS}, and the folder is forced after the name is added, so the name survives a
   * power loss too: an {@code ok} record never claims a file that is not there.
   */
  FULL;

  /** {@code none}, {@code contents} or {@code full}, in any case. */
  public static Durability parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("--durability must be none, contents or full, got '" + value + "'");
    }
  }
}
