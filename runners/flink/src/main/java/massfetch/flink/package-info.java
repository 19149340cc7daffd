/**
 * What massfetch needs of Beam's FlinkRunner, plugged into the runner-neutral pipeline through
 * {@link massfetch.pipeline.RunnerSupport}: command-line defaults, the embedded Flink's temp folder,
 * and progress lines read from a cluster's REST API.
 */
package massfetch.flink;
