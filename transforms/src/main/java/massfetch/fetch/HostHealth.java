package massfetch.fetch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-host politeness, shared by every request of a worker JVM: a host that answers with a storm of
 * trouble ({@link AnswerClass#hostTrouble()}: 429/502/503/504, timeouts, refused or reset
 * connections) is slowed down as a whole, not one request at a time, and a
 * host that keeps failing is paused (circuit breaker) and probed with one request at a time until it
 * answers again.
 *
 * <ul>
 *   <li><b>Backoff</b> ({@link HostPacing}). After {@link #TROUBLE_THRESHOLD} troubled answers within {@link
 *       #TROUBLE_WINDOW_MS}, requests to the host are spaced {@link FetchConfig#hostBackoffMs()}
 *       apart; more trouble doubles the spacing (at most once per spacing, so the answers of
 *       requests already in flight count as one signal), up to {@link FetchConfig#maxBackoffMs()},
 *       and the whole host pauses for the largest {@code Retry-After} seen in the window (capped by
 *       {@link FetchConfig#maxRetryAfterMs()}). Successes halve the spacing again, one step per
 *       spacing (at least four initial spacings), so a recovering host is ramped up, not flooded.
 *   <li><b>Circuit breaker</b> ({@link HostCircuit}). {@link FetchConfig#hostFailuresToOpen()} troubled answers in a row
 *       open the circuit: no request goes to the host for {@link FetchConfig#hostCooldownMs()} (or
 *       the {@code Retry-After}, if longer); then one probe goes (half-open); its success closes the
 *       circuit, its failure opens it again. Requests wait meanwhile instead of failing, and a
 *       failed probe does not use up its entry's attempts, so an outage of a few minutes costs
 *       time, not entries; once the host has been unavailable for {@link
 *       FetchConfig#hostUnavailableAfterMs()}, waiting requests fail as {@code host_unavailable}
 *       and refused probes count (probes go on, so a host that comes back is used again).
 * </ul>
 *
 * <p>A host is the URL's authority ({@code host[:port]}), as for Jetty's per-destination connection
 * cap. Cost when nothing is wrong: {@link #find} answers null without a lookup until some host has
 * been in trouble, and a calm host is one volatile read per request and per answer. Calm hosts are
 * forgotten once more than {@link #MAX_TRACKED} are tracked.
 */
final class HostHealth {
  private static final Logger LOG = LoggerFactory.getLogger(HostHealth.class);

  /** Troubled answers within {@link #TROUBLE_WINDOW_MS} that start the backoff: a stray 503 does not. */
  static final int TROUBLE_THRESHOLD = 5;

  static final long TROUBLE_WINDOW_MS = 2_000;

  /** What a request may do now. */
  enum Admission {
    /** Send now. */
    GO,
    /** Send now, as the paused host's probe. */
    PROBE,
    /** Queued: the host calls {@link Waiter#release(boolean)} or {@link Waiter#reject(String)} later. */
    WAIT,
    /** The host has been unavailable for too long: fail the entry. */
    UNAVAILABLE
  }

  /** A request waiting for its host; called outside any lock, on a timer or client thread. */
  interface Waiter {
    /** The request may go; {@code probe} when it goes as the paused host's one probe. */
    void release(boolean probe);

    void reject(String detail);
  }

  private final ConcurrentHashMap<String, Host> hosts = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  private final LongSupplier nanoClock;
  private final long backoffNanos;
  private final long maxSpacingNanos;
  private final long maxRetryAfterNanos;
  private final long cooldownNanos;
  private final long unavailableAfterNanos;
  private final long probeTimeoutNanos;
  private final long windowNanos = TimeUnit.MILLISECONDS.toNanos(TROUBLE_WINDOW_MS);
  private final int failuresToOpen;

  HostHealth(FetchConfig config, ScheduledExecutorService timer) {
    this(config, timer, System::nanoTime);
  }

  HostHealth(FetchConfig config, ScheduledExecutorService timer, LongSupplier nanoClock) {
    this.timer = timer;
    this.nanoClock = nanoClock;
    this.backoffNanos = TimeUnit.MILLISECONDS.toNanos(config.hostBackoffMs());
    this.maxSpacingNanos = Math.max(backoffNanos, TimeUnit.MILLISECONDS.toNanos(config.maxBackoffMs()));
    this.maxRetryAfterNanos = TimeUnit.MILLISECONDS.toNanos(config.maxRetryAfterMs());
    this.cooldownNanos = TimeUnit.MILLISECONDS.toNanos(config.hostCooldownMs());
    this.unavailableAfterNanos = TimeUnit.MILLISECONDS.toNanos(config.hostUnavailableAfterMs());
    // A probe's answer always comes within its deadlines; past them, let another probe go.
    this.probeTimeoutNanos =
        TimeUnit.MILLISECONDS.toNanos((long) config.connectTimeoutMs() + config.requestTimeoutMs());
    this.failuresToOpen = config.hostFailuresToOpen();
  }

  /** The host's state, or null while it (and, cheaply, every host) has never been in trouble. */
  Host find(String url) {
    return hosts.isEmpty() ? null : hosts.get(key(url));
  }

  /**
   * Hosts tracked before the calm ones are forgotten: a manifest spread over millions of hosts, each
   * with one stray error, must not keep them all.
   */
  static final int MAX_TRACKED = 4096;

  private final java.util.concurrent.atomic.AtomicInteger sweepAt = new java.util.concurrent.atomic.AtomicInteger(MAX_TRACKED);

  /** The host's state, made on its first trouble. */
  Host track(String url) {
    Host h = hosts.computeIfAbsent(key(url), Host::new);
    int at = sweepAt.get();
    if (hosts.size() > at && sweepAt.compareAndSet(at, Integer.MAX_VALUE)) {
      forgetCalmHosts();
    }
    return h;
  }

  /** Drops hosts with nothing to wait for and no trouble within the window; their next trouble starts afresh. */
  private void forgetCalmHosts() {
    long now = nanoClock.getAsLong();
    hosts.values().removeIf(h -> h.forgettable(now));
    // Hosts still in trouble stay; look again only when the map has doubled past them.
    sweepAt.set(Math.max(MAX_TRACKED, hosts.size() * 2));
  }

  /** Hosts tracked now. */
  int tracked() {
    return hosts.size();
  }

  /** {@code host[:port]} of an http(s) URL, lower case, without user info; string work only. */
  static String key(String url) {
    int start = url.indexOf("://");
    start = start < 0 ? 0 : start + 3;
    int end = start;
    while (end < url.length()) {
      char c = url.charAt(end);
      if (c == '/' || c == '?' || c == '#') {
        break;
      }
      end++;
    }
    int at = url.lastIndexOf('@', end - 1);
    if (at >= start) {
      start = at + 1;
    }
    return url.substring(start, end).toLowerCase(Locale.ROOT);
  }

  /**
   * One host: its {@link HostPacing} and {@link HostCircuit}, the requests waiting for it, and when
   * it next looks at them. Everything but {@link #calm} is guarded by this.
   */
  final class Host {
    private final String name;
    /** Nothing to wait for: no spacing, no pause, circuit closed, nobody queued. */
    private volatile boolean calm = true;

    private final HostPacing pacing;
    private final HostCircuit circuit;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private boolean drainPending;
    private long drainAt;

    Host(String name) {
      this.name = name;
      long now = nanoClock.getAsLong();
      this.pacing = new HostPacing(name, backoffNanos, maxSpacingNanos, maxRetryAfterNanos, windowNanos, now);
      this.circuit = new HostCircuit(name, failuresToOpen, cooldownNanos, unavailableAfterNanos, probeTimeoutNanos);
    }

    /** Whether a request may go to this host now; on {@code WAIT} the waiter is called back later. */
    Admission admit(Waiter w) {
      if (calm) {
        return Admission.GO;
      }
      synchronized (this) {
        long now = nanoClock.getAsLong();
        if (circuit.closed()) {
          if (waiting.isEmpty() && now - pacing.nextSendAt() >= 0) {
            pacing.booked(now);
            updateCalm(now);
            return Admission.GO;
          }
        } else {
          if (waiting.isEmpty() && circuit.probeDue(now)) {
            circuit.startProbe(now);
            return Admission.PROBE;
          }
          if (circuit.pastBound(now) && !circuit.probeDue(now)) {
            return Admission.UNAVAILABLE;
          }
        }
        waiting.add(w);
      }
      drain();
      return Admission.WAIT;
    }

    /** The host answered with anything but trouble ({@link AnswerClass#hostTrouble()}): it is alive. */
    void succeeded() {
      if (calm && circuit.consecutive() == 0) {
        return;
      }
      synchronized (this) {
        long now = nanoClock.getAsLong();
        if (circuit.succeeded(now)) {
          pacing.resumePaced(now);
        } else {
          pacing.speedUp(now);
        }
        updateCalm(now);
      }
      drain();
    }

    /** The host answered with trouble; {@code retryAfterMs} is its {@code Retry-After} or null. */
    void troubled(Long retryAfterMs) {
      synchronized (this) {
        long now = nanoClock.getAsLong();
        long retryAfter = pacing.countTrouble(now, retryAfterMs);
        if (!circuit.troubled(now, retryAfter)) {
          pacing.slowDown(now);
        }
        updateCalm(now);
      }
      drain();
    }

    /**
     * Paused, for less than {@link FetchConfig#hostUnavailableAfterMs()}: a probe that fails now
     * must not cost its entry an attempt, or an outage that should cost only time would fail the
     * entries that happen to carry the probes.
     */
    synchronized boolean pausedWithinBound() {
      return circuit.pausedWithinBound(nanoClock.getAsLong());
    }

    /** Calm, no trouble in a row and none within the window: nothing is lost by forgetting it. */
    synchronized boolean forgettable(long now) {
      return calm && circuit.consecutive() == 0 && pacing.quiet(now);
    }

    private void updateCalm(long now) {
      calm = circuit.closed() && pacing.idle(now) && waiting.isEmpty();
    }

    /** Why a request to this host fails as {@code host_unavailable}. */
    synchronized String unavailableDetail() {
      return circuit.unavailableDetail(nanoClock.getAsLong());
    }

    /** Lets queued requests go as far as the state allows, and books the next look if some remain. */
    private void drain() {
      List<Waiter> go = null;
      Waiter probe = null;
      List<Waiter> reject = null;
      String detail = null;
      boolean look = false;
      long next = 0;
      long now;
      synchronized (this) {
        if (waiting.isEmpty()) {
          return;
        }
        now = nanoClock.getAsLong();
        if (!circuit.closed()) {
          if (circuit.probeDue(now)) {
            circuit.startProbe(now);
            probe = waiting.poll();
          }
          if (circuit.pastBound(now) && !waiting.isEmpty()) {
            reject = new ArrayList<>(waiting);
            waiting.clear();
            detail = circuit.unavailableDetail(now);
          }
          if (!waiting.isEmpty()) {
            next = circuit.nextChangeAt();
            look = true;
          }
        } else {
          while (!waiting.isEmpty()) {
            long t = pacing.nextSendAt();
            if (t - now > 0) {
              next = t;
              look = true;
              break;
            }
            if (go == null) {
              go = new ArrayList<>();
            }
            go.add(waiting.poll());
            pacing.booked(now);
          }
        }
        updateCalm(now);
        // One timer task per host at a time, however many requests wait.
        if (look && drainPending && next - drainAt >= 0) {
          look = false;
        } else if (look) {
          drainPending = true;
          drainAt = next;
        }
      }
      if (look) {
        schedule(next - now);
      }
      if (reject != null) {
        for (Waiter w : reject) {
          w.reject(detail);
        }
      }
      if (probe != null) {
        probe.release(true);
      }
      if (go != null) {
        for (Waiter w : go) {
          w.release(false);
        }
      }
    }

    private void schedule(long delayNanos) {
      try {
        timer.schedule(this::scheduledDrain, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The worker is closing: its bundle is failing or done, nobody waits for these requests.
        LOG.debug("timer closed; {} requests to {} left waiting", waiting.size(), name);
      }
    }

    private void scheduledDrain() {
      synchronized (this) {
        drainPending = false;
      }
      drain();
    }
  }
}
