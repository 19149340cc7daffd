package massfetch.resume;

import java.util.HashSet;
import java.util.Set;
import massfetch.metrics.ResultCounter;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Removes the requests whose object key an earlier run already stored: an anti-join on the key, as a
 * {@link CoGroupByKey} of the requests with the done keys, so it scales with the runner's shuffle
 * (no side input, no set of every key in memory). Each excluded request still ends as one result,
 * {@code skipped / done_before} ({@link #DONE}), so total = ok + skipped + failed = entries holds.
 *
 * <p>Both sides meet in {@code hash(key) mod B} buckets rather than per key, and each bucket holds
 * only its own share of the done keys in a set: one group per key makes the DirectRunner run one
 * bundle per key, which costs it seconds per hundred entries (docs/design.md, "Measurements behind
 * the code"). Choose B so that a bucket holds a few thousand keys ({@link #withBuckets}).
 *
 * <p>The key, not the URL, is the join key: the key is what exists in storage. A done key requested
 * now with a different URL is skipped too — its object is there.
 *
 * <pre>{@code
 * PCollection<String> done = p.apply("ReadDoneKeys", ReadDoneKeys.from(previousGlob));
 * PCollectionTuple left = requests.apply("ExcludeDone", ExcludeDone.keysIn(done).withBuckets(64));
 * left.get(ExcludeDone.REQUESTS).apply("Distribute", …);
 * }</pre>
 */
public final class ExcludeDone extends PTransform<PCollection<FetchRequest>, PCollectionTuple> {
  private static final long serialVersionUID = 1L;

  /** Requests no earlier run finished. */
  public static final TupleTag<FetchRequest> REQUESTS = new TupleTag<FetchRequest>() {};
  /** A {@code skipped / done_before} result per excluded request. */
  public static final TupleTag<FetchResult> DONE = new TupleTag<FetchResult>() {};

  static final String DEFAULT_DETAIL = "stored by an earlier run";
  static final int DEFAULT_BUCKETS = 16;

  // Beam's own transforms that take a PCollection argument (Wait.on) keep it transient likewise.
  private final transient PCollection<String> doneKeys;
  private final String detail;
  private final int buckets;

  private ExcludeDone(PCollection<String> doneKeys, String detail, int buckets) {
    if (buckets < 1) {
      throw new IllegalArgumentException("buckets must be at least 1");
    }
    this.doneKeys = doneKeys;
    this.detail = detail;
    this.buckets = buckets;
  }

  /** Excludes requests whose key is in {@code doneKeys} (repeats there are harmless). */
  public static ExcludeDone keysIn(PCollection<String> doneKeys) {
    return new ExcludeDone(doneKeys, DEFAULT_DETAIL, DEFAULT_BUCKETS);
  }

  /** The detail of each done_before result, e.g. naming the earlier results. */
  public ExcludeDone withDetail(String detail) {
    return new ExcludeDone(doneKeys, detail, buckets);
  }

  /** How many buckets the join uses; each holds its share of the done keys in memory. */
  public ExcludeDone withBuckets(int buckets) {
    return new ExcludeDone(doneKeys, detail, buckets);
  }

  /** The bucket of {@code key}; the String hash's bits spread so similar keys do not cluster. */
  static int bucketOf(String key, int buckets) {
    return Math.floorMod(key.hashCode() * 0x9E3779B9, buckets);
  }

  @Override
  public PCollectionTuple expand(PCollection<FetchRequest> requests) {
    TupleTag<String> done = new TupleTag<>();
    TupleTag<FetchRequest> requested = new TupleTag<>();
    PCollection<KV<Integer, String>> bucketedDone =
        doneKeys.apply("BucketDone", ParDo.of(new BucketDoneFn(buckets)))
            .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()));
    PCollection<KV<Integer, FetchRequest>> bucketedRequests =
        requests.apply("BucketRequests", ParDo.of(new BucketRequestFn(buckets)))
            .setCoder(KvCoder.of(VarIntCoder.of(), requests.getCoder()));
    return KeyedPCollectionTuple.of(done, bucketedDone)
        .and(requested, bucketedRequests)
        .apply("JoinOnKey", CoGroupByKey.create())
        .apply("SplitDone", ParDo.of(new SplitDoneFn(done, requested, detail))
            .withOutputTags(REQUESTS, TupleTagList.of(DONE)));
  }

  private static class BucketRequestFn extends DoFn<FetchRequest, KV<Integer, FetchRequest>> {
    private static final long serialVersionUID = 1L;
    private final int buckets;

    BucketRequestFn(int buckets) {
      this.buckets = buckets;
    }

    @ProcessElement
    public void processElement(@Element FetchRequest r, OutputReceiver<KV<Integer, FetchRequest>> out) {
      out.output(KV.of(bucketOf(r.getKey(), buckets), r));
    }
  }

  private static class BucketDoneFn extends DoFn<String, KV<Integer, String>> {
    private static final long serialVersionUID = 1L;
    private final int buckets;

    BucketDoneFn(int buckets) {
      this.buckets = buckets;
    }

    @ProcessElement
    public void processElement(@Element String key, OutputReceiver<KV<Integer, String>> out) {
      out.output(KV.of(bucketOf(key, buckets), key));
    }
  }

  private static class SplitDoneFn extends DoFn<KV<Integer, CoGbkResult>, FetchRequest> {
    private static final long serialVersionUID = 1L;
    private final TupleTag<String> done;
    private final TupleTag<FetchRequest> requested;
    private final String detail;
    private final ResultCounter results = new ResultCounter();

    SplitDoneFn(TupleTag<String> done, TupleTag<FetchRequest> requested, String detail) {
      this.done = done;
      this.requested = requested;
      this.detail = detail;
    }

    @ProcessElement
    public void processElement(@Element KV<Integer, CoGbkResult> bucket, MultiOutputReceiver out) {
      CoGbkResult r = bucket.getValue();
      Set<String> doneHere = new HashSet<>();
      for (String key : r.getAll(done)) {
        doneHere.add(key);
      }
      for (FetchRequest request : r.getAll(requested)) {
        if (doneHere.contains(request.getKey())) {
          out.get(DONE).output(results.count(FetchResult.forRequest(request)
              .setStatus(Status.SKIPPED)
              .setError(ErrorClass.SKIP_DONE_BEFORE)
              .setDetail(detail)
              .build()));
        } else {
          out.get(REQUESTS).output(request);
        }
      }
    }
  }
}
