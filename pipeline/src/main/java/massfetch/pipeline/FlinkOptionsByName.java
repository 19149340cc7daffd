package massfetch.pipeline;

import java.util.Optional;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Reads and sets Beam's {@code FlinkPipelineOptions} by name: this module does not depend on the
 * Flink runner (the DirectRunner's jar does not carry it), so its options interface is only there
 * when the runner is.
 */
final class FlinkOptionsByName {
  private static final String FLINK_OPTIONS = "org.apache.beam.runners.flink.FlinkPipelineOptions";

  private FlinkOptionsByName() {}

  /** Whether the job runs on the FlinkRunner. */
  static boolean isFlink(PipelineOptions options) {
    return "FlinkRunner".equals(options.getRunner().getSimpleName());
  }

  /** The value of a getter of FlinkPipelineOptions, e.g. {@code "getFlinkMaster"}; empty off Flink. */
  static Optional<Object> get(PipelineOptions options, String getter) {
    if (!isFlink(options)) {
      return Optional.empty();
    }
    try {
      Class<? extends PipelineOptions> flink = flinkOptions(options);
      return Optional.ofNullable(flink.getMethod(getter).invoke(options.as(flink)));
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      return Optional.empty();
    }
  }

  /** Calls a setter of FlinkPipelineOptions taking a String; false off Flink or when it failed. */
  static boolean set(PipelineOptions options, String setter, String value) {
    if (!isFlink(options)) {
      return false;
    }
    try {
      Class<? extends PipelineOptions> flink = flinkOptions(options);
      flink.getMethod(setter, String.class).invoke(options.as(flink), value);
      return true;
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      return false;
    }
  }

  private static Class<? extends PipelineOptions> flinkOptions(PipelineOptions options) throws ClassNotFoundException {
    return Class.forName(FLINK_OPTIONS, true, options.getRunner().getClassLoader()).asSubclass(PipelineOptions.class);
  }
}
