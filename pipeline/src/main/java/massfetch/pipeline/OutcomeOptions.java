package massfetch.pipeline;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** What makes a run that finished count as a failure for whoever started it (a script, a DAG). */
public interface OutcomeOptions extends PipelineOptions {
  @Description("Exit with code 3 when more than this share of the entries failed (0.01 = 1%), naming the top"
      + " error classes; 1 never does. Failed images are in the results either way.")
  @Default.Double(1.0)
  double getMaxFailureRatio();

  void setMaxFailureRatio(double value);
}
