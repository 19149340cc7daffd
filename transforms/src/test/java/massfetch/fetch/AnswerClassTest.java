package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import massfetch.model.ErrorClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole table of what an answer means: its class, and from the class whether it is retried,
 * whether its host is in trouble and whether the provider is overloaded; then what the policy does
 * with it at each attempt.
 */
class AnswerClassTest {
  private static final RetryPolicy POLICY =
      new RetryPolicy(
          FetchConfig.builder().setMaxAttempts(3).setInitialBackoffMs(100).setMaxBackoffMs(1_000)
              .setMaxRetryAfterMs(5_000).build(),
          () -> Math.nextDown(1.0));

  @ParameterizedTest(name = "HTTP {0} is {1}")
  @CsvSource({
    // status, class,   retried, host trouble, overload
    "200, SUCCESS,   false, false, false",
    "204, SUCCESS,   false, false, false",
    "301, REDIRECT,  false, false, false",
    "302, REDIRECT,  false, false, false",
    "303, REDIRECT,  false, false, false",
    "307, REDIRECT,  false, false, false",
    "308, REDIRECT,  false, false, false",
    "300, PERMANENT, false, false, false",
    "304, PERMANENT, false, false, false",
    "400, PERMANENT, false, false, false",
    "403, PERMANENT, false, false, false",
    "404, PERMANENT, false, false, false",
    "410, PERMANENT, false, false, false",
    "408, TRANSIENT, true,  false, false",
    "429, OVERLOAD,  true,  true,  true",
    "500, TRANSIENT, true,  false, false",
    "501, TRANSIENT, true,  false, false",
    "502, GATEWAY,   true,  true,  false",
    "503, OVERLOAD,  true,  true,  true",
    "504, GATEWAY,   true,  true,  false",
    "599, TRANSIENT, true,  false, false",
    "600, PERMANENT, false, false, false",
    "100, PERMANENT, false, false, false",
  })
  void givenStatus_whenClassified_thenClassAndItsMeaning(
      int status, AnswerClass expected, boolean retried, boolean trouble, boolean overload) {
    AnswerClass kind = AnswerClass.ofStatus(status);

    assertEquals(expected, kind);
    assertEquals(retried, kind.retried());
    assertEquals(trouble, kind.hostTrouble());
    assertEquals(overload, kind.overload());
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    ErrorClass.TIMEOUT + ", OVERLOAD, true, true, true",
    ErrorClass.CONNECT_ERROR + ", OVERLOAD, true, true, true",
    ErrorClass.CONNECTION_RESET + ", OVERLOAD, true, true, true",
    ErrorClass.TRUNCATED + ", TRANSIENT, true, false, false",
    ErrorClass.TOO_LARGE + ", PERMANENT, false, false, false",
    ErrorClass.TLS_ERROR + ", PERMANENT, false, false, false",
    ErrorClass.INVALID_ENTRY + ", PERMANENT, false, false, false",
    ErrorClass.CHECKSUM_MISMATCH + ", PERMANENT, false, false, false",
    ErrorClass.DISALLOWED_HOST + ", PERMANENT, false, false, false",
  })
  void givenFailure_whenClassified_thenClassAndItsMeaning(
      String error, AnswerClass expected, boolean retried, boolean trouble, boolean overload) {
    AnswerClass kind = AnswerClass.ofError(error);

    assertEquals(expected, kind);
    assertEquals(retried, kind.retried());
    assertEquals(trouble, kind.hostTrouble());
    assertEquals(overload, kind.overload());
  }

  @ParameterizedTest(name = "{0} after {1} failures, counted={2}, Retry-After {3}: {4}")
  @CsvSource({
    // class,     failures, counted, Retry-After, wait (ms; -1 fails)
    "OVERLOAD,    1, true,  ,   99",
    "OVERLOAD,    2, true,  ,   199",
    "OVERLOAD,    3, true,  ,   -1",
    "OVERLOAD,    1, true,  2,  2000",
    "OVERLOAD,    2, true,  60, 5000",
    "GATEWAY,     2, true,  ,   199",
    "TRANSIENT,   2, true,  ,   199",
    "TRANSIENT,   3, true,  ,   -1",
    "PERMANENT,   1, true,  ,   -1",
    "REDIRECT,    1, true,  ,   -1",
    // A refused probe of a paused host: not counted, so it waits even past the attempts.
    "OVERLOAD,    0, false, ,   99",
    "OVERLOAD,    3, false, ,   399",
    "OVERLOAD,    3, false, 1,  1000",
    "PERMANENT,   0, false, ,   -1",
  })
  void givenClassAndAttempts_whenDecided_thenRetryAfterWaitOrFail(
      AnswerClass kind, int failures, boolean counted, String retryAfter, long expectedMs) {
    assertEquals(expectedMs, POLICY.nextAttemptInMs(kind, failures, counted, retryAfter));
  }
}
