/**
 * The massfetch job: options per concern, the composition of the transforms, and {@code main}.
 * Runner-agnostic; the modules under {@code runners/} package it with a runner.
 */
package massfetch.pipeline;
