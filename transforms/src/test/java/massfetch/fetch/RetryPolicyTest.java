package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RetryPolicy}: what is retried, and how long each wait is. */
class RetryPolicyTest {
  private static final FetchConfig CONFIG =
      FetchConfig.builder()
          .setMaxAttempts(5)
          .setInitialBackoffMs(100)
          .setMaxBackoffMs(1_000)
          .setMaxRetryAfterMs(5_000)
          .build();

  /** The largest value a random in [0, 1) can take: the delay is then the backoff ceiling. */
  private static final double ALMOST_ONE = Math.nextDown(1.0);

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
  void givenTransientStatus_whenChecked_thenRetryable(int status) {
    assertTrue(AnswerClass.ofStatus(status).retried());
  }

  @ParameterizedTest
  @ValueSource(ints = {200, 301, 400, 401, 403, 404, 405, 410, 413, 451, 499, 600})
  void givenPermanentStatus_whenChecked_thenNotRetryable(int status) {
    assertFalse(AnswerClass.ofStatus(status).retried());
  }

  @Test
  void givenMaxAttemptsFive_whenAskedAfterFailures_thenRetriesUntilFiveRequestsWereSent() {
    RetryPolicy policy = new RetryPolicy(CONFIG);

    assertTrue(policy.canRetry(1));
    assertTrue(policy.canRetry(4));
    assertFalse(policy.canRetry(5));
    assertFalse(policy.canRetry(6));
  }

  @Test
  void givenMaxAttemptsOne_whenAskedAfterFirstFailure_thenNoRetry() {
    RetryPolicy policy = new RetryPolicy(CONFIG.toBuilder().setMaxAttempts(1).build());

    assertFalse(policy.canRetry(1));
  }

  @Test
  void givenRandomAtTop_whenDelayAsked_thenCeilingDoublesFromInitialAndIsCapped() {
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> ALMOST_ONE);

    assertEquals(99, policy.delayMs(1, null)); // just under 100
    assertEquals(199, policy.delayMs(2, null));
    assertEquals(399, policy.delayMs(3, null));
    assertEquals(799, policy.delayMs(4, null));
    assertEquals(999, policy.delayMs(5, null)); // 1600 capped at 1000
    assertEquals(999, policy.delayMs(60, null));
    assertEquals(999, policy.delayMs(Integer.MAX_VALUE, null));
  }

  @Test
  void givenFixedRandom_whenDelayAsked_thenThatFractionOfTheCeiling() {
    RetryPolicy half = new RetryPolicy(CONFIG, () -> 0.5);
    RetryPolicy zero = new RetryPolicy(CONFIG, () -> 0.0);

    assertEquals(50, half.delayMs(1, null));
    assertEquals(200, half.delayMs(3, null));
    assertEquals(500, half.delayMs(9, null));
    assertEquals(0, zero.delayMs(3, null));
  }

  @Test
  void givenRealRandom_whenManyDelaysAsked_thenFullJitterSpreadsOverZeroToCeiling() {
    RetryPolicy policy = new RetryPolicy(CONFIG);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;

    for (int i = 0; i < 2_000; i++) {
      long d = policy.delayMs(4, null); // ceiling 800
      assertTrue(d >= 0 && d <= 800, "delay " + d);
      min = Math.min(min, d);
      max = Math.max(max, d);
    }

    // Full jitter, not "ceiling/2 + jitter": both ends of the range are reached.
    assertTrue(min < 100, "smallest delay " + min);
    assertTrue(max > 700, "largest delay " + max);
  }

  @Test
  void givenRetryAfterSeconds_whenDelayAsked_thenServerWinsOverBackoff() {
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> ALMOST_ONE);

    assertEquals(3_000, policy.delayMs(1, "3"));
    assertEquals(0, policy.delayMs(1, "0"));
    assertEquals(2_000, policy.delayMs(1, " 2 "));
  }

  @Test
  void givenRetryAfterAboveCap_whenDelayAsked_thenCappedByMaxRetryAfter() {
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> ALMOST_ONE);

    assertEquals(5_000, policy.delayMs(1, "3600"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999", "99999999999999999999"})
  void givenRetryAfterTooLargeForMilliseconds_whenDelayAsked_thenCappedNotIgnored(String header) {
    // A server asking for an absurdly long wait still means "wait as long as you allow",
    // not "retry after the short backoff".
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> ALMOST_ONE);

    assertEquals(5_000, policy.delayMs(1, header));
  }

  @Test
  void givenNegativeRetryAfter_whenDelayAsked_thenNoWaitFromIt() {
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> ALMOST_ONE);

    long d = policy.delayMs(1, "-5");

    assertTrue(d >= 0 && d <= 99, "delay " + d);
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "1.5", "", "  ", "Wed, 99 Foo 2015 07:28:00 GMT"})
  void givenUnreadableRetryAfter_whenDelayAsked_thenBackoffUsed(String header) {
    RetryPolicy policy = new RetryPolicy(CONFIG, () -> 0.5);

    assertNull(RetryPolicy.parseRetryAfterMs(header));
    assertEquals(100, policy.delayMs(2, header));
  }

  @Test
  void givenNoRetryAfter_whenParsed_thenNull() {
    assertNull(RetryPolicy.parseRetryAfterMs(null));
  }

  @Test
  void givenRetryAfterHttpDateInTheFuture_whenParsed_thenMillisecondsUntilThen() {
    String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));

    Long ms = RetryPolicy.parseRetryAfterMs(in30s);

    // The header has whole seconds, and a slow machine may take a moment between the two clocks.
    assertTrue(ms != null && ms > 25_000 && ms <= 30_000, "parsed " + ms);
  }

  @Test
  void givenRetryAfterHttpDateFarAhead_whenDelayAsked_thenCapped() {
    String nextWeek = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusDays(7));

    assertEquals(5_000, new RetryPolicy(CONFIG, () -> 0.5).delayMs(1, nextWeek));
  }

  @Test
  void givenRetryAfterHttpDateInThePast_whenDelayAsked_thenNoWait() {
    assertEquals(0L, RetryPolicy.parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"));
    assertEquals(0, new RetryPolicy(CONFIG, () -> 0.5).delayMs(1, "Wed, 21 Oct 2015 07:28:00 GMT"));
  }
}
