package massfetch.shard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * Shard ids derived from the keys a shard holds: the same set of keys always gets the same id,
 * whatever order the fetches finished in, so a bundle retried after it published a shard finds the
 * index {@code shard-<id>.index.jsonl} taken instead of publishing its images a second time.
 */
public final class ShardNames {
  private static final SecureRandom RANDOM = new SecureRandom();

  private ShardNames() {}

  /**
   * A tar's own name, fresh for every attempt: an object store fixes it when the upload starts,
   * before the keys are known, and the index (named by {@link #forKeys}) says which tar it lists.
   */
  public static String attempt() {
    byte[] random = new byte[12];
    RANDOM.nextBytes(random);
    return "shard-" + HexFormat.of().formatHex(random) + ".tar";
  }

  public static String forKeys(Collection<String> keys) {
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort(null);
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    for (String key : sorted) {
      sha.update(key.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
    // 96 bits: a collision between two different key sets is not a practical concern.
    return "shard-" + HexFormat.of().formatHex(sha.digest(), 0, 12);
  }
}
