/** massfetch: Beam transforms that copy images from an HTTP server into object storage. */
package massfetch;
