package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import massfetch.fetch.HostHealth.Admission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HostHealth}'s state machine on a hand-driven clock. Its timer is shut down, so waiting
 * requests move only when the test calls the host: every step is deterministic.
 */
class HostHealthTest {
  private static final String URL = "http://images.example.com:8080/a/b.png";
  private final AtomicLong clock = new AtomicLong(5_000_000_000L);
  private final ScheduledExecutorService stoppedTimer = new ScheduledThreadPoolExecutor(1);
  private final HostHealth health = new HostHealth(
      FetchConfig.builder()
          .setHostBackoffMs(100)
          .setHostFailuresToOpen(10)
          .setHostCooldownMs(1_000)
          .setHostUnavailableAfterMs(5_000)
          .setMaxRetryAfterMs(3_000)
          .build(),
      stop(stoppedTimer),
      clock::get);

  @AfterEach
  void shutdown() {
    stoppedTimer.shutdownNow();
  }

  @Test
  void givenUrls_whenKeyed_thenAuthorityInLowerCaseWithoutUserInfo() {
    assertEquals("images.example.com:8080", HostHealth.key(URL));
    assertEquals("a.example", HostHealth.key("https://user:pw@A.Example?x=1"));
    assertEquals("a.example", HostHealth.key("https://a.example#frag"));
  }

  @Test
  void givenNoTroubleYet_whenLookedUp_thenNoStateAndNoLookup() {
    assertNull(health.find(URL));
    assertSame(health.track(URL), health.find(URL));
  }

  @Test
  void givenAFewErrors_whenAdmitted_thenRequestsStillGoAtOnce() {
    HostHealth.Host host = health.track(URL);
    for (int i = 0; i < HostHealth.TROUBLE_THRESHOLD - 1; i++) {
      host.troubled(null);
    }

    assertEquals(Admission.GO, host.admit(new Recorder()));
    assertEquals(Admission.GO, host.admit(new Recorder()));
  }

  @Test
  void givenStormWithRetryAfter_whenNewRequestsCome_thenWholeHostWaitsForItThenGoesSpaced() {
    HostHealth.Host host = health.track(URL);
    for (int i = 0; i < HostHealth.TROUBLE_THRESHOLD; i++) {
      host.troubled(2_000L);
    }
    Recorder first = new Recorder();
    Recorder second = new Recorder();

    advance(1_500);
    assertEquals(Admission.WAIT, host.admit(first), "paused for the Retry-After, not only the request that got it");
    assertEquals(Admission.WAIT, host.admit(second));
    assertEquals(0, first.released + second.released);
    assertEquals(Admission.GO, health.track("http://other.example/x").admit(new Recorder()), "other hosts go on");

    advance(600);
    Recorder third = new Recorder();
    host.admit(third); // moves the queue, as the timer would
    assertEquals(1, first.released);
    assertEquals(0, second.released, "spaced by the backoff");

    advance(100);
    host.admit(new Recorder());
    assertEquals(1, second.released);
    assertEquals(0, third.released, "first come, first served");
  }

  @Test
  void givenFailuresInARow_whenCooldownEnds_thenOneProbeAndItsSuccessResumes() {
    HostHealth.Host host = health.track(URL);
    for (int i = 0; i < 10; i++) {
      host.troubled(null);
    }
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    assertEquals(Admission.WAIT, host.admit(a));

    advance(1_000);
    assertEquals(Admission.WAIT, host.admit(b));
    assertEquals(1, a.probes, "the first waiter is the probe");
    assertEquals(0, b.released, "one probe at a time");

    host.troubled(null); // the probe failed: open again for a cooldown
    advance(999);
    host.succeeded(); // a late answer from before the pause still proves the host alive
    assertEquals(1, b.released);
    assertEquals(0, b.probes, "released with the circuit closed, as an ordinary request");
    assertEquals(0, a.rejected + b.rejected);
  }

  @Test
  void givenHostDownBeyondTheBound_whenRequestsWait_thenTheyFailAsUnavailable() {
    HostHealth.Host host = health.track(URL);
    for (int i = 0; i < 10; i++) {
      host.troubled(null);
    }
    Recorder waiting = new Recorder();
    assertEquals(Admission.WAIT, host.admit(waiting));
    advance(1_000);
    Recorder probe = new Recorder();
    host.admit(probe); // releases the earlier waiter as the probe, queues this one
    host.troubled(null);

    advance(4_100);
    Recorder late = new Recorder();
    host.admit(late);
    assertEquals(1, probe.released, "probes go on past the bound, so a host that comes back is used");
    assertEquals(1, late.rejected, "the others fail");
    assertTrue(late.detail.contains("images.example.com:8080"), late.detail);
    assertEquals(Admission.UNAVAILABLE, host.admit(new Recorder()));
  }

  @Test
  void givenPausedHost_whenProbeFailsWithinTheBound_thenOnlyThenItsEntryIsSpared() {
    HostHealth.Host host = health.track(URL);
    assertFalse(host.pausedWithinBound(), "not paused");
    for (int i = 0; i < 10; i++) {
      host.troubled(null);
    }
    advance(1_000);
    assertEquals(Admission.PROBE, host.admit(new Recorder()), "nobody waits: the caller is the probe");
    host.troubled(null);
    assertTrue(host.pausedWithinBound(), "a probe refused 1 s into the outage costs its entry nothing");

    advance(4_100); // 5.1 s into the outage, past the 5 s bound
    assertFalse(host.pausedWithinBound(), "past the bound, a failed probe counts like any failure");
  }

  @Test
  void givenManyHostsWithOneStrayError_whenMoreAreTracked_thenCalmOnesAreForgottenAndTroubledKept() {
    HostHealth.Host troubled = health.track("http://down.example/x.png");
    for (int i = 0; i < 10; i++) {
      troubled.troubled(null); // paused: must be kept
    }
    for (int i = 0; i < HostHealth.MAX_TRACKED - 1; i++) {
      HostHealth.Host h = health.track("http://h" + i + ".example/x.png");
      h.troubled(null);
      h.succeeded();
    }
    advance(HostHealth.TROUBLE_WINDOW_MS + 1);

    health.track("http://one-more.example/x.png");

    assertTrue(health.tracked() < 10, "calm hosts forgotten, " + health.tracked() + " left");
    assertSame(troubled, health.find("http://down.example/x.png"), "a paused host keeps its state");
    assertNull(health.find("http://h1.example/x.png"));
  }

  private void advance(long millis) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static ScheduledExecutorService stop(ScheduledExecutorService timer) {
    timer.shutdown();
    return timer;
  }

  /** Counts what the host did with one waiting request. */
  private static final class Recorder implements HostHealth.Waiter {
    int released;
    int probes;
    int rejected;
    String detail;

    @Override
    public void release(boolean probe) {
      released++;
      if (probe) {
        probes++;
      }
    }

    @Override
    public void reject(String detail) {
      rejected++;
      this.detail = detail;
    }
  }
}
