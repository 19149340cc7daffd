package massfetch.flink;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmbeddedFlinkTemp}: its folder goes away although Flink is still deleting in it. */
class EmbeddedFlinkTempTest {
  @TempDir Path dir;

  /**
   * Flink's mini cluster goes on closing after the job's result is back, deleting its own files
   * while the launcher removes the folder. A removal that stops at the first file deleted under it
   * left the whole folder behind (the Flink suite saw it: config.yaml and flink-web-upload).
   */
  @Test
  void givenAnotherThreadDeletingInTheFolder_whenRemoved_thenNothingIsLeft() throws Exception {
    Random random = new Random(7);
    for (int round = 0; round < 30; round++) {
      Path root = dir.resolve("massfetch-flink-" + round);
      List<Path> files = tree(root, 8, 60);
      Collections.shuffle(files, random);
      Thread flink = new Thread(() -> files.forEach(f -> {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          // a folder the launcher removed first
        }
      }));
      flink.start();
      EmbeddedFlinkTemp.remove(root);
      flink.join();
      assertFalse(Files.exists(root), "round " + round + ": " + root + " is still there");
    }
  }

  @Test
  void givenAFolderThatIsGone_whenRemoved_thenNothingHappens() {
    EmbeddedFlinkTemp.remove(dir.resolve("never-made"));
    assertFalse(Files.exists(dir.resolve("never-made")));
  }

  /** A folder of {@code folders} sub-folders of {@code each} files; returns the files. */
  private static List<Path> tree(Path root, int folders, int each) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.createDirectories(root.resolve("conf"));
    files.add(Files.writeString(root.resolve("conf/config.yaml"), "io.tmp.dirs: x\n"));
    for (int d = 0; d < folders; d++) {
      Path sub = Files.createDirectories(root.resolve("tmp/blobStore-" + d));
      for (int f = 0; f < each; f++) {
        files.add(Files.write(sub.resolve("f" + f), new byte[16]));
      }
    }
    return files;
  }
}
