package massfetch.fetch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import massfetch.metrics.ResultCounter;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Spreads requests over workers in groups and removes repeated keys, in one shuffle.
 *
 * <p>Each request goes to group {@code hash(key) mod S}, so all entries for one key meet in one
 * group, where the first (by source and line) is kept: exact repeats become {@code skipped /
 * duplicate_entry}, a second URL for the same key {@code failed / duplicate_key} ({@link
 * #DUPLICATES}). Choose S so that groups hold a few thousand entries and there are at least as many
 * groups as workers: every worker gets work, and every group is a bundle large enough to keep many
 * fetches in flight even on a runner that makes one bundle per group (the DirectRunner).
 *
 * <p>Requests cross the shuffle in batches of one group's entries, gathered per bundle: on the
 * DirectRunner a shuffle costs per element, so one element per entry delays the first fetch
 * (docs/design.md, "Measurements behind the code"). Batches are bounded ({@link AssignGroupFn}), so a bundle of any
 * size (a whole subtask on Flink batch) holds little.
 *
 * <p>S is fixed when the pipeline is built (from the manifest's size, by the caller) rather than
 * counted inside the job: a count read as a side input costs the DirectRunner a serialisation per
 * element, which made it slower than the fetching itself.
 *
 * <pre>{@code
 * PCollectionTuple spread = requests.apply("Distribute", Distribute.intoGroups(64));
 * spread.get(Distribute.REQUESTS).apply("FetchAndStore", FetchAndStore.to(sink));
 * }</pre>
 */
public final class Distribute extends PTransform<PCollection<FetchRequest>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  public static final TupleTag<FetchRequest> REQUESTS = new TupleTag<FetchRequest>() {};
  public static final TupleTag<FetchResult> DUPLICATES = new TupleTag<FetchResult>() {};

  private final int groups;

  private Distribute(int groups) {
    if (groups < 1) {
      throw new IllegalArgumentException("groups must be at least 1");
    }
    this.groups = groups;
  }

  /** Spreads requests over {@code groups} groups. */
  public static Distribute intoGroups(int groups) {
    return new Distribute(groups);
  }

  /** How many groups of about {@code groupSize} make {@code entries}, and at least {@code minGroups}. */
  public static int groupsFor(long entries, int groupSize, int minGroups) {
    long wanted = (entries + groupSize - 1) / groupSize;
    return (int) Math.max(minGroups, Math.min(wanted, 1 << 20));
  }

  @Override
  public PCollectionTuple expand(PCollection<FetchRequest> requests) {
    return requests
        .apply("AssignGroup", ParDo.of(new AssignGroupFn(groups)))
        .setCoder(KvCoder.of(VarIntCoder.of(), ListCoder.of(requests.getCoder())))
        .apply("GroupByKeyHash", GroupByKey.create())
        .apply("DropRepeatedKeys", ParDo.of(new DropRepeatedKeysFn())
            .withOutputTags(REQUESTS, TupleTagList.of(DUPLICATES)));
  }

  /**
   * Gathers requests into batches by group: a batch is sent on when it holds {@link #BATCH}
   * entries, every batch when the bundle holds {@link #HELD} in all, and the rest when the bundle
   * ends.
   */
  static class AssignGroupFn extends DoFn<FetchRequest, KV<Integer, List<FetchRequest>>> {
    private static final long serialVersionUID = 1L;
    static final int BATCH = 1000;
    static final int HELD = 20_000;
    private final int groups;
    private transient Map<Integer, List<FetchRequest>> batches;
    private transient int held;

    AssignGroupFn(int groups) {
      this.groups = groups;
    }

    @StartBundle
    public void startBundle() {
      batches = new HashMap<>();
      held = 0;
    }

    @ProcessElement
    public void processElement(@Element FetchRequest r, OutputReceiver<KV<Integer, List<FetchRequest>>> out) {
      // Spread the String hash's bits so similar keys do not cluster in a few groups.
      int group = Math.floorMod(r.getKey().hashCode() * 0x9E3779B9, groups);
      List<FetchRequest> batch = batches.computeIfAbsent(group, g -> new ArrayList<>());
      batch.add(r);
      held++;
      if (batch.size() >= BATCH) {
        batches.remove(group);
        held -= batch.size();
        out.output(KV.of(group, batch));
      } else if (held >= HELD) {
        batches.forEach((g, b) -> out.output(KV.of(g, b)));
        batches.clear();
        held = 0;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      // Requests live in the global window (the job never windows them).
      batches.forEach((g, b) ->
          context.output(KV.of(g, b), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
      batches = null;
    }
  }

  private static class DropRepeatedKeysFn extends DoFn<KV<Integer, Iterable<List<FetchRequest>>>, FetchRequest> {
    private static final long serialVersionUID = 1L;
    private static final Comparator<FetchRequest> MANIFEST_ORDER =
        Comparator.comparing(FetchRequest::getSource).thenComparingLong(FetchRequest::getLine);
    private final ResultCounter results = new ResultCounter();

    @ProcessElement
    public void processElement(@Element KV<Integer, Iterable<List<FetchRequest>>> group, MultiOutputReceiver out) {
      Map<String, List<FetchRequest>> byKey = new HashMap<>();
      for (List<FetchRequest> batch : group.getValue()) {
        for (FetchRequest r : batch) {
          byKey.computeIfAbsent(r.getKey(), k -> new ArrayList<>(1)).add(r);
        }
      }
      for (List<FetchRequest> same : byKey.values()) {
        if (same.size() > 1) {
          same.sort(MANIFEST_ORDER);
        }
        FetchRequest first = same.get(0);
        out.get(REQUESTS).output(first);
        for (int i = 1; i < same.size(); i++) {
          out.get(DUPLICATES).output(results.count(duplicateOf(first, same.get(i))));
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
