package massfetch.sink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code syncfs(2)} of the file system that holds a path, called through JNA on a descriptor kept
 * open for the sink's life. Java has no call for it; running coreutils' {@code sync -f} instead
 * started a process per sync, hundreds a run, each forked from the whole JVM.
 */
final class SyncFs implements FileSystemSync.Call {
  private static final int O_RDONLY = 0;
  /** Linux's value (octal 02000000); syncfs is Linux's alone. */
  private static final int O_CLOEXEC = 0x80000;

  private final int descriptor;

  private SyncFs(int descriptor) {
    this.descriptor = descriptor;
  }

  /** Opens {@code onIt} (a folder or file) for syncing its file system; fails where that cannot be had. */
  static SyncFs open(Path onIt) throws IOException {
    if (!Platform.isLinux()) {
      throw new IOException("syncfs exists on Linux only");
    }
    try {
      return new SyncFs(Libc.open(nulTerminated(onIt), O_RDONLY | O_CLOEXEC));
    } catch (LastErrorException e) {
      throw new IOException("cannot open " + onIt + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      // JNA's native part did not load (an unknown platform, a temp folder mounted noexec).
      throw new IOException("JNA cannot call syncfs here: " + e, e);
    }
  }

  @Override
  public void sync() throws IOException {
    try {
      Libc.syncfs(descriptor);
    } catch (LastErrorException e) {
      throw new IOException("syncfs failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      Libc.close(descriptor);
    } catch (LastErrorException e) {
      // Nothing was written through this descriptor: closing it cannot lose data.
    }
  }

  /** The path as the JVM gives file names to the OS, ended by the NUL C expects. */
  private static byte[] nulTerminated(Path path) {
    Charset names = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
    byte[] bytes = path.toString().getBytes(names);
    return Arrays.copyOf(bytes, bytes.length + 1);
  }

  /** The C library's calls, bound when this class loads (direct mapping: no proxy per call). */
  private static final class Libc {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    static native int open(byte[] path, int flags) throws LastErrorException;

    static native int syncfs(int descriptor) throws LastErrorException;

    static native int close(int descriptor) throws LastErrorException;

    private Libc() {}
  }
}
