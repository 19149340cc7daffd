package massfetch.fetch;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.ObjectSink;
import massfetch.sink.ObjectSink.PutOutcome;
import massfetch.sink.StoreException;
import massfetch.sink.StoreUnavailableException;

/**
 * Takes one manifest entry from request to stored object as a chain of futures: skip check, GET
 * (following redirects one hop at a time), retries with backoff, validation, put. Never blocks a
 * thread; every wait is either an HTTP deadline or a scheduled retry. The returned future completes
 * with a {@link FetchResult} for every per-entry outcome, and exceptionally only with {@link
 * StoreUnavailableException}, the signal that this worker cannot store anything.
 *
 * <p>Every HTTP request, retries and redirect hops included, first passes its host's {@link
 * HostHealth} (backoff and circuit breaker) and then the worker's {@link RequestRateLimiter}, when
 * either applies; both answer with a wait that is spent on the timer, never on a thread. When no
 * limit is set and no host has been in trouble, a request goes straight to the client.
 */
final class EntryFetcher {
  private final FetchConfig config;
  private final HttpFetcher http;
  private final ObjectSink sink;
  private final RetryPolicy retry;
  private final ScheduledExecutorService timer;
  private final HostPolicy hosts;
  private final HeaderScope headerScope;
  private final HostHealth health;
  /** Null when there is no request budget. */
  private final RequestRateLimiter rate;

  EntryFetcher(
      FetchConfig config,
      HttpFetcher http,
      ObjectSink sink,
      RetryPolicy retry,
      ScheduledExecutorService timer,
      HostHealth health,
      RequestRateLimiter rate) {
    this.config = config;
    this.http = http;
    this.sink = sink;
    this.retry = retry;
    this.timer = timer;
    this.hosts = new HostPolicy(config.allowedHosts());
    this.headerScope = new HeaderScope(config.headerHosts());
    this.health = health;
    this.rate = rate;
  }

  CompletableFuture<FetchResult> fetch(FetchRequest request) {
    return fetch(request, sink);
  }

  /** As {@link #fetch(FetchRequest)}, storing into {@code into} (a DoFn's own tar shards). */
  CompletableFuture<FetchResult> fetch(FetchRequest request, ObjectSink into) {
    Journey journey = new Journey(request, into);
    if (!config.skipExisting()) {
      return journey.start();
    }
    return journey.checkThenStart();
  }

  /** The state of one entry's journey; touched by one callback at a time. */
  private final class Journey implements HostHealth.Waiter {
    private final FetchRequest request;
    private final ObjectSink sink;
    private final long startNanos = System.nanoTime();
    private final CompletableFuture<FetchResult> done = new CompletableFuture<>();
    private int requests;
    private int failures;
    private int redirects;
    private int storeFailures;
    /** Puts sent for this entry: a taken key found by a second put may be the first one landing. */
    private int puts;
    /** The URL of the request waiting for its host or a token; one at a time per entry. */
    private String pendingUrl;
    /** Its host's state when the host has a history of trouble; null for a calm, unknown host. */
    private HostHealth.Host host;
    /** The pending request goes as its paused host's probe. */
    private boolean probe;
    /** A request of this try went over https: the extra headers never go over http after it. */
    private boolean sawHttps;

    Journey(FetchRequest request, ObjectSink sink) {
      this.request = request;
      this.sink = sink;
    }

    CompletableFuture<FetchResult> start() {
      get(request.getUrl());
      return done;
    }

    private void get(String url) {
      if (!hosts.allows(url)) {
        // Checked before every request, redirects included; the URL is the manifest's or a hop's.
        finish(failed(0, ErrorClass.DISALLOWED_HOST, "host not in --allowedHosts: " + hostOf(url)));
        return;
      }
      pendingUrl = url;
      host = health.find(url);
      if (host == null) {
        release(false);
        return;
      }
      switch (host.admit(this)) {
        case GO -> release(false);
        case PROBE -> release(true);
        case WAIT -> { } // the host calls release() or reject() when it may
        case UNAVAILABLE -> reject(host.unavailableDetail());
      }
    }

    /** The host lets the request go; it still needs a token when the worker has a budget. */
    @Override
    public void release(boolean probe) {
      this.probe = probe;
      if (rate != null) {
        long wait = rate.reserveNanos();
        if (wait > 0) {
          timer.schedule(this::send, wait, TimeUnit.NANOSECONDS);
          return;
        }
      }
      send();
    }

    @Override
    public void reject(String detail) {
      finish(failed(0, ErrorClass.HOST_UNAVAILABLE, detail));
    }

    private void send() {
      String url = pendingUrl;
      boolean asProbe = probe;
      requests++;
      boolean withHeaders = headerScope.carries(request.getUrl(), url, sawHttps);
      sawHttps |= url.regionMatches(true, 0, "https:", 0, 6);
      http.get(url, withHeaders).whenComplete((outcome, error) -> {
        if (error != null) {
          report(url, null, true);
          finish(failed(0, ErrorClass.CONNECTION_RESET, error.toString()));
        } else {
          boolean trouble = outcome.kind.hostTrouble();
          report(url, outcome, trouble);
          // A probe refused while its host's pause is within the bound is the host's failure, not
          // the entry's: the entry waits again, like every other, without using up an attempt.
          onOutcome(url, outcome, asProbe && trouble && host.pausedWithinBound());
        }
      });
    }

    /** Tells the host how it answered, before the entry acts on the answer (a retry waits for it). */
    private void report(String url, HttpOutcome o, boolean trouble) {
      HostHealth.Host h = host;
      if (trouble) {
        (h != null ? h : health.track(url))
            .troubled(o != null ? RetryPolicy.parseRetryAfterMs(o.retryAfter) : null);
      } else {
        if (h == null) {
          // The host may have got into trouble while this request was in flight.
          h = health.find(url);
        }
        if (h != null) {
          h.succeeded();
        }
      }
    }

    private void onOutcome(String url, HttpOutcome o, boolean spared) {
      switch (o.kind) {
        case SUCCESS -> validateAndStore(o);
        case REDIRECT -> followRedirect(url, o);
        default -> {
          if (o.isFailure()) {
            retryOrFail(o.kind, o.status, o.error, o.detail, null, spared);
          } else {
            retryOrFail(o.kind, o.status, ErrorClass.http(o.status), "HTTP " + o.status, o.retryAfter, spared);
          }
        }
      }
    }

    private void followRedirect(String url, HttpOutcome o) {
      if (o.location == null || o.location.isBlank()) {
        finish(failed(o.status, ErrorClass.BAD_REDIRECT, "redirect without Location"));
        return;
      }
      if (++redirects > config.maxRedirects()) {
        finish(failed(o.status, ErrorClass.TOO_MANY_REDIRECTS, "more than " + config.maxRedirects() + " redirects"));
        return;
      }
      String next;
      try {
        URI target = new URI(url).resolve(new URI(o.location.trim()));
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
          finish(failed(o.status, ErrorClass.BAD_REDIRECT, "redirect to a non-http(s) URL"));
          return;
        }
        next = target.toString();
      } catch (URISyntaxException | IllegalArgumentException e) {
        finish(failed(o.status, ErrorClass.BAD_REDIRECT, "unreadable Location header"));
        return;
      }
      get(next);
    }

    /**
     * Retries the entry or fails it, as {@link RetryPolicy} decides for an answer of class {@code
     * kind}. A retry starts again from the manifest's URL, not from a redirect's target (which may
     * have been a short-lived, presigned one). {@code spared}: a failed probe, not counted (see
     * {@link #send()}).
     */
    private void retryOrFail(
        AnswerClass kind, int status, String error, String detail, String retryAfter, boolean spared) {
      if (!spared && kind.retried()) {
        failures++;
      }
      long delay = retry.nextAttemptInMs(kind, failures, !spared, retryAfter);
      if (delay == RetryPolicy.FAIL) {
        finish(failed(status, error, kind.retried() ? detail + " (after " + failures + " attempts)" : detail));
        return;
      }
      timer.schedule(this::restart, delay, TimeUnit.MILLISECONDS);
    }

    private void restart() {
      redirects = 0;
      sawHttps = false;
      get(request.getUrl());
    }

    private void validateAndStore(HttpOutcome o) {
      byte[] body = o.body;
      if (o.contentLength >= 0 && body.length != o.contentLength) {
        retryOrFail(AnswerClass.ofError(ErrorClass.TRUNCATED), o.status, ErrorClass.TRUNCATED,
            "got " + body.length + " of " + o.contentLength + " bytes", null, false);
        return;
      }
      String type = ImageSniffer.sniff(body);
      String cut = ImageEnd.missing(body, type);
      if (cut != null) {
        retryOrFail(AnswerClass.ofError(ErrorClass.TRUNCATED), o.status, ErrorClass.TRUNCATED,
            cut + " (" + body.length + " bytes)", null, false);
        return;
      }
      String md5Hex = HexFormat.of().formatHex(o.md5);
      if (request.getExpectedSize() != null && request.getExpectedSize() != body.length) {
        retryOrFail(AnswerClass.ofError(ErrorClass.CHECKSUM_MISMATCH), o.status, ErrorClass.CHECKSUM_MISMATCH,
            "size " + body.length + ", manifest says " + request.getExpectedSize(), null, false);
        return;
      }
      if (request.getExpectedMd5() != null && !request.getExpectedMd5().equals(md5Hex)) {
        retryOrFail(AnswerClass.ofError(ErrorClass.CHECKSUM_MISMATCH), o.status, ErrorClass.CHECKSUM_MISMATCH,
            "md5 " + md5Hex + ", manifest says " + request.getExpectedMd5(), null, false);
        return;
      }
      if (type == null) {
        if (!config.acceptAnyContent()) {
          finish(failed(o.status, ErrorClass.NOT_IMAGE,
              "body is not an image (Content-Type: " + o.contentType + ")").setContentType(o.contentType));
          return;
        }
        type = o.contentType != null ? o.contentType : "application/octet-stream";
      }
      store(o, body, type, md5Hex);
    }

    private void store(HttpOutcome o, byte[] body, String type, String md5Hex) {
      CompletableFuture<PutOutcome> put;
      try {
        puts++;
        put = sink.put(request.getKey(), body, type, o.md5, request.getUrl());
      } catch (RuntimeException e) {
        put = CompletableFuture.failedFuture(e);
      }
      put.whenComplete((outcome, error) -> {
        if (error == null && outcome == PutOutcome.KEY_CONFLICT) {
          finish(failed(o.status, ErrorClass.KEY_CONFLICT,
              "an object with other bytes is stored at " + sink.locationOf(request.getKey())));
          return;
        }
        if (error == null && outcome == PutOutcome.ALREADY_EXISTS && puts > 1) {
          // An earlier put of this entry landed although its answer was lost: stored by this run.
          outcome = PutOutcome.STORED;
        }
        if (error == null && outcome == PutOutcome.ALREADY_EXISTS) {
          // Stored by an earlier attempt (a restarted task) or before the run: the object is left
          // as it is, so the record must not claim these bytes and this MD5 were stored.
          finish(skipped("already stored; found when storing").setHttpStatus(o.status));
          return;
        }
        if (error == null) {
          finish(FetchResult.forRequest(request)
              .setStatus(Status.OK)
              .setHttpStatus(o.status)
              .setBytes(body.length)
              .setMd5(md5Hex)
              .setContentType(o.contentType));
          return;
        }
        storeFailed(error, () -> store(o, body, type, md5Hex), o.status, "");
      });
    }

    /**
     * A call to the store failed: fail the bundle when the store cannot take anything, else try
     * {@code again} after a backoff while the error is transient and attempts are left, else
     * record {@code store_error}.
     */
    private void storeFailed(Throwable error, Runnable again, int status, String what) {
      Throwable cause = unwrap(error);
      if (cause instanceof StoreUnavailableException) {
        done.completeExceptionally(cause);
        return;
      }
      storeFailures++;
      if (isRetryable(cause) && retry.canRetry(storeFailures)) {
        timer.schedule(again, retry.delayMs(storeFailures, null), TimeUnit.MILLISECONDS);
      } else {
        finish(failed(status, ErrorClass.STORE_ERROR, what + cause.getMessage()));
      }
    }

    /**
     * Asks the store whether the object is there, then fetches it if not. A failed check is retried
     * like a failed put: during a short store outage each entry waits, holding its in-flight slot,
     * instead of failing at once and letting the rest of the manifest drain into store errors.
     */
    CompletableFuture<FetchResult> checkThenStart() {
      CompletableFuture<Boolean> exists;
      try {
        exists = sink.exists(request.getKey(), request.getExpectedSize(), request.getExpectedMd5());
      } catch (RuntimeException e) {
        exists = CompletableFuture.failedFuture(e);
      }
      exists.whenComplete((found, error) -> {
        if (error == null) {
          if (found) {
            finish(skipped("already stored"));
          } else {
            get(request.getUrl());
          }
          return;
        }
        storeFailed(error, this::checkThenStart, 0, "existence check failed: ");
      });
      return done;
    }

    private FetchResult.Builder skipped(String detail) {
      return FetchResult.forRequest(request)
          .setStatus(Status.SKIPPED)
          .setError(ErrorClass.SKIP_EXISTS)
          .setDetail(detail);
    }

    private FetchResult.Builder failed(int status, String error, String detail) {
      return FetchResult.forRequest(request)
          .setStatus(Status.FAILED)
          .setHttpStatus(status > 0 ? status : null)
          .setError(error)
          .setDetail(detail);
    }

    private void finish(FetchResult.Builder result) {
      done.complete(
          result
              .setAttempts(requests)
              .setElapsedMs(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos))
              .build());
    }
  }

  private static boolean isRetryable(Throwable cause) {
    return cause instanceof StoreException && ((StoreException) cause).retryable();
  }

  private static String hostOf(String url) {
    try {
      return String.valueOf(URI.create(url).getHost());
    } catch (IllegalArgumentException e) {
      return "(unreadable)";
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while (c instanceof CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
