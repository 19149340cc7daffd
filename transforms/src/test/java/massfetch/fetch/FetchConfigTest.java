package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link FetchConfig}: the documented defaults, and the values it refuses. */
class FetchConfigTest {

  @Test
  void givenNothingSet_whenBuilt_thenDocumentedDefaults() {
    FetchConfig c = FetchConfig.builder().build();

    assertEquals(256, c.maxInFlight());
    assertEquals(5, c.maxAttempts());
    assertEquals(5, c.maxRedirects());
    assertEquals(64L << 20, c.maxObjectBytes());
    assertEquals(10_000, c.connectTimeoutMs());
    assertEquals(60_000, c.requestTimeoutMs());
    assertEquals(200, c.initialBackoffMs());
    assertEquals(30_000, c.maxBackoffMs());
    assertEquals(120_000, c.maxRetryAfterMs());
    assertFalse(c.acceptAnyContent());
    assertTrue(c.skipExisting());
    assertEquals(List.of(), c.headers());
    assertEquals(UserAgent.DEFAULT, c.userAgent());
    assertEquals(0, c.maxRequestsPerSecond(), "no request budget");
    assertEquals(1, c.rateShares());
    assertEquals(600_000, c.hostUnavailableAfterMs());
  }

  @Test
  void givenNegativeBudgetOrShares_whenBuilt_thenRejected() {
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxRequestsPerSecond(-1).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setRateShares(0).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setHostUnavailableAfterMs(0).build());
  }

  @Test
  void givenNoPerHostCap_whenAsked_thenMaxInFlightIsUsed() {
    assertEquals(256, FetchConfig.builder().build().effectiveConnectionsPerHost());
    assertEquals(8, FetchConfig.builder().setMaxConnectionsPerHost(8).build().effectiveConnectionsPerHost());
  }

  @Test
  void givenMaxInFlightZero_whenBuilt_thenRejectedNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxInFlight(0).build());

    assertTrue(e.getMessage().contains("maxInFlight"), e.getMessage());
  }

  @Test
  void givenOtherOutOfRangeValues_whenBuilt_thenRejected() {
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxAttempts(0).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setConnectTimeoutMs(0).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setRequestTimeoutMs(-1).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxRedirects(-1).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxObjectBytes(0).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setInitialBackoffMs(-1).build());
    assertThrows(IllegalArgumentException.class, () -> FetchConfig.builder().setMaxBackoffMs(-1).build());
  }

  @Test
  void givenZeroRedirects_whenBuilt_thenAllowed() {
    assertEquals(0, FetchConfig.builder().setMaxRedirects(0).build().maxRedirects());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer-s3cr3t-token-value", ": s3cr3t-token-value", ""})
  void givenHeaderWithoutName_whenBuilt_thenRejectedWithoutShowingTheValue(String header) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> FetchConfig.builder().setHeaders(List.of("X-Ok: fine", header)).build());

    assertTrue(e.getMessage().contains("header"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"), "the secret leaked: " + e.getMessage());
  }

  @Test
  void givenWellFormedHeaders_whenBuilt_thenKept() {
    FetchConfig c = FetchConfig.builder().setHeaders(List.of("Authorization: Bearer x", "X-A:b")).build();

    assertEquals(List.of("Authorization: Bearer x", "X-A:b"), c.headers());
  }
}
