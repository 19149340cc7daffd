/**
 * Fetch-and-store: the async HTTP client shared per worker JVM, the retry policy, validation of
 * fetched bytes, and the {@link massfetch.fetch.FetchAndStore} transform that ties them to a sink.
 */
package massfetch.fetch;
