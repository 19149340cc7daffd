/** Writing results: one JSON line per manifest entry, and the run's summary.json. */
package massfetch.results;
