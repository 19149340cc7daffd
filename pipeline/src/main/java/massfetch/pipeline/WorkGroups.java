package massfetch.pipeline;

import massfetch.fetch.Distribute;
import massfetch.shard.ShardConfig;

/**
 * How many work groups {@link Distribute} makes of the manifest.
 *
 * <p>Files mode: groups of about {@code --groupSize} entries, at least {@code --minGroups}. Tar
 * mode differs because every bundle of the fetch ends in shards of its own (a shard is published
 * whole before the bundle's results are released), and the DirectRunner makes one bundle of each
 * group: sixteen groups of a 300-entry manifest would be sixteen shards of about 19 images. So in tar
 * mode a group holds at least a whole shard's worth ({@code --shardMaxImages}), and on a runner
 * without a parallelism (the DirectRunner, one JVM whose bundle fetches many images at once
 * anyway) {@code --minGroups} does not apply. Flink batch makes one bundle per subtask whatever
 * the groups, so there {@code --minGroups} still spreads the groups evenly over the subtasks.
 */
final class WorkGroups {
  /**
   * Entries per group at most in tar mode, whatever {@code --shardMaxImages}: the DirectRunner
   * holds a group's requests in memory (a few hundred bytes each) while its bundle runs.
   */
  static final int MAX_TAR_GROUP = 100_000;

  private WorkGroups() {}

  static int of(MassfetchOptions o, ShardConfig shards) {
    long entries = ManifestSize.estimateEntries(o.getManifest());
    if (shards == null) {
      return Distribute.groupsFor(entries, o.getGroupSize(), o.getMinGroups());
    }
    int minGroups = Runners.parallelism(o).isPresent() ? o.getMinGroups() : 1;
    int groupSize = Math.max(o.getGroupSize(), Math.min(shards.maxImages(), MAX_TAR_GROUP));
    return Distribute.groupsFor(entries, groupSize, minGroups);
  }
}
