package massfetch.fetch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Spreads requests over workers in groups and removes repeated keys, in one shuffle.
 *
 * <p>Each request goes to shard {@code hash(key) mod S}, so all entries for one key meet in one
 * group, where the first (by source and line) is kept: exact repeats become {@code skipped /
 * duplicate_entry}, a second URL for the same key {@code failed / duplicate_key} ({@link
 * #DUPLICATES}). S grows with the manifest (about {@value #DEFAULT_GROUP_SIZE} entries a group, at
 * least {@value #DEFAULT_MIN_SHARDS}) so that every worker gets work and every group is a bundle
 * large enough to keep many fetches in flight, even on a runner that makes one bundle per group.
 *
 * <pre>{@code
 * PCollectionTuple spread = requests.apply("Distribute", Distribute.create());
 * spread.get(Distribute.REQUESTS).apply("FetchAndStore", FetchAndStore.to(sink));
 * }</pre>
 */
public final class Distribute extends PTransform<PCollection<FetchRequest>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<FetchRequest> REQUESTS = new TupleTag<FetchRequest>() {};
  public static final TupleTag<FetchResult> DUPLICATES = new TupleTag<FetchResult>() {};

  static final int DEFAULT_GROUP_SIZE = 5_000;
  static final int DEFAULT_MIN_SHARDS = 16;

  private final int groupSize;
  private final int minShards;

  private Distribute(int groupSize, int minShards) {
    this.groupSize = groupSize;
    this.minShards = minShards;
  }

  public static Distribute create() {
    return new Distribute(DEFAULT_GROUP_SIZE, DEFAULT_MIN_SHARDS);
  }

  /** Target entries per group: larger keeps more fetches in flight per bundle, smaller spreads finer. */
  public Distribute withGroupSize(int groupSize) {
    return new Distribute(groupSize, minShards);
  }

  /** Fewest groups, however small the manifest: at least the job's parallelism. */
  public Distribute withMinShards(int minShards) {
    return new Distribute(groupSize, minShards);
  }

  @Override
  public PCollectionTuple expand(PCollection<FetchRequest> requests) {
    PCollectionView<Long> count =
        requests.apply("CountEntries", Count.globally()).apply("CountView", View.asSingleton());
    return requests
        .apply("AssignShard", ParDo.of(new AssignShardFn(count, groupSize, minShards)).withSideInputs(count))
        .setCoder(KvCoder.of(VarIntCoder.of(), requests.getCoder()))
        .apply("GroupByShard", GroupByKey.create())
        .apply("DropRepeatedKeys", ParDo.of(new DropRepeatedKeysFn())
            .withOutputTags(REQUESTS, TupleTagList.of(DUPLICATES)));
  }

  /** The number of groups for {@code entries} requests. */
  static int shardsFor(long entries, int groupSize, int minShards) {
    long wanted = (entries + groupSize - 1) / groupSize;
    return (int) Math.max(minShards, Math.min(wanted, 1 << 20));
  }

  private static class AssignShardFn extends DoFn<FetchRequest, KV<Integer, FetchRequest>> {
    private static final long serialVersionUID = 1L;
    private final PCollectionView<Long> count;
    private final int groupSize;
    private final int minShards;

    AssignShardFn(PCollectionView<Long> count, int groupSize, int minShards) {
      this.count = count;
      this.groupSize = groupSize;
      this.minShards = minShards;
    }

    @ProcessElement
    public void processElement(ProcessContext c) {
      int shards = shardsFor(c.sideInput(count), groupSize, minShards);
      FetchRequest r = c.element();
      c.output(KV.of(Math.floorMod(r.getKey().hashCode() * 0x9E3779B9, shards), r));
    }
  }

  private static class DropRepeatedKeysFn extends DoFn<KV<Integer, Iterable<FetchRequest>>, FetchRequest> {
    private static final long serialVersionUID = 1L;
    private static final Comparator<FetchRequest> MANIFEST_ORDER =
        Comparator.comparing(FetchRequest::getSource).thenComparingLong(FetchRequest::getLine);

    @ProcessElement
    public void processElement(@Element KV<Integer, Iterable<FetchRequest>> group, MultiOutputReceiver out) {
      Map<String, List<FetchRequest>> byKey = new HashMap<>();
      for (FetchRequest r : group.getValue()) {
        byKey.computeIfAbsent(r.getKey(), k -> new ArrayList<>(1)).add(r);
      }
      for (List<FetchRequest> same : byKey.values()) {
        if (same.size() > 1) {
          same.sort(MANIFEST_ORDER);
        }
        FetchRequest first = same.get(0);
        out.get(REQUESTS).output(first);
        for (int i = 1; i < same.size(); i++) {
          out.get(DUPLICATES).output(duplicateOf(first, same.get(i)));
        }
      }
    }

    private static FetchResult duplicateOf(FetchRequest first, FetchRequest repeat) {
      String where = first.getSource() + " line " + first.getLine();
      FetchResult.Builder result = FetchResult.forRequest(repeat);
      if (repeat.getUrl().equals(first.getUrl())) {
        return result.setStatus(Status.SKIPPED)
            .setError(ErrorClass.SKIP_DUPLICATE_ENTRY)
            .setDetail("same entry as " + where)
            .build();
      }
      return result.setStatus(Status.FAILED)
          .setError(ErrorClass.DUPLICATE_KEY)
          .setDetail("key already taken by another URL at " + where)
          .build();
    }
  }
}
