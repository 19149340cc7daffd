package massfetch.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Once every ledger file is published (its input is the signal that the writers ended), reads the
 * run's results back into summary.json's counts, so entries published by an attempt that later
 * failed are counted like the rest, and removes the hidden files that killed attempts left.
 */
class SummarizeLedgerFn extends DoFn<Long, String> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ResultsLedger ledger;
  private final long startMillis;

  private final @Nullable String output;

  SummarizeLedgerFn(ResultsLedger ledger, long startMillis, @Nullable String output) {
    this.ledger = ledger;
    this.startMillis = startMillis;
    this.output = output;
  }

  @ProcessElement
  public void processElement(OutputReceiver<String> out) throws IOException {
    Summary summary = new Summary();
    for (MatchResult.Metadata file : match(ledger.publishedGlob())) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          Channels.newInputStream(FileSystems.open(file.resourceId())), StandardCharsets.UTF_8))) {
        for (String text = in.readLine(); text != null; text = in.readLine()) {
          if (!text.isBlank()) {
            JsonNode r = MAPPER.readTree(text);
            summary.add(r.path(ResultFields.STATUS).asText(), r.path(ResultFields.ERROR).textValue(),
                r.path(ResultFields.BYTES).asLong());
          }
        }
      }
    }
    List<ResourceId> leftovers = new ArrayList<>();
    for (MatchResult.Metadata file : match(ledger.partialGlob())) {
      leftovers.add(file.resourceId());
    }
    FileSystems.delete(leftovers, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    out.output(summary.toJson(startMillis, System.currentTimeMillis(), output));
  }

  private static List<MatchResult.Metadata> match(String glob) throws IOException {
    MatchResult m = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
    return m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
  }
}
