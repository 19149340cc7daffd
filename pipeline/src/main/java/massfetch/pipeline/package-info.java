/**
 * The massfetch job: options per concern, the composition of the transforms, and {@code main}.
 * Runner-neutral: the modules under {@code runners/} package it with a runner and plug in what that
 * runner needs through {@link massfetch.pipeline.RunnerSupport}.
 */
package massfetch.pipeline;
