package massfetch.fetch;

/**
 * Whether an image body reaches the end its own format declares, so a body cut off by a closed
 * connection — which HTTP cannot tell from a whole one when the server sends neither
 * Content-Length nor chunked encoding — is never stored as complete. A pure function of the bytes,
 * applied to every body (one pass over the structure, no decoding).
 *
 * <p>What "complete" means, per format {@link ImageSniffer} recognises:
 *
 * <ul>
 *   <li>PNG: the chunks, walked by their lengths, reach an {@code IEND} chunk.
 *   <li>JPEG: the segments, walked by their lengths and through the entropy-coded data, reach the
 *       end-of-image marker (FF D9).
 *   <li>GIF: the blocks, walked by their sub-block lengths, reach the trailer (0x3B).
 *   <li>WebP: the body holds the RIFF length its header declares.
 *   <li>BMP: the body holds the file size its header declares.
 *   <li>TIFF: the first image's directory and the strips or tiles it points to lie within the body
 *       (later pages of a multi-page file are not checked).
 *   <li>AVIF, HEIC: the top-level boxes, walked by their sizes, end exactly at the end of the body,
 *       and include {@code meta} and {@code mdat} (a file that keeps its coded data in {@code idat}
 *       alone, which encoders rarely write, is judged cut short).
 * </ul>
 *
 * <p>Bytes after the declared end are allowed (some encoders append padding or metadata). A body
 * whose structure cannot be followed (an unknown block where one is expected) is judged by its
 * last bytes alone: the JPEG marker FF D9 or the GIF trailer.
 */
final class ImageEnd {
  private ImageEnd() {}

  /**
   * Why {@code body}, sniffed as {@code type}, is cut short; null when it is complete or its type is
   * not one whose end is known (a body stored with --acceptAnyContent).
   */
  static String missing(byte[] body, String type) {
    if (type == null) {
      return null;
    }
    switch (type) {
      case "image/png":
        return png(body) ? null : "no PNG IEND chunk: body cut short";
      case "image/jpeg":
        return jpeg(body) ? null : "no JPEG end-of-image marker: body cut short";
      case "image/gif":
        return gif(body) ? null : "no GIF trailer: body cut short";
      case "image/webp":
        return riff(body) ? null : "shorter than its RIFF length: body cut short";
      case "image/bmp":
        return bmp(body) ? null : "shorter than its BMP file size: body cut short";
      case "image/tiff":
        return tiff(body) ? null : "TIFF image data beyond the body: body cut short";
      case "image/avif":
      case "image/heic":
        return isoBoxes(body) ? null : "last box beyond the body: body cut short";
      default:
        return null;
    }
  }

  /** PNG: signature, then chunks of length(4) type(4) data CRC(4), up to IEND. */
  static boolean png(byte[] b) {
    long at = 8;
    while (at + 12 <= b.length) {
      long length = u32be(b, (int) at);
      boolean iend = b[(int) at + 4] == 'I' && b[(int) at + 5] == 'E' && b[(int) at + 6] == 'N' && b[(int) at + 7] == 'D';
      long next = at + 12 + length;
      if (next > b.length) {
        return false;
      }
      if (iend) {
        return true;
      }
      at = next;
    }
    return false;
  }

  /** JPEG: markers with lengths, entropy-coded data after each SOS, up to EOI. */
  static boolean jpeg(byte[] b) {
    int at = 2; // after SOI
    while (at < b.length) {
      if ((b[at] & 0xFF) != 0xFF) {
        // Not at a marker: stray bytes between segments, which decoders skip; so do we.
        at++;
        continue;
      }
      while (at < b.length && (b[at] & 0xFF) == 0xFF) {
        at++; // fill bytes
      }
      if (at >= b.length) {
        return false;
      }
      int marker = b[at++] & 0xFF;
      if (marker == 0xD9) {
        return true;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
        continue; // no length: TEM, RSTn, SOI
      }
      if (at + 2 > b.length) {
        return false;
      }
      int length = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
      if (length < 2) {
        return endsWith(b, 0xFF, 0xD9);
      }
      at += length;
      if (at > b.length) {
        return false;
      }
      if (marker == 0xDA) {
        // Entropy-coded data: runs to the next marker that is not a stuffed 00 or a restart.
        while (at + 1 < b.length) {
          if ((b[at] & 0xFF) == 0xFF) {
            int m = b[at + 1] & 0xFF;
            if (m != 0x00 && m != 0xFF && !(m >= 0xD0 && m <= 0xD7)) {
              break;
            }
          }
          at++;
        }
        if (at + 1 >= b.length) {
          return false;
        }
      }
    }
    return false;
  }

  /** GIF: header, screen descriptor, colour table, then blocks up to the trailer 0x3B. */
  static boolean gif(byte[] b) {
    if (b.length < 13) {
      return false;
    }
    int at = 13;
    int flags = b[10] & 0xFF;
    if ((flags & 0x80) != 0) {
      at += 3 * (1 << ((flags & 0x07) + 1));
    }
    while (at < b.length) {
      int block = b[at] & 0xFF;
      if (block == 0x3B) {
        return true;
      }
      if (block == 0x21) {
        at = subBlocks(b, at + 2); // introducer, label
      } else if (block == 0x2C) {
        if (at + 10 > b.length) {
          return false;
        }
        int local = b[at + 9] & 0xFF;
        at += 10;
        if ((local & 0x80) != 0) {
          at += 3 * (1 << ((local & 0x07) + 1));
        }
        at = subBlocks(b, at + 1); // LZW minimum code size, then the data
      } else {
        return endsWith(b, 0x3B);
      }
      if (at < 0) {
        return false;
      }
    }
    return false;
  }

  /** Skips data sub-blocks (size byte, bytes) through the empty one; -1 when they run past the end. */
  private static int subBlocks(byte[] b, int at) {
    while (at < b.length) {
      int size = b[at] & 0xFF;
      at += 1 + size;
      if (size == 0) {
        return at;
      }
    }
    return -1;
  }

  /** RIFF (WebP): 8 header bytes plus the declared length. */
  static boolean riff(byte[] b) {
    return b.length >= 8 && b.length >= 8 + u32le(b, 4);
  }

  /** BMP: the file size at bytes 2–5; a header that declares none (0) is judged by its pixel offset. */
  static boolean bmp(byte[] b) {
    if (b.length < 14) {
      return false;
    }
    long size = u32le(b, 2);
    return b.length >= (size >= 14 ? size : u32le(b, 10));
  }

  /** TIFF: IFD0 within the body, and the end of every strip or tile it lists too. */
  static boolean tiff(byte[] b) {
    if (b.length < 8) {
      return false;
    }
    boolean le = b[0] == 'I';
    long ifd = u32(b, 4, le);
    if (ifd + 2 > b.length) {
      return false;
    }
    int count = u16(b, (int) ifd, le);
    long entriesEnd = ifd + 2 + 12L * count;
    if (entriesEnd > b.length) {
      return false;
    }
    long[] offsets = null;
    long[] lengths = null;
    for (int i = 0; i < count; i++) {
      int e = (int) (ifd + 2 + 12L * i);
      int tag = u16(b, e, le);
      if (tag == 273 || tag == 324 || tag == 279 || tag == 325) {
        long[] values = values(b, e, le);
        if (values == null) {
          return false;
        }
        if (tag == 273 || tag == 324) {
          offsets = values;
        } else {
          lengths = values;
        }
      }
    }
    if (offsets == null || lengths == null) {
      return true; // no image data described here: nothing more to check
    }
    for (int i = 0; i < Math.min(offsets.length, lengths.length); i++) {
      if (offsets[i] + lengths[i] > b.length) {
        return false;
      }
    }
    return true;
  }

  /** The SHORT or LONG values of one IFD entry; null when they lie beyond the body. */
  private static long[] values(byte[] b, int entry, boolean le) {
    int type = u16(b, entry + 2, le);
    long n = u32(b, entry + 4, le);
    int size = type == 3 ? 2 : type == 4 ? 4 : 0;
    if (size == 0 || n > b.length) {
      return new long[0]; // a type these tags never have: not ours to judge
    }
    long at = n * size <= 4 ? entry + 8 : u32(b, entry + 8, le);
    if (at + n * size > b.length) {
      return null;
    }
    long[] values = new long[(int) n];
    for (int i = 0; i < n; i++) {
      int p = (int) (at + (long) i * size);
      values[i] = size == 2 ? u16(b, p, le) : u32(b, p, le);
    }
    return values;
  }

  /**
   * ISO-BMFF: top-level boxes (size, type; size 1 = 64-bit size follows) end exactly at the body's
   * end, and among them are {@code meta} (the image's structure) and {@code mdat} (its coded data):
   * a cut that falls between two boxes loses one of them.
   */
  static boolean isoBoxes(byte[] b) {
    long at = 0;
    boolean meta = false;
    boolean mdat = false;
    while (at + 8 <= b.length) {
      long size = u32be(b, (int) at);
      String type = new String(b, (int) at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      meta |= type.equals("meta");
      mdat |= type.equals("mdat");
      if (size == 1) {
        if (at + 16 > b.length) {
          return false;
        }
        size = (u32be(b, (int) at + 8) << 32) | u32be(b, (int) at + 12);
      } else if (size == 0) {
        return meta && mdat; // the last box runs to the end of the file by definition
      }
      if (size < 8) {
        return false;
      }
      at += size;
    }
    return at == b.length && meta && mdat;
  }

  private static boolean endsWith(byte[] b, int... tail) {
    if (b.length < tail.length) {
      return false;
    }
    for (int i = 0; i < tail.length; i++) {
      if ((b[b.length - tail.length + i] & 0xFF) != tail[i]) {
        return false;
      }
    }
    return true;
  }

  private static long u32be(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
  }

  private static long u32le(byte[] b, int at) {
    return ((b[at + 3] & 0xFFL) << 24) | ((b[at + 2] & 0xFFL) << 16) | ((b[at + 1] & 0xFFL) << 8) | (b[at] & 0xFFL);
  }

  private static long u32(byte[] b, int at, boolean le) {
    return le ? u32le(b, at) : u32be(b, at);
  }

  private static int u16(byte[] b, int at, boolean le) {
    return le ? ((b[at + 1] & 0xFF) << 8) | (b[at] & 0xFF) : ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }
}
