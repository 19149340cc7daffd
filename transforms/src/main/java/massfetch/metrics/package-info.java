/** The job's Beam metric names, in one place so steps, progress lines and docs agree. */
package massfetch.metrics;
