package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ResultsLocation}: an earlier run's result files are cleared, nothing else is. */
class ResultsLocationTest {
  @TempDir Path dir;

  @Test
  void givenAnEarlierRunsFiles_whenCleared_thenOnlyResultFilesGo() throws IOException {
    for (String name : List.of("results-00000-of-00002.jsonl", "results-3f1c2a4e-0000-4000-8000-000000000000.jsonl",
        ".partial-results-3f1c2a4e-0000-4000-8000-000000000001.jsonl", "summary.json",
        "notes.txt", "results.csv", "img.png")) {
      Files.writeString(dir.resolve(name), "x\n");
    }

    new ResultsLocation(dir.toString()).clearPrevious();

    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of("img.png", "notes.txt", "results.csv"),
          left.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
  }
}
