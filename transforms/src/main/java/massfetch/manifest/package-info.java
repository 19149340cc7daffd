/**
 * Reading manifests: text (one path or URL a line) and CSV/TSV files, gzip or not, into {@link
 * massfetch.model.FetchRequest}s; every bad line becomes an {@code invalid_entry} result instead.
 */
package massfetch.manifest;
