/**
 * Results: one JSON line per manifest entry and the run's summary.json, written by {@link
 * massfetch.results.WriteResults}, and read back by {@link massfetch.results.ResultRecord} when an
 * earlier run's results feed a new one.
 */
package massfetch.results;
