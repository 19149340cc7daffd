package massfetch.fetch;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The bytes of one response body and their MD5, gathered as they arrive. Each chunk is copied once,
 * from the network buffer into this one, and hashed where it lands. Sized from the announced length
 * up to {@link #PRESIZE_MAX} (so a server announcing a huge body and sending nothing costs little)
 * and grown by doubling past it; {@link #bytes()} hands over the array itself when it is exactly
 * full, the common case of an image with a {@code Content-Length}, so the body is not copied again.
 */
final class BodyBuffer {
  /** The most allocated on the strength of a {@code Content-Length} header alone. */
  static final int PRESIZE_MAX = 64 * 1024;
  /** The first size when the length is not announced. */
  static final int FIRST_SIZE = 16 * 1024;

  private final MessageDigest md5 = newMd5();
  private byte[] buffer;
  private int size;

  /** {@code announced}: the {@code Content-Length}, or a negative number when there is none. */
  BodyBuffer(long announced) {
    buffer = new byte[announced < 0 ? FIRST_SIZE : (int) Math.min(announced, PRESIZE_MAX)];
  }

  int size() {
    return size;
  }

  /** Appends the remaining bytes of {@code content}, consuming them. */
  void append(ByteBuffer content) {
    int n = content.remaining();
    int needed = size + n;
    if (needed < 0) {
      throw new IllegalStateException("body over 2 GiB");
    }
    if (needed > buffer.length) {
      buffer = Arrays.copyOf(buffer, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, buffer.length * 2L)));
    }
    content.get(buffer, size, n);
    md5.update(buffer, size, n);
    size = needed;
  }

  /** The body; the buffer itself when it is full, else a copy of what arrived. */
  byte[] bytes() {
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }

  /** The MD5 of the body; call once, at its end. */
  byte[] md5() {
    return md5.digest();
  }

  /**
   * Cloned for each body: {@code MessageDigest.getInstance} looks the algorithm up among the
   * security providers every time, which showed in profiles at one call per image. Never updated,
   * so threads may clone it at once.
   */
  private static final MessageDigest MD5_PROTOTYPE = md5Prototype();

  private static MessageDigest md5Prototype() {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.clone(); // the JDK's MD5 can be cloned; fail here, once, if a provider's cannot
      return md5;
    } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
      throw new IllegalStateException("no cloneable MD5 in this JVM", e);
    }
  }

  private static MessageDigest newMd5() {
    try {
      return (MessageDigest) MD5_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("MD5 became uncloneable", e);
    }
  }
}
