package massfetch.pipeline;

import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import massfetch.sink.ObjectSinks;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code massfetch --help}: every massfetch option on a line or two (the start of its description,
 * its real default, required ones marked), the few Beam and runner options a user sets, and
 * {@code --help=<OptionsInterface>} for the full text of any options interface, as Beam prints it.
 *
 * <p>Beam's own {@code printHelp} repeats the base {@link PipelineOptions} block under every
 * interface and shows a default computed at run time as its factory's class name; a user reading
 * 300 lines to find {@code --maxInFlight} is what this class exists to avoid.
 */
final class HelpText {
  /** Columns the text is wrapped to. */
  static final int WIDTH = 100;

  private static final int DESCRIPTION_COLUMN = 34;

  /** The option groups, in the order a user meets them. */
  private static final List<Map.Entry<String, List<Class<? extends PipelineOptions>>>> SECTIONS = List.of(
      Map.entry("Manifest", List.of(ManifestOptions.class)),
      Map.entry("Fetching", List.of(FetchOptions.class)),
      Map.entry("Storing", storingOptions()),
      Map.entry("Results and exit code", List.of(ResultsOptions.class, OutcomeOptions.class)));

  /** The options of every store, then each registered store's own, then the tar shards'. */
  private static List<Class<? extends PipelineOptions>> storingOptions() {
    List<Class<? extends PipelineOptions>> all = new ArrayList<>(List.of(SinkOptions.class));
    all.addAll(ObjectSinks.optionsInterfaces());
    all.add(ShardOptions.class);
    return List.copyOf(all);
  }

  /** Lines an option's text may take; the rest is one --help=<Interface> away. */
  private static final int MAX_TEXT_LINES = 2;

  /** Defaults a factory computes when the job starts, in words (Beam would print the class name). */
  private static final Map<String, String> COMPUTED_DEFAULTS = Map.of("results", "<output>/_results");

  /**
   * Beam's and the runners' options a massfetch user sets. They live in interfaces of Beam (the
   * Flink one is not even on the DirectRunner jar's class path), so they are described here.
   */
  private static final List<String[]> RUNNER_OPTIONS = List.of(
      new String[] {"Runner (Beam's options)", null, null},
      new String[] {"--runner=DirectRunner", "DirectRunner runs on this machine's cores; FlinkRunner on a Flink"
          + " cluster or an embedded one (docs/flink.md)."},
      new String[] {"--targetParallelism=<int>", "DirectRunner: worker threads (default: the number of cores)."},
      new String[] {"--jobName=<String>", "Name of the job in the runner's UI (default: massfetchmain-<user>-<time>)."},
      new String[] {"--tempLocation=<String>", "Where the runner keeps temporary files (default: none; the results"
          + " folder holds massfetch's own)."},
      new String[] {"--userAgent=<String>", "User-Agent sent to the image server (default: massfetch/<version> ...)."},
      new String[] {"FlinkRunner (all of them: --runner=FlinkRunner --help=FlinkPipelineOptions)", null, null},
      new String[] {"--flinkMaster=[auto]", "[local] runs Flink in this JVM, host:port submits to a cluster's"
          + " JobManager; [auto] is [local] outside a cluster."},
      new String[] {"--parallelism=<int>", "Subtasks (task slots) of the job; needed on a cluster, whose default"
          + " the client does not read."},
      new String[] {"--filesToStage=<List>", "Jars the TaskManagers load (default for a cluster: the massfetch jar"
          + " that runs)."},
      new String[] {"--attachedMode=true", "false returns once the job is submitted; the results say how it ended."},
      new String[] {"--executionModeForBatch=PIPELINED", "PIPELINED or BATCH_FORCED (stages one after another,"
          + " restartable per region)."},
      new String[] {"--checkpointingInterval=-1", "Milliseconds between checkpoints (-1: none; batch jobs need"
          + " none)."});

  private HelpText() {}

  /** The short help: usage, then every option on a line or two. */
  static void print(PrintStream out) {
    out.println("usage: massfetch --manifest=<file|glob> --output=<folder|gs://…|s3://…> [--baseUrl=<url>] [options]");
    out.println();
    wrap(out, "", "Copies every image a manifest lists from an HTTP server into storage, with one result record"
        + " per manifest entry (results-*.jsonl) and a summary.json. Exit code 0: the job finished (failed"
        + " images are in the results); 1: the job failed; 2: a usage mistake; 3: more entries failed than"
        + " --maxFailureRatio allows. A text ending in … goes on in --help=<OptionsInterface>, which"
        + " prints that interface in full (e.g. --help=FetchOptions).");
    for (Map.Entry<String, List<Class<? extends PipelineOptions>>> section : SECTIONS) {
      out.println();
      out.println(section.getKey() + " ("
          + section.getValue().stream().map(Class::getSimpleName).collect(Collectors.joining(", ")) + "):");
      for (Class<? extends PipelineOptions> options : section.getValue()) {
        for (Method getter : getters(options)) {
          option(out, "--" + propertyName(getter) + "=" + valueShown(getter), summary(getter));
        }
      }
    }
    for (String[] line : RUNNER_OPTIONS) {
      if (line.length == 3) {
        out.println();
        out.println(line[0] + ":");
      } else {
        option(out, line[0], line[1]);
      }
    }
  }

  /**
   * {@code --help=<name>}, as Beam answers it: the full help of the options interface with that
   * fully qualified or simple name. Returns false when no known interface has that name.
   */
  static boolean printInterface(String name, PrintStream out) {
    Optional<Class<? extends PipelineOptions>> found = findInterface(name);
    found.ifPresent(c -> PipelineOptionsFactory.printHelp(out, c));
    return found.isPresent();
  }

  /** The simple names {@code --help=} accepts, for the error line when it is given another. */
  static List<String> interfaceNames() {
    return knownInterfaces().stream().map(Class::getSimpleName).sorted().distinct().toList();
  }

  private static Optional<Class<? extends PipelineOptions>> findInterface(String name) {
    List<Class<? extends PipelineOptions>> matches = knownInterfaces().stream()
        .filter(c -> c.getName().equals(name) || c.getSimpleName().equals(name))
        .toList();
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  /** massfetch's interfaces and every one Beam has registered from the runners on the class path. */
  private static Set<Class<? extends PipelineOptions>> knownInterfaces() {
    PipelineOptionsFactory.register(MassfetchOptions.class);
    Set<Class<? extends PipelineOptions>> all = new LinkedHashSet<>();
    addWithParents(all, MassfetchOptions.class);
    for (Class<? extends PipelineOptions> c : PipelineOptionsFactory.getRegisteredOptions()) {
      addWithParents(all, c);
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static void addWithParents(Set<Class<? extends PipelineOptions>> all, Class<?> c) {
    if (PipelineOptions.class.isAssignableFrom(c) && all.add((Class<? extends PipelineOptions>) c)) {
      for (Class<?> parent : c.getInterfaces()) {
        addWithParents(all, parent);
      }
    }
  }

  /** The getters an interface declares itself, required ones first, then by name. */
  private static List<Method> getters(Class<?> options) {
    return Arrays.stream(options.getDeclaredMethods())
        .filter(m -> m.getParameterCount() == 0 && m.isAnnotationPresent(Description.class))
        .filter(m -> m.getName().startsWith("get") || m.getName().startsWith("is"))
        .sorted(Comparator.comparing((Method m) -> !m.isAnnotationPresent(Validation.Required.class))
            .thenComparing(HelpText::propertyName))
        .toList();
  }

  /** The option names (without {@code --}) that {@code interfaces} declare themselves. */
  static List<String> optionNames(List<Class<? extends PipelineOptions>> interfaces) {
    return interfaces.stream().flatMap(i -> getters(i).stream()).map(HelpText::propertyName).toList();
  }

  static String propertyName(Method getter) {
    String name = getter.getName().replaceFirst("^(get|is)", "");
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  /** The default, or the value's type when there is none. */
  private static String valueShown(Method getter) {
    String computed = COMPUTED_DEFAULTS.get(propertyName(getter));
    if (computed != null) {
      return computed;
    }
    for (Annotation a : getter.getAnnotations()) {
      Optional<String> value = defaultValue(a);
      if (value.isPresent()) {
        return value.get();
      }
    }
    return "<" + getter.getReturnType().getSimpleName() + ">";
  }

  private static Optional<String> defaultValue(Annotation a) {
    if (a instanceof Default.String s) {
      return Optional.of(s.value().isEmpty() ? "''" : s.value());
    } else if (a instanceof Default.Integer i) {
      return Optional.of(Integer.toString(i.value()));
    } else if (a instanceof Default.Long l) {
      return Optional.of(Long.toString(l.value()));
    } else if (a instanceof Default.Boolean b) {
      return Optional.of(Boolean.toString(b.value()));
    } else if (a instanceof Default.Double d) {
      double v = d.value();
      return Optional.of(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v));
    } else if (a instanceof Default.Enum e) {
      return Optional.of(e.value());
    }
    return Optional.empty();
  }

  /** The description, with the required mark; {@link #option} shortens it to fit. */
  private static String summary(Method getter) {
    String text = getter.getAnnotation(Description.class).value().replaceAll("\\s+", " ").strip();
    return getter.isAnnotationPresent(Validation.Required.class) ? "(required) " + text : text;
  }

  /**
   * The ways a long text is shortened, mildest first: asides in parentheses dropped, then all but
   * the first sentence, then both.
   */
  static List<String> shorterForms(String text) {
    String noAsides = withoutAsides(text);
    String first = firstSentence(text);
    return List.of(text, noAsides, first, withoutAsides(first));
  }

  /** The text without its parenthesised asides, e.g. "(the limit that protects the provider)". */
  static String withoutAsides(String text) {
    String previous;
    String t = text;
    do {
      previous = t;
      t = t.replaceAll(" ?\\([^()]*\\)", "");
    } while (!t.equals(previous));
    return t.replaceAll(" +([,;:.])", "$1");
  }

  static String firstSentence(String text) {
    for (int i = text.indexOf(". "); i >= 0; i = text.indexOf(". ", i + 1)) {
      String before = text.substring(0, i).toLowerCase(Locale.ROOT);
      boolean abbreviation = before.endsWith("e.g") || before.endsWith("i.e") || before.endsWith("etc");
      if (!abbreviation && i + 2 < text.length() && Character.isUpperCase(text.charAt(i + 2))) {
        return text.substring(0, i + 1);
      }
    }
    return text;
  }

  /** One option: its name and value in the left column, the text wrapped beside it. */
  private static void option(PrintStream out, String left, String text) {
    String head = "  " + left;
    if (head.length() >= DESCRIPTION_COLUMN - 1) {
      out.println(head);
      head = "";
    }
    String first = String.format(Locale.ROOT, "%-" + DESCRIPTION_COLUMN + "s", head);
    String indent = " ".repeat(DESCRIPTION_COLUMN);
    List<String> lines = List.of();
    for (String form : shorterForms(text)) {
      lines = wrapped(first, form, indent);
      if (lines.size() <= MAX_TEXT_LINES) {
        break;
      }
    }
    if (lines.size() > MAX_TEXT_LINES) {
      lines = new ArrayList<>(lines.subList(0, MAX_TEXT_LINES));
      lines.set(MAX_TEXT_LINES - 1, shortened(lines.get(MAX_TEXT_LINES - 1)));
    }
    lines.forEach(out::println);
  }

  /**
   * The last line of a cut text, ended at its last clause boundary when there is one, and marked
   * as cut; the room for the mark is made by dropping words.
   */
  static String shortened(String line) {
    String cut = line;
    int clause = Math.max(Math.max(cut.lastIndexOf("; "), cut.lastIndexOf(", ")), cut.lastIndexOf(" ("));
    if (clause > DESCRIPTION_COLUMN + 20) {
      cut = cut.substring(0, clause);
    }
    while (cut.length() + 2 > WIDTH && cut.lastIndexOf(' ') > DESCRIPTION_COLUMN) {
      cut = cut.substring(0, cut.lastIndexOf(' '));
    }
    return cut.replaceAll("[,;:(]+$", "") + " …";
  }

  private static void wrap(PrintStream out, String indent, String text) {
    wrapped(indent, text, indent).forEach(out::println);
  }

  private static List<String> wrapped(String first, String text, String indent) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(first);
    boolean empty = true;
    for (String word : text.split(" ")) {
      if (!empty && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString().stripTrailing());
        line = new StringBuilder(indent);
        empty = true;
      }
      line.append(empty ? "" : " ").append(word);
      empty = false;
    }
    lines.add(line.toString().stripTrailing());
    return lines;
  }
}
