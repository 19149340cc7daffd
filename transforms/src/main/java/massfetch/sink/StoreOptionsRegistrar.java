package massfetch.sink;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;

/**
 * Registers every {@link ObjectStore}'s own options interface with Beam, so {@code --s3Endpoint}
 * and the like parse, validate and show in help without the job's options interface naming any
 * store. Found by Beam through {@code META-INF/services}.
 */
public final class StoreOptionsRegistrar implements PipelineOptionsRegistrar {
  @Override
  public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
    return ObjectSinks.optionsInterfaces();
  }
}
