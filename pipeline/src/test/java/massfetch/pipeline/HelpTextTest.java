package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import massfetch.sink.ObjectSinks;
import org.apache.beam.sdk.options.Description;
import org.junit.jupiter.api.Test;

/** {@code massfetch --help} and {@code --help=<OptionsInterface>}, through {@link MassfetchMain}. */
class HelpTextTest {

  @Test
  void givenHelp_whenPrinted_thenEveryMassfetchOptionOnceInAtMost150Lines() {
    MainRun run = MainRun.run("--help");

    assertEquals(0, run.exitCode());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.size() <= 150, "--help takes " + lines.size() + " lines");
    assertTrue(lines.stream().allMatch(l -> l.length() <= HelpText.WIDTH), "wrapped to " + HelpText.WIDTH + " columns");
    for (String option : massfetchOptions()) {
      long times = lines.stream().filter(l -> l.startsWith("  --" + option + "=")).count();
      assertEquals(1, times, "--" + option + " listed once");
    }
  }

  @Test
  void givenHelp_whenPrinted_thenRealDefaultsRequiredMarksAndRunnerOptions() {
    String out = MainRun.run("--help").out();

    assertTrue(out.contains("--maxInFlight=256 "), out);
    assertTrue(out.contains("--results=<output>/_results "), "a computed default in words: " + out);
    assertFalse(out.matches("(?s).*\\b\\w+Factory\\b.*"), "no factory class names as defaults");
    assertTrue(out.matches("(?s).*--manifest=<String> +\\(required\\).*"), out);
    assertTrue(out.matches("(?s).*--output=<String> +\\(required\\).*"), out);
    for (String option : List.of("--runner=DirectRunner", "--flinkMaster=", "--parallelism=", "--filesToStage=")) {
      assertTrue(out.contains("  " + option), option + " listed");
    }
    for (String internal : List.of("--gbek", "--optionsId", "--stableUniqueNames", "--blockOnRun", "--enforceImmutability")) {
      assertFalse(out.contains(internal), internal + " is Beam's internal, not listed");
    }
    assertEquals(1, out.lines().filter(l -> l.startsWith("  --runner=")).count(), "Beam's base options once");
  }

  @Test
  void givenHelpOnAnInterface_whenRun_thenBeamsFullTextOfItByShortOrFullName() {
    MainRun shortName = MainRun.run("--help=FetchOptions");
    MainRun fullName = MainRun.run("--help=massfetch.pipeline.OutcomeOptions");
    MainRun beams = MainRun.run("--help=DirectOptions");

    assertEquals(0, shortName.exitCode());
    assertTrue(shortName.out().contains("--requestTimeoutMs=<int>"), shortName.out());
    assertTrue(shortName.out().contains("Deadline for a whole response"), "full descriptions: " + shortName.out());
    assertEquals(0, fullName.exitCode());
    assertTrue(fullName.out().contains("--maxFailureRatio=<double>"), fullName.out());
    assertEquals(0, beams.exitCode());
    assertTrue(beams.out().contains("--targetParallelism"), beams.out());
  }

  @Test
  void givenHelpOnAnUnknownName_whenRun_thenOneLineNamingTheKnownOnesAndExitCode2() {
    MainRun run = MainRun.run("--help=FetchOption");

    assertEquals(2, run.exitCode());
    assertEquals(1, run.err().strip().lines().count(), run.err());
    assertTrue(run.err().contains("FetchOptions"), run.err());
  }

  @Test
  void givenLongText_whenShortened_thenAsidesGoFirstThenLaterSentences() {
    String text = "Requests at once (the limit that protects the provider). 'auto' finds it (grows slowly). Ends here.";

    List<String> forms = HelpText.shorterForms(text);

    assertEquals(text, forms.get(0));
    assertEquals("Requests at once. 'auto' finds it. Ends here.", forms.get(1));
    assertEquals("Requests at once (the limit that protects the provider). 'auto' finds it (grows slowly).", forms.get(2));
    assertEquals("Requests at once. 'auto' finds it.", forms.get(3));
  }

  @Test
  void givenHelp_whenPrinted_thenTheStoringSectionNamesEachStoresOwnOptions() {
    String storing = MainRun.run("--help").out().lines().filter(l -> l.startsWith("Storing (")).findFirst().orElse("");

    for (Class<?> c : ObjectSinks.optionsInterfaces()) {
      assertTrue(storing.contains(c.getSimpleName()), c.getSimpleName() + " in " + storing);
    }
    assertTrue(storing.contains("S3StoreOptions") && storing.contains("GcsStoreOptions"), storing);
  }

  /** Every option massfetch declares itself or through its stores, by property name. */
  private static List<String> massfetchOptions() {
    List<Class<?>> interfaces = new ArrayList<>(List.of(MassfetchOptions.class.getInterfaces()));
    interfaces.addAll(ObjectSinks.optionsInterfaces());
    List<String> names = new ArrayList<>();
    for (Class<?> c : interfaces) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Description.class)) {
          names.add(HelpText.propertyName(m));
        }
      }
    }
    assertTrue(names.size() > 40 && names.contains("s3Endpoint"), "found the options: " + names);
    return names;
  }
}
