package massfetch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import massfetch.sink.ObjectSinks;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Which {@code --output} a results folder was written for. A run records it in {@code
 * <results>/output.json} before its first result (so the results of a killed run carry it too), and
 * summary.json repeats it; {@code --previousResults} written for another output would claim objects
 * this output does not have, so they are refused unless {@code --previousResultsAnyOutput}.
 */
final class ResultsOutput {
  /** The file, in the results folder, that names the output. */
  static final String FILE = "output.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultsOutput() {}

  /**
   * {@code output} in one spelling: a local folder as its absolute normalised path, a bucket
   * prefix without trailing slashes.
   */
  static String canonical(String output) {
    String o = output.strip();
    if (ObjectSinks.schemeOf(o).equals("file")) {
      return ObjectSinks.localPath(o).toAbsolutePath().normalize().toString();
    }
    while (o.endsWith("/") && !o.endsWith("://")) {
      o = o.substring(0, o.length() - 1);
    }
    return o;
  }

  /**
   * The results folder as a key folder of the output ({@code _results} for the default), or null
   * when the results live outside the output: keys under it would be cleared with the results.
   */
  static String keyFolderOf(String results, String output) {
    String r = canonical(results);
    String o = canonical(output);
    String inside = o.endsWith("/") ? o : o + "/";
    return r.startsWith(inside) && r.length() > inside.length() ? r.substring(inside.length()) : null;
  }

  /** Writes {@code <results>/output.json} naming {@code output}. */
  static void record(String results, String output) throws IOException {
    ResourceId file = FileSystems.matchNewResource(folder(results) + FILE, false);
    byte[] json = JSON.writeValueAsBytes(JSON.createObjectNode().put("output", canonical(output)));
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(file, MimeTypes.TEXT))) {
      out.write(json);
    }
  }

  /**
   * Refuses {@code --previousResults} whose folders were written for another output than {@code
   * output}, or name none (results of another tool, or of a version that did not record it).
   */
  static void checkPrevious(String previousResults, String output) throws UserError {
    String mine = canonical(output);
    Set<String> folders = new LinkedHashSet<>();
    try {
      for (ResourceId file : ResultsLocation.matching(previousResults)) {
        folders.add(file.getCurrentDirectory().toString());
      }
    } catch (IOException | IllegalArgumentException e) {
      return; // unreadable: reported by the check that the glob matches files
    }
    for (String folder : folders) {
      String theirs = recordedIn(folder);
      String hint = ": resume into that --output, or add --previousResultsAnyOutput to use them anyway";
      if (theirs == null) {
        throw new UserError("--previousResults in " + folder + " do not say which --output they were written for"
            + " (no " + FILE + " or summary.json naming it)" + hint.replace("that --output, or ", ""));
      }
      if (!theirs.equals(mine)) {
        throw new UserError("--previousResults in " + folder + " were written for --output=" + theirs
            + ", not " + mine + hint);
      }
    }
  }

  /** The output {@code folder}'s output.json names, or its summary.json; null when neither does. */
  static String recordedIn(String folder) {
    String f = folder(folder);
    for (String name : List.of(FILE, "summary.json")) {
      JsonNode output = read(f + name).path("output");
      if (output.isTextual()) {
        return canonical(output.asText());
      }
    }
    return null;
  }

  private static JsonNode read(String path) {
    try {
      MatchResult m = FileSystems.match(List.of(path), EmptyMatchTreatment.ALLOW).get(0);
      if (m.status() != MatchResult.Status.OK || m.metadata().isEmpty()) {
        return JSON.missingNode();
      }
      try (InputStream in = Channels.newInputStream(FileSystems.open(m.metadata().get(0).resourceId()))) {
        return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      return JSON.missingNode(); // unreadable or not JSON: it names no output
    }
  }

  private static String folder(String folder) {
    return folder.endsWith("/") ? folder : folder + "/";
  }
}
