package massfetch.sink;

import static massfetch.sink.StoreTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreTestSupport.TestObject;
import massfetch.sink.StoreUnderTest.Opener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link ObjectSink} promises, run against every store: a local folder, each S3 server
 * and each GCS server that {@code scripts/storage-emulators.sh} started (the remote ones skip, with
 * the reason, when none is configured). Sinks are opened through the {@link ObjectStore}
 * registration, as a worker opens them. What only one store does is tested in its own class
 * (S3SinkTest, GcsSinkTest, LocalFileSinkTest).
 */
class ObjectSinkContractTest {
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> stores() {
    return StoreUnderTest.all();
  }

  @Test
  void givenRegisteredStores_whenListed_thenEachIsOpenedByItsSchemeAndCoveredHere() {
    Set<String> registered = new TreeSet<>();
    ObjectSinks.stores().forEach(s -> registered.add(s.scheme()));
    Set<String> covered = stores()
        .map(a -> (String) a.get()[0])
        .map(label -> label.startsWith("gcs") ? "gs" : label.startsWith("s3") ? "s3" : "file")
        .collect(Collectors.toCollection(TreeSet::new));

    assertEquals(Set.of("file", "gs", "s3"), registered);
    assertEquals(registered, covered, "every registered store has a StoreUnderTest");
    assertEquals("gs", ObjectSinks.storeOf("gs://b/p").orElseThrow().scheme());
    assertTrue(ObjectSinks.isRemote("s3://b/p") && !ObjectSinks.isRemote("/tmp/out"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ObjectSinks.open(SinkConfig.builder().setOutput("ftp://x/y").build()));
    assertEquals("unsupported output scheme 'ftp://' (use a local folder, gs:// or s3://)", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenStore_whenPutting300Images_thenEachReadsBackByteExactWithMd5AndContentType(String label, Opener opener)
      throws Exception {
    try (StoreUnderTest store = opener.open()) {
      String prefix = store.prefix();
      List<TestObject> objects = StoreTestSupport.objects("a", 300, 1);
      long started = System.nanoTime();
      Map<String, PutOutcome> outcomes;
      try (ObjectSink sink = ObjectSinks.open(store.config(prefix).build())) {
        outcomes = StoreTestSupport.putAll(sink, objects);
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("%s: stored %d objects in %d ms (%.0f/s)%n", label, objects.size(), millis,
          objects.size() * 1000.0 / Math.max(1, millis));
      for (TestObject o : objects) {
        assertEquals(PutOutcome.STORED, outcomes.get(o.key), o.key);
        store.assertStored(prefix, o);
      }
      measureSkipCost(label, store, prefix, objects);
    }
  }

  /**
   * What --skipExisting costs against what it saves: one metadata request per entry (exists) vs.
   * the refused put a re-run makes without it (the bytes travel again).
   */
  private static void measureSkipCost(String label, StoreUnderTest store, String prefix, List<TestObject> objects)
      throws Exception {
    try (ObjectSink sink = ObjectSinks.open(store.config(prefix).build())) {
      long started = System.nanoTime();
      List<CompletableFuture<Boolean>> checks = new ArrayList<>();
      for (TestObject o : objects) {
        checks.add(sink.exists(o.key));
      }
      for (CompletableFuture<Boolean> c : checks) {
        assertTrue(await(c));
      }
      long existsMillis = (System.nanoTime() - started) / 1_000_000;
      if (!store.honoursNoOverwrite()) {
        System.out.printf("%s: %d exists checks in %d ms%n", label, objects.size(), existsMillis);
        return;
      }
      started = System.nanoTime();
      Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, objects);
      long reputMillis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(again.values().stream().allMatch(PutOutcome.ALREADY_EXISTS::equals), again.toString());
      System.out.printf("%s: %d exists checks in %d ms; %d refused re-puts in %d ms%n",
          label, objects.size(), existsMillis, objects.size(), reputMillis);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenStoredObjects_whenPutAgainWithOverwriteOff_thenSameBytesAlreadyExistOtherBytesConflict(
      String label, Opener opener) throws Exception {
    try (StoreUnderTest store = opener.open()) {
      assumeTrue(store.honoursNoOverwrite(), store.server + " ignores the no-overwrite precondition and overwrites");
      String prefix = store.prefix();
      List<TestObject> first = StoreTestSupport.objects("b", 40, 2);
      List<TestObject> second = StoreTestSupport.objects("b", 40, 3); // same keys, different bytes
      try (ObjectSink sink = ObjectSinks.open(store.config(prefix).build())) {
        StoreTestSupport.putAll(sink, first);
        Map<String, PutOutcome> same = StoreTestSupport.putAll(sink, first);
        Map<String, PutOutcome> other = StoreTestSupport.putAll(sink, second);
        for (int i = 0; i < first.size(); i++) {
          assertEquals(PutOutcome.ALREADY_EXISTS, same.get(first.get(i).key), first.get(i).key);
          assertEquals(PutOutcome.KEY_CONFLICT, other.get(second.get(i).key), second.get(i).key);
        }
        assertTrue(await(sink.exists(first.get(0).key)));
        assertFalse(await(sink.exists("b/never/stored.png")));
      }
      for (TestObject o : first) {
        store.assertStored(prefix, o);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenOverwriteOn_whenPutAgain_thenObjectReplaced(String label, Opener opener) throws Exception {
    try (StoreUnderTest store = opener.open()) {
      String prefix = store.prefix();
      List<TestObject> first = StoreTestSupport.objects("c", 10, 4);
      List<TestObject> second = StoreTestSupport.objects("c", 10, 5);
      try (ObjectSink sink = ObjectSinks.open(store.config(prefix).setOverwrite(true).build())) {
        StoreTestSupport.putAll(sink, first);
        Map<String, PutOutcome> again = StoreTestSupport.putAll(sink, second);
        assertTrue(again.values().stream().allMatch(PutOutcome.STORED::equals), again.toString());
      }
      for (TestObject o : second) {
        store.assertStored(prefix, o);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenUnwritableLocation_whenPutting_thenStoreUnavailable(String label, Opener opener) throws Exception {
    try (StoreUnderTest store = opener.open()) {
      String unavailable = store.unavailableOutput();
      assumeTrue(unavailable != null, "this user may write anywhere here (root): no unwritable folder to try");
      TestObject o = StoreTestSupport.objects("d", 1, 6).get(0);
      try (ObjectSink sink = ObjectSinks.open(store.config("x").setOutput(unavailable).build())) {
        assertThrows(StoreUnavailableException.class, () -> await(sink.put(o.key, o.bytes, o.contentType, o.md5)));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenKeyEscapingThePrefix_whenPutting_thenRefusedBeforeAnyRequest(String label, Opener opener)
      throws Exception {
    try (StoreUnderTest store = opener.open();
        ObjectSink sink = ObjectSinks.open(store.config(store.prefix()).build())) {
      assertInstanceOf(IllegalArgumentException.class,
          refusal(() -> sink.put("../outside.png", new byte[] {1}, "image/png", new byte[16])));
    }
  }

  /** How a call was refused: thrown at once (remote sinks) or as its future's failure (local sink). */
  private static Throwable refusal(java.util.concurrent.Callable<CompletableFuture<?>> call) {
    try {
      await(call.call());
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  /**
   * Stops the server in the middle of a run: puts then fail with retryable store errors (the fetch
   * loop's store_error once attempts are spent) and leave no object behind; after a restart, puts
   * that are still retrying succeed and the failed ones succeed when run again.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void givenStoreStoppedMidRun_whenPutting_thenRetryableErrorsThenRecoveryAfterRestart(String label, Opener opener)
      throws Exception {
    try (StoreUnderTest store = opener.open()) {
      assumeTrue(!(store instanceof LocalStoreUnderTest), "a local folder has no server to stop");
      String ctl = StoreTestSupport.env(StoreTestSupport.CTL_VAR);
      assumeTrue(ctl != null, StoreTestSupport.CTL_VAR + StoreTestSupport.HOW_TO_RUN);
      String name = store.ctlName();
      assumeTrue(name != null, store.server + " keeps its objects in memory: a restart loses them");
      String prefix = store.prefix();
      StoreOutage.run(name, ctl, () -> ObjectSinks.open(store.config(prefix).build()), key -> store.read(prefix, key));
    }
  }
}
