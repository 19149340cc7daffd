package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link BoundedLineReader}: lines, line numbers, and hostile input that must not exhaust memory. */
class BoundedLineReaderTest {

  private static List<BoundedLineReader.Line> readAll(byte[] input, int maxBytes) throws IOException {
    return readAll(new ByteArrayInputStream(input), maxBytes);
  }

  private static List<BoundedLineReader.Line> readAll(InputStream input, int maxBytes) throws IOException {
    BoundedLineReader reader = new BoundedLineReader(input, maxBytes);
    List<BoundedLineReader.Line> lines = new ArrayList<>();
    BoundedLineReader.Line line;
    while ((line = reader.next()) != null) {
      lines.add(line);
    }
    return lines;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertText(BoundedLineReader.Line line, long number, String text) {
    assertEquals(number, line.number);
    assertEquals(text, line.text);
    assertFalse(line.tooLong);
    assertFalse(line.notUtf8);
  }

  @Test
  void givenLfLines_whenRead_thenTextAndNumbersInOrder() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("a.png\nb/c.png\n"), 100);

    assertEquals(2, lines.size());
    assertText(lines.get(0), 1, "a.png");
    assertText(lines.get(1), 2, "b/c.png");
  }

  @Test
  void givenCrlfLines_whenRead_thenCarriageReturnsRemoved() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("a.png\r\nb.png\r\n\r\nc.png"), 100);

    assertEquals(4, lines.size());
    assertText(lines.get(0), 1, "a.png");
    assertText(lines.get(1), 2, "b.png");
    assertText(lines.get(2), 3, "");
    assertText(lines.get(3), 4, "c.png");
  }

  @Test
  void givenLastLineWithoutNewline_whenRead_thenStillReturned() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("a.png\nlast.png"), 100);

    assertEquals(2, lines.size());
    assertText(lines.get(1), 2, "last.png");
  }

  @Test
  void givenEmptyLines_whenRead_thenReturnedEmptyAndCounted() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("\n\na.png\n\n"), 100);

    assertEquals(4, lines.size());
    assertText(lines.get(0), 1, "");
    assertText(lines.get(1), 2, "");
    assertText(lines.get(2), 3, "a.png");
    assertText(lines.get(3), 4, "");
  }

  @Test
  void givenEmptyInput_whenRead_thenNoLines() throws Exception {
    assertTrue(readAll(new byte[0], 100).isEmpty());
  }

  @Test
  void givenByteOrderMark_whenRead_thenRemovedFromFirstLineOnly() throws Exception {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] rest = utf8("url,key\n\uFEFFb.png\n");
    byte[] input = new byte[bom.length + rest.length];
    System.arraycopy(bom, 0, input, 0, bom.length);
    System.arraycopy(rest, 0, input, bom.length, rest.length);

    List<BoundedLineReader.Line> lines = readAll(input, 100);

    assertText(lines.get(0), 1, "url,key");
    assertText(lines.get(1), 2, "\uFEFFb.png");
  }

  @Test
  void givenMultiByteUtf8_whenRead_thenDecoded() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("café/图/\uD83D\uDE00.png\n"), 100);

    assertText(lines.get(0), 1, "café/图/\uD83D\uDE00.png");
  }

  @Test
  void givenInvalidUtf8_whenRead_thenNotUtf8AndNextLineReadNormally() throws Exception {
    byte[] input = {'a', (byte) 0xC3, '(', '\n', (byte) 0xFF, (byte) 0xFE, '\n', 'o', 'k', '\n'};

    List<BoundedLineReader.Line> lines = readAll(input, 100);

    assertEquals(3, lines.size());
    assertTrue(lines.get(0).notUtf8);
    assertNull(lines.get(0).text);
    assertEquals(1, lines.get(0).number);
    assertTrue(lines.get(1).notUtf8);
    assertEquals(2, lines.get(1).number);
    assertText(lines.get(2), 3, "ok");
  }

  @Test
  void givenLineOfExactlyMaxBytes_whenRead_thenAccepted() throws Exception {
    String line = "x".repeat(64);

    List<BoundedLineReader.Line> lines = readAll(utf8(line + "\n" + line), 64);

    assertText(lines.get(0), 1, line);
    assertText(lines.get(1), 2, line);
  }

  @Test
  void givenCrlfLinesOfExactlyMax_whenRead_thenTextWithoutTheCarriageReturn() throws Exception {
    String line = "x".repeat(64);

    List<BoundedLineReader.Line> lines = readAll(utf8(line + "\r\n" + line + "\r\n" + "y".repeat(65) + "\r\n"), 64);

    assertText(lines.get(0), 1, line);
    assertText(lines.get(1), 2, line);
    assertTrue(lines.get(2).tooLong, "65 bytes before the CRLF is over the limit");
  }

  @Test
  void givenLineOneByteOverMax_whenRead_thenTooLong() throws Exception {
    List<BoundedLineReader.Line> lines = readAll(utf8("x".repeat(65) + "\nok\n"), 64);

    assertTrue(lines.get(0).tooLong);
    assertNull(lines.get(0).text);
    assertText(lines.get(1), 2, "ok");
  }

  @Test
  void givenTenMegabyteLineWithoutNewline_whenRead_thenTooLongWithoutBufferingIt() throws Exception {
    long junkBytes = 10L << 20;
    InputStream input =
        new SequenceInputStream(
            new ByteArrayInputStream(utf8("first.png\n")),
            new SequenceInputStream(new JunkStream(junkBytes), new ByteArrayInputStream(utf8("\nafter.png\n"))));
    com.sun.management.ThreadMXBean threads = threadBean();
    long threadId = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(threadId);

    List<BoundedLineReader.Line> lines = readAll(input, 8192);

    long allocated = threads.getThreadAllocatedBytes(threadId) - allocatedBefore;
    assertEquals(3, lines.size());
    assertText(lines.get(0), 1, "first.png");
    assertTrue(lines.get(1).tooLong);
    assertNull(lines.get(1).text);
    assertEquals(2, lines.get(1).number);
    assertText(lines.get(2), 3, "after.png");
    // Buffering the line would allocate at least its 10 MB (more, with array growth).
    assertTrue(allocated < (2L << 20), "allocated " + allocated + " bytes reading a 10 MB line");
  }

  @Test
  void givenTenMegabyteLineAtEndWithNoNewline_whenRead_thenOneTooLongLineAndEnd() throws Exception {
    List<BoundedLineReader.Line> lines =
        readAll(new SequenceInputStream(new ByteArrayInputStream(utf8("a\n")), new JunkStream(10L << 20)), 8192);

    assertEquals(2, lines.size());
    assertTrue(lines.get(1).tooLong);
    assertEquals(2, lines.get(1).number);
  }

  private static com.sun.management.ThreadMXBean threadBean() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM cannot measure allocation");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM cannot measure allocation");
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }

  /** Binary junk without a newline, generated as it is read (never held in memory). */
  private static final class JunkStream extends InputStream {
    private long remaining;

    JunkStream(long bytes) {
      this.remaining = bytes;
    }

    @Override
    public int read() {
      if (remaining <= 0) {
        return -1;
      }
      remaining--;
      return 'z';
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      Arrays.fill(b, off, off + n, (byte) 'z');
      remaining -= n;
      return n;
    }
  }
}
