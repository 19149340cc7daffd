package massfetch.resume;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ReadDoneKeys} and {@link ExcludeDone} on the DirectRunner: the anti-join on the object key. */
class ExcludeDoneTest {
  @TempDir Path dir;

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  private static FetchRequest request(long line, String url, String key) {
    return FetchRequest.builder().setUrl(url).setKey(key).setSource("m.txt").setLine(line).build();
  }

  private static FetchResult doneBefore(FetchRequest r, String detail) {
    return FetchResult.forRequest(r).setStatus(Status.SKIPPED).setError(ErrorClass.SKIP_DONE_BEFORE)
        .setDetail(detail).build();
  }

  @Test
  void givenDoneKeys_whenExcluded_thenDoneRequestsBecomeDoneBeforeAndTheRestGoOn() {
    FetchRequest done = request(1, "http://h/a.png", "a.png");
    FetchRequest doneTwice = request(2, "http://h/a.png", "a.png"); // a repeat of a done entry
    FetchRequest otherUrl = request(3, "http://mirror/b.png", "b.png"); // key done with another URL
    FetchRequest todo = request(4, "http://h/c.png", "c.png");
    FetchRequest urlDoneKeyNot = request(5, "http://h/d.png", "elsewhere/d.png");
    Pipeline p = pipeline();
    PCollection<String> doneKeys =
        p.apply("Done", Create.of(List.of("a.png", "b.png", "b.png", "d.png", "z.png")).withCoder(StringUtf8Coder.of()));

    PCollectionTuple out = p.apply(Create.of(List.of(done, doneTwice, otherUrl, todo, urlDoneKeyNot)))
        .apply(ExcludeDone.keysIn(doneKeys).withDetail("in run-1"));

    PAssert.that(out.get(ExcludeDone.REQUESTS)).containsInAnyOrder(todo, urlDoneKeyNot);
    PAssert.that(out.get(ExcludeDone.DONE)).containsInAnyOrder(
        doneBefore(done, "in run-1"), doneBefore(doneTwice, "in run-1"), doneBefore(otherUrl, "in run-1"));
    p.run().waitUntilFinish();
  }

  @Test
  void givenResultsFilesWithDamagedLines_whenDoneKeysRead_thenOkExistsAndDoneBeforeKeysOnly() throws Exception {
    Files.writeString(dir.resolve("results-00000-of-00002.jsonl"),
        "{\"url\":\"http://h/1.png\",\"key\":\"1.png\",\"status\":\"ok\",\"error\":null}\n"
            + "{\"url\":\"http://h/2.png\",\"key\":\"2.png\",\"status\":\"failed\",\"error\":\"http_404\"}\n"
            + "{\"url\":\"http://h/3.png\",\"key\":\"3.png\",\"status\":\"sk\n"              // damaged: ignored
            + "\n"
            + "{\"url\":\"http://h/4.png\",\"key\":\"4.png\",\"status\":\"skipped\",\"error\":\"exists\"}\n");
    Files.writeString(dir.resolve("results-00001-of-00002.jsonl"),
        "{\"url\":\"http://h/5.png\",\"key\":\"5.png\",\"status\":\"skipped\",\"error\":\"done_before\"}\n"
            + "{\"url\":\"http://h/6.png\",\"key\":\"6.png\",\"status\":\"skipped\",\"error\":\"duplicate_entry\"}\n"
            + "{\"url\":\"../x\",\"key\":null,\"status\":\"failed\",\"error\":\"invalid_entry\"}\n");
    Pipeline p = pipeline();

    PCollection<String> keys = p.apply(ReadDoneKeys.from(dir.resolve("results-*.jsonl").toString()));

    PAssert.that(keys).containsInAnyOrder("1.png", "4.png", "5.png");
    p.run().waitUntilFinish();
  }
}
