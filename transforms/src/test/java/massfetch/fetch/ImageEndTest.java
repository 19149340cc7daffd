package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ImageEnd}: a whole image of every format {@link ImageSniffer} knows is complete, and every
 * cut of it that still sniffs as that format is not.
 */
class ImageEndTest {

  /** Real files from the JDK's encoders, plus hand-made WebP and AVIF/HEIC containers. */
  static Stream<Arguments> wholeImages() throws IOException {
    return Stream.of(
        Arguments.of("image/png", TestImages.png(3, 12)),
        Arguments.of("image/png", encoded("png")),
        Arguments.of("image/jpeg", encoded("jpeg")),
        Arguments.of("image/gif", encoded("gif")),
        Arguments.of("image/bmp", encoded("bmp")),
        Arguments.of("image/tiff", encoded("tiff")),
        Arguments.of("image/webp", webp(301)),
        Arguments.of("image/avif", isoBmff("avif", 200)),
        Arguments.of("image/heic", isoBmff("heic", 120)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeImages")
  void givenWholeImage_whenChecked_thenComplete(String type, byte[] image) {
    assertEquals(type, ImageSniffer.sniff(image));
    assertNull(ImageEnd.missing(image, type));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeImages")
  void givenEveryCutOfAnImage_whenChecked_thenCutShort(String type, byte[] image) {
    List<Integer> passed = new ArrayList<>();
    for (int length = 1; length < image.length; length++) {
      byte[] cut = Arrays.copyOf(image, length);
      if (type.equals(ImageSniffer.sniff(cut)) && ImageEnd.missing(cut, type) == null) {
        passed.add(length);
      }
    }
    // TIFF too, since the JDK's encoder writes the directory after the strips; another encoder's
    // TIFF may lose what follows its first image's data unnoticed.
    assertEquals(List.of(), passed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeImages")
  void givenBytesAfterTheEnd_whenChecked_thenComplete(String type, byte[] image) {
    if (type.equals("image/avif") || type.equals("image/heic")) {
      return; // boxes must tile the file: bytes after them are a box cut short
    }
    byte[] padded = Arrays.copyOf(image, image.length + 100);
    assertNull(ImageEnd.missing(padded, type));
  }

  @Test
  void givenPngCutAfterIdat_whenChecked_thenSaysNoIend() {
    byte[] png = TestImages.png(5, 40);
    String why = ImageEnd.missing(Arrays.copyOf(png, png.length - 12), "image/png");

    assertNotNull(why);
    assertTrue(why.contains("IEND"), why);
  }

  @Test
  void givenJpegWithStrayBytesBetweenSegments_whenChecked_thenComplete() throws IOException {
    byte[] jpeg = encoded("jpeg");
    byte[] stray = new byte[jpeg.length + 3];
    System.arraycopy(jpeg, 0, stray, 0, 2);
    stray[2] = 0x00;
    stray[3] = 0x12;
    stray[4] = 0x34;
    System.arraycopy(jpeg, 2, stray, 5, jpeg.length - 2);

    assertNull(ImageEnd.missing(stray, "image/jpeg"));
    assertNotNull(ImageEnd.missing(Arrays.copyOf(stray, stray.length - 1), "image/jpeg"));
  }

  @Test
  void givenGifWithUnknownBlockEndingInTrailer_whenChecked_thenJudgedByItsLastByte() throws IOException {
    byte[] gif = encoded("gif");
    byte[] odd = Arrays.copyOf(gif, gif.length + 2);
    odd[gif.length - 1] = 0x55; // where the trailer was: a block GIF does not define
    odd[gif.length] = 0x00;
    odd[gif.length + 1] = 0x3B;

    assertNull(ImageEnd.missing(odd, "image/gif"));
    assertNotNull(ImageEnd.missing(Arrays.copyOf(odd, odd.length - 1), "image/gif"));
  }

  @Test
  void givenBmpDeclaringNoSize_whenChecked_thenJudgedByItsPixelOffset() throws IOException {
    byte[] bmp = encoded("bmp");
    Arrays.fill(bmp, 2, 6, (byte) 0);

    assertNull(ImageEnd.missing(bmp, "image/bmp"));
    assertNotNull(ImageEnd.missing(Arrays.copyOf(bmp, 40), "image/bmp"));
  }

  @Test
  void givenUnknownType_whenChecked_thenNotJudged() {
    byte[] html = "<html>".getBytes(StandardCharsets.US_ASCII);

    assertNull(ImageEnd.missing(html, null));
    assertNull(ImageEnd.missing(html, "text/html"));
  }

  private static byte[] encoded(String format) throws IOException {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(1);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 16; y++) {
        image.setRGB(x, y, random.nextInt());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IllegalStateException("no JDK writer for " + format);
    }
    return out.toByteArray();
  }

  /** A RIFF/WEBP container of {@code payload} bytes (a VP8L chunk of noise). */
  private static byte[] webp(int payload) {
    ByteBuffer b = ByteBuffer.allocate(12 + 8 + payload + (payload & 1)).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(b.capacity() - 8);
    b.put("WEBP".getBytes(StandardCharsets.US_ASCII));
    b.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(payload);
    return b.array();
  }

  /** ISO-BMFF boxes: ftyp with {@code brand}, a meta box, and an mdat of {@code data} bytes. */
  private static byte[] isoBmff(String brand, int data) {
    ByteBuffer b = ByteBuffer.allocate(20 + 40 + 8 + data);
    b.putInt(20).put("ftyp".getBytes(StandardCharsets.US_ASCII)).put(brand.getBytes(StandardCharsets.US_ASCII))
        .putInt(0).put("mif1".getBytes(StandardCharsets.US_ASCII));
    b.putInt(40).put("meta".getBytes(StandardCharsets.US_ASCII)).put(new byte[32]);
    b.putInt(8 + data).put("mdat".getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }
}
