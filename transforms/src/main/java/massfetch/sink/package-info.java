/**
 * Where fetched objects are written: the {@link massfetch.sink.ObjectSink} interface and its
 * implementations, chosen by the output URI's scheme in {@link massfetch.sink.ObjectSinks}.
 */
package massfetch.sink;
