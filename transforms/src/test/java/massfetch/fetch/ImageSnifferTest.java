package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import massfetch.testing.TestImages;
import org.junit.jupiter.api.Test;

/** {@link ImageSniffer}: an image is told by its magic bytes, and anything else is not one. */
class ImageSnifferTest {

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] padded(byte[] head, int length) {
    return Arrays.copyOf(head, Math.max(length, head.length));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** An ISO-BMFF file's first box: size, "ftyp", major brand, minor version, a compatible brand. */
  private static byte[] ftyp(String majorBrand, String compatibleBrand) {
    byte[] box = new byte[20];
    box[3] = 20;
    System.arraycopy(ascii("ftyp"), 0, box, 4, 4);
    System.arraycopy(ascii(majorBrand), 0, box, 8, 4);
    System.arraycopy(ascii(compatibleBrand), 0, box, 16, 4);
    return padded(box, 64);
  }

  @Test
  void givenRealPng_whenSniffed_thenPng() {
    assertEquals("image/png", ImageSniffer.sniff(TestImages.png(1, 4)));
  }

  @Test
  void givenJpegStart_whenSniffed_thenJpeg() {
    assertEquals("image/jpeg", ImageSniffer.sniff(padded(bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F'), 32)));
    assertEquals("image/jpeg", ImageSniffer.sniff(padded(bytes(0xFF, 0xD8, 0xFF, 0xE1), 32))); // Exif
  }

  @Test
  void givenGif87aAndGif89a_whenSniffed_thenGif() {
    assertEquals("image/gif", ImageSniffer.sniff(padded(ascii("GIF87a"), 32)));
    assertEquals("image/gif", ImageSniffer.sniff(padded(ascii("GIF89a"), 32)));
  }

  @Test
  void givenWebp_whenSniffed_thenWebp() {
    byte[] webp = padded(ascii("RIFF\u0024\u0000\u0000\u0000WEBPVP8 "), 44);

    assertEquals("image/webp", ImageSniffer.sniff(webp));
  }

  @Test
  void givenRiffThatIsNotWebp_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(padded(ascii("RIFF\u0024\u0000\u0000\u0000WAVEfmt "), 44)));
  }

  @Test
  void givenBmpHeader_whenSniffed_thenBmp() {
    assertEquals("image/bmp", ImageSniffer.sniff(padded(ascii("BM"), 54)));
  }

  @Test
  void givenTiffInBothByteOrders_whenSniffed_thenTiff() {
    assertEquals("image/tiff", ImageSniffer.sniff(padded(bytes('I', 'I', 0x2A, 0x00, 0x08, 0, 0, 0), 32)));
    assertEquals("image/tiff", ImageSniffer.sniff(padded(bytes('M', 'M', 0x00, 0x2A, 0, 0, 0, 0x08), 32)));
  }

  @Test
  void givenTiffWithByteOrderMixedUp_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(padded(bytes('I', 'I', 0x00, 0x2A), 32)));
    assertNull(ImageSniffer.sniff(padded(bytes('M', 'M', 0x2A, 0x00), 32)));
  }

  @Test
  void givenAvif_whenSniffed_thenAvif() {
    assertEquals("image/avif", ImageSniffer.sniff(ftyp("avif", "mif1")));
    assertEquals("image/avif", ImageSniffer.sniff(ftyp("avis", "avif")));
  }

  @Test
  void givenHeic_whenSniffed_thenHeic() {
    assertEquals("image/heic", ImageSniffer.sniff(ftyp("heic", "mif1")));
    assertEquals("image/heic", ImageSniffer.sniff(ftyp("mif1", "heic")));
  }

  @Test
  void givenMp4FtypIsom_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(ftyp("isom", "mp41")));
    assertNull(ImageSniffer.sniff(ftyp("qt  ", "qt  ")));
  }

  @Test
  void givenHtml_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(ascii("<!DOCTYPE html><html><body>Not found</body></html>")));
    assertNull(ImageSniffer.sniff(ascii("<html><body><img src=\"a.png\"></body></html>")));
  }

  @Test
  void givenEmptyBody_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(new byte[0]));
  }

  @Test
  void givenTruncatedMagic_whenSniffed_thenNotImage() {
    byte[] png = TestImages.png(1, 4);
    assertNull(ImageSniffer.sniff(Arrays.copyOf(png, 7)));
    assertNull(ImageSniffer.sniff(bytes(0xFF, 0xD8)));
    assertNull(ImageSniffer.sniff(ascii("GIF89")));
    assertNull(ImageSniffer.sniff(ascii("RIFF\u0024\u0000\u0000\u0000WEB")));
    assertNull(ImageSniffer.sniff(ascii("BM"))); // a BMP file header alone is 14 bytes
    assertNull(ImageSniffer.sniff(bytes('I', 'I', 0x2A)));
    assertNull(ImageSniffer.sniff(Arrays.copyOf(ftyp("avif", "mif1"), 10)));
  }

  @Test
  void givenTextStartingLikeNothing_whenSniffed_thenNotImage() {
    assertNull(ImageSniffer.sniff(ascii("{\"error\":\"rate limited\"}")));
    assertNull(ImageSniffer.sniff(new byte[64]));
  }
}
