package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link BodyBuffer}: the body and its MD5 as they arrived, with no copy at the end when announced. */
class BodyBufferTest {
  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  /** Feeds {@code body} in chunks of {@code chunk} bytes from direct buffers, as Jetty hands them. */
  private static byte[] feed(BodyBuffer buffer, byte[] body, int chunk) {
    for (int at = 0; at < body.length; at += chunk) {
      int n = Math.min(chunk, body.length - at);
      ByteBuffer content = ByteBuffer.allocateDirect(n).put(body, at, n).flip();
      buffer.append(content);
      assertEquals(0, content.remaining(), "the chunk is consumed");
    }
    return buffer.bytes();
  }

  @Test
  void givenAnnouncedLength_whenBodyArrivesInChunks_thenBytesAndMd5AreThoseSentAndTheBufferIsHandedOver() throws Exception {
    byte[] body = random(40_000);
    BodyBuffer buffer = new BodyBuffer(body.length);

    byte[] got = feed(buffer, body, 4096);

    assertArrayEquals(body, got);
    assertSame(got, buffer.bytes(), "a full buffer is the body itself, not a copy");
    assertArrayEquals(MessageDigest.getInstance("MD5").digest(body), buffer.md5());
  }

  @Test
  void givenNoOrLowAnnouncedLength_whenMoreArrives_thenTheBufferGrowsAndKeepsEveryByte() throws Exception {
    for (long announced : new long[] {-1, 10, BodyBuffer.PRESIZE_MAX}) {
      byte[] body = random(3 * BodyBuffer.PRESIZE_MAX + 17);
      BodyBuffer buffer = new BodyBuffer(announced);

      assertArrayEquals(body, feed(buffer, body, 10_000), "announced " + announced);
      assertArrayEquals(MessageDigest.getInstance("MD5").digest(body), buffer.md5());
    }
  }

  @Test
  void givenHugeAnnouncedLength_whenFewBytesArrive_thenOnlyThoseAreKept() {
    byte[] body = random(1000);
    BodyBuffer buffer = new BodyBuffer(50L << 20);

    byte[] got = feed(buffer, body, 300);

    assertArrayEquals(body, got);
    assertEquals(1000, buffer.size());
  }
}
