package massfetch.fetch;

import java.nio.charset.StandardCharsets;

/** Tells an image's format from its first bytes; the Content-Type header is never trusted. */
final class ImageSniffer {
  private ImageSniffer() {}

  /** The image MIME type of {@code body}, or null when it does not start like an image. */
  static String sniff(byte[] body) {
    if (startsWith(body, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "image/png";
    }
    if (startsWith(body, 0, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (ascii(body, 0, "GIF87a") || ascii(body, 0, "GIF89a")) {
      return "image/gif";
    }
    if (ascii(body, 0, "RIFF") && ascii(body, 8, "WEBP")) {
      return "image/webp";
    }
    if (ascii(body, 0, "BM") && body.length >= 14) {
      return "image/bmp";
    }
    if (startsWith(body, 0, 'I', 'I', 0x2A, 0x00) || startsWith(body, 0, 'M', 'M', 0x00, 0x2A)) {
      return "image/tiff";
    }
    if (ascii(body, 4, "ftyp")) {
      // ISO-BMFF: the major brand says whether it is AVIF or HEIF/HEIC (and not, say, an MP4).
      String brand = body.length >= 12 ? new String(body, 8, 4, StandardCharsets.ISO_8859_1) : "";
      switch (brand) {
        case "avif":
        case "avis":
          return "image/avif";
        case "heic":
        case "heix":
        case "mif1":
        case "msf1":
        case "heim":
        case "heis":
          return "image/heic";
        default:
          return null;
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] body, int offset, int... magic) {
    if (body.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((body[offset + i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(byte[] body, int offset, String magic) {
    return startsWith(body, offset, magic.chars().toArray());
  }
}
