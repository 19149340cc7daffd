/**
 * Tar shard output ({@code --outputFormat=tar}): images appended to POSIX tar shards as they are
 * fetched, each shard published whole with an index that maps every key to its member's byte range,
 * so one image stays one range request away.
 */
package massfetch.shard;
