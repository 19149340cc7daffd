package massfetch.testing;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A PCollection whose elements all travel in one bundle on the DirectRunner, for tests that count
 * what a DoFn emits per bundle. {@code Create.of(list)} is split into a varying number of bundles
 * (the DirectRunner splits sources dynamically); one element fanned out by a DoFn is not.
 */
public final class OneBundle {
  private OneBundle() {}

  /** Elements {@code make(0) … make(count - 1)}, of a type with a default coder or schema. */
  public static <T> PCollection<T> of(
      Pipeline p, Class<T> type, int count, SerializableFunction<Integer, T> make) {
    return p.apply("OneElement", Create.of(count))
        .apply("FanOut", ParDo.of(new FanOutFn<>(make)))
        .setTypeDescriptor(TypeDescriptor.of(type));
  }

  private static final class FanOutFn<T> extends DoFn<Integer, T> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<Integer, T> make;

    FanOutFn(SerializableFunction<Integer, T> make) {
      this.make = make;
    }

    @ProcessElement
    public void processElement(@Element Integer count, OutputReceiver<T> out) {
      for (int i = 0; i < count; i++) {
        out.output(make.apply(i));
      }
    }
  }
}
