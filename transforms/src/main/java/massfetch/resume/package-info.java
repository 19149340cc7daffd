/**
 * Resuming from an earlier run's results instead of listing the bucket: {@link
 * massfetch.resume.ReadDoneKeys} reads the keys it stored, {@link massfetch.resume.ExcludeDone}
 * anti-joins them with this run's requests on the object key.
 */
package massfetch.resume;
