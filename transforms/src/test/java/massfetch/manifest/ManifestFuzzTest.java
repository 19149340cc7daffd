package massfetch.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import massfetch.model.ErrorClass;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link ReadManifest} with manifests a user might really feed it: binary junk, lines far
 * over the limit, Latin-1 and UTF-16 text, overlong and surrogate UTF-8, stray byte-order marks,
 * every kind of CSV quoting, CRLF endings, gzip — 150 files from a fixed seed, read in one
 * DirectRunner job. The property: the job ends (no crash, no hang), and every line that is not
 * blank, a comment or the CSV header yields exactly one output — a request or an {@code
 * invalid_entry} result naming that line — and no line yields two.
 */
class ManifestFuzzTest {
  private static final int MAX_LINE_BYTES = 256;
  private static final int FILES = 150;
  private static final ConcurrentLinkedQueue<String> OUTPUTS = new ConcurrentLinkedQueue<>();

  @TempDir Path dir;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void givenJunkManifests_whenRead_thenEveryEntryLineYieldsExactlyOneOutput() throws Exception {
    Random random = new Random(20261126L);
    Map<String, List<byte[]>> linesByFile = new TreeMap<>();
    for (int f = 0; f < FILES; f++) {
      String format = new String[] {"txt", "csv", "tsv", "txt.gz", "csv.gz"}[random.nextInt(5)];
      String name = "manifest-" + f + "." + format;
      List<byte[]> lines = new ArrayList<>();
      if (format.startsWith("csv") || format.startsWith("tsv")) {
        lines.add(header(random, format.startsWith("csv") ? ',' : '\t'));
      }
      int count = 1 + random.nextInt(40);
      for (int i = 0; i < count; i++) {
        lines.add(line(random, format.startsWith("tsv") ? '\t' : ','));
      }
      write(dir.resolve(name), lines, random.nextBoolean() ? "\n" : "\r\n", random.nextBoolean(), format.endsWith(".gz"));
      linesByFile.put(name, lines);
    }
    OUTPUTS.clear();

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollectionTuple read =
        p.apply(ReadManifest.from(dir.resolve("manifest-*").toString())
            .withBaseUrl("http://img.example/base").withMaxLineBytes(MAX_LINE_BYTES));
    PAssert.that(read.get(ReadManifest.REQUESTS)).satisfies(rs -> {
      rs.forEach(r -> OUTPUTS.add(fileName(r.getSource()) + ":" + r.getLine()));
      return null;
    });
    PAssert.that(read.get(ReadManifest.INVALID)).satisfies(rs -> {
      rs.forEach(r -> {
        assertEquals(ErrorClass.INVALID_ENTRY, r.getError(), r.toString());
        assertTrue(r.getDetail().startsWith("line " + r.getLine() + ": "), r.toString());
        OUTPUTS.add(fileName(r.getSource()) + ":" + r.getLine());
      });
      return null;
    });
    p.run().waitUntilFinish();

    Map<String, Integer> seen = new TreeMap<>();
    for (String o : OUTPUTS) {
      seen.merge(o, 1, Integer::sum);
    }
    int entries = 0;
    for (Map.Entry<String, List<byte[]>> file : linesByFile.entrySet()) {
      boolean table = !file.getKey().contains(".txt");
      boolean headerSeen = false;
      List<byte[]> lines = file.getValue();
      for (int i = 0; i < lines.size(); i++) {
        String where = file.getKey() + ":" + (i + 1);
        int outputs = seen.getOrDefault(where, 0);
        Kind kind = kindOf(lines.get(i), i == 0);
        String shown = where + " " + Arrays.toString(Arrays.copyOf(lines.get(i), Math.min(40, lines.get(i).length)));
        if (kind == Kind.SKIPPED) {
          assertEquals(0, outputs, "blank or comment line gave an output: " + shown);
        } else if (table && !headerSeen) {
          headerSeen = true; // a good header yields nothing, a bad one an invalid_entry
          assertTrue(outputs <= 1, "header line gave " + outputs + " outputs: " + shown);
        } else {
          entries++;
          assertEquals(1, outputs, "entry line gave " + outputs + " outputs: " + shown);
        }
      }
      for (String key : seen.keySet()) {
        if (key.startsWith(file.getKey() + ":")) {
          long line = Long.parseLong(key.substring(key.lastIndexOf(':') + 1));
          assertTrue(line >= 1 && line <= lines.size(), "output for a line that does not exist: " + key);
        }
      }
    }
    assertTrue(entries > 2_000, "the fuzz corpus should be large, was " + entries + " entries");
  }

  private enum Kind { SKIPPED, ENTRY }

  /** The reader's own rules, restated: over-long and non-UTF-8 lines are entries (invalid ones). */
  private static Kind kindOf(byte[] line, boolean first) {
    if (line.length > MAX_LINE_BYTES) {
      return Kind.ENTRY;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line)).toString();
    } catch (CharacterCodingException e) {
      return Kind.ENTRY;
    }
    if (first && text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String t = text.strip();
    return t.isEmpty() || t.startsWith("#") ? Kind.SKIPPED : Kind.ENTRY;
  }

  private static byte[] header(Random random, char sep) {
    String[] headers = {"url", "path", "url" + sep + "key", "path" + sep + "key" + sep + "size" + sep + "md5",
        "\"url\"" + sep + "\"key\"", "name" + sep + "where", "\"url" + sep + "key", "URL" + sep + "Key"};
    return headers[random.nextInt(headers.length)].getBytes(StandardCharsets.UTF_8);
  }

  /** One line, never containing '\n' (the writer adds the endings). */
  private static byte[] line(Random random, char sep) {
    switch (random.nextInt(14)) {
      case 0:
        return utf8("003-007-001-" + random.nextInt(99999) + "/" + java.util.UUID.randomUUID() + ".png");
      case 1:
        return utf8(new String[] {"http://img.example/a.png", "https://other.example:8443/b/c.png?x=1",
            "ftp://h/x.png", "file:///etc/passwd", "http://user:pw@h.example/x.png", "http://[::1]/x.png",
            "http://bad_host.example/x.png", "//h.example/x.png", "javascript:alert(1)"}[random.nextInt(9)]);
      case 2: {
        byte[] junk = new byte[random.nextInt(200)];
        random.nextBytes(junk);
        return withoutNewlines(junk);
      }
      case 3:
        return utf8("big/" + "x".repeat(MAX_LINE_BYTES - 10 + random.nextInt(40)) + ".png");
      case 4:
        return utf8("z".repeat(MAX_LINE_BYTES * (2 + random.nextInt(200))));
      case 5:
        return "caf\u00e9/r\u00e9sum\u00e9.png".getBytes(StandardCharsets.ISO_8859_1);
      case 6:
        return withoutNewlines("utf16/image.png".getBytes(StandardCharsets.UTF_16));
      case 7:
        return new byte[] {'a', (byte) 0xC0, (byte) 0xAF, '.', 'p', 'n', 'g'}; // overlong '/'
      case 8:
        return new byte[] {'s', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '.', 'p', 'n', 'g'}; // lone surrogate
      case 9:
        return utf8("\uFEFFbom/in/the/middle.png");
      case 10:
        return utf8(new String[] {"", "   ", "\t", "# comment", "  # indented", "#", "\u00a0"}[random.nextInt(7)]);
      case 11: {
        String[] cells = {"\"a" + sep + "b.png\"", "\"unbalanced.png", "\"\"", "a\"b\"c.png", "\"q\"\"uote.png\"",
            "plain.png", "", " spaced.png ", "k/" + random.nextInt(1000) + ".png", "12", "zz", "d41d8cd98f00b204e9800998ecf8427e"};
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : String.valueOf(sep)).append(cells[random.nextInt(cells.length)]);
        }
        return utf8(b.toString());
      }
      case 12:
        return utf8("dir/\u65e5\u672c\u8a9e/\ud83d\udcf7.png");
      default:
        return utf8("ctl/" + (char) random.nextInt(32) + "/x.png");
    }
  }

  private static byte[] withoutNewlines(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        bytes[i] = ' ';
      }
    }
    return bytes;
  }

  private static byte[] utf8(String s) {
    return withoutNewlines(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<byte[]> lines, String ending, boolean finalNewline, boolean gzip)
      throws IOException {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (int i = 0; i < lines.size(); i++) {
      text.write(lines.get(i));
      if (i < lines.size() - 1 || finalNewline) {
        text.write(ending.getBytes(StandardCharsets.US_ASCII));
      }
    }
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(text.toByteArray());
    }
  }

  private static String fileName(String source) {
    return source.substring(source.lastIndexOf('/') + 1);
  }
}
