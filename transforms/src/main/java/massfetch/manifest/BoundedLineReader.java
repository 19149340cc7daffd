package massfetch.manifest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines of at most {@code maxBytes} bytes. A longer line is skipped to its end without being
 * buffered (so a manifest of binary junk with no newline cannot exhaust memory) and reported as
 * too long; bytes that are not UTF-8 are reported too, instead of being silently replaced.
 */
final class BoundedLineReader {
  /** One line read: its text, or why it has none. */
  static final class Line {
    final long number;
    final String text; // null when tooLong or notUtf8
    final boolean tooLong;
    final boolean notUtf8;

    Line(long number, String text, boolean tooLong, boolean notUtf8) {
      this.number = number;
      this.text = text;
      this.tooLong = tooLong;
      this.notUtf8 = notUtf8;
    }
  }

  private final InputStream in;
  private final int maxBytes;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private long number;

  BoundedLineReader(InputStream in, int maxBytes) {
    this.in = new BufferedInputStream(in, 1 << 16);
    this.maxBytes = maxBytes;
  }

  /** The next line, or null at the end of the input. */
  Line next() throws IOException {
    buffer.reset();
    boolean tooLong = false;
    int b;
    boolean sawAny = false;
    while ((b = in.read()) != -1) {
      sawAny = true;
      if (b == '\n') {
        break;
      }
      if (!tooLong) {
        // One byte of slack for the '\r' of a CRLF ending, which is not part of the line.
        if (buffer.size() > maxBytes) {
          tooLong = true;
          buffer.reset();
        } else {
          buffer.write(b);
        }
      }
    }
    if (!sawAny) {
      return null;
    }
    number++;
    if (tooLong) {
      return new Line(number, null, true, false);
    }
    byte[] bytes = buffer.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    if (length > maxBytes) {
      return new Line(number, null, true, false);
    }
    try {
      String text = utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
      if (number == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1); // a byte-order mark some editors write
      }
      return new Line(number, text, false, false);
    } catch (CharacterCodingException e) {
      return new Line(number, null, false, true);
    }
  }
}
