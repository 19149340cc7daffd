package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link AbsolutePaths}: relative local locations become absolute, everything else stays. */
class AbsolutePathsTest {
  @Test
  void givenRelativeAbsoluteAndUrlLocations_whenApplied_thenOnlyRelativeLocalPathsChange() {
    String cwd = Path.of("").toAbsolutePath().toString();
    String[] args = {"--manifest=m.txt", "--output=/abs/out", "--results=gs://b/r", "--previousResults=./old/../r",
        "--parallelism=4", "--baseUrl=x/y"};

    assertArrayEquals(
        new String[] {"--manifest=" + cwd + "/m.txt", "--output=/abs/out", "--results=gs://b/r",
            "--previousResults=" + cwd + "/r", "--parallelism=4", "--baseUrl=x/y"},
        AbsolutePaths.apply(args));
  }
}
