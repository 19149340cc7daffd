package massfetch.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SecretHeaders}: credentials in --header are named (never shown) when a cluster would see them. */
class SecretHeadersTest {
  private static final String TOKEN = "Bearer very-secret-token";

  @Test
  void givenCredentialHeadersOnACluster_whenChecked_thenOneLineNamingThemAndNotTheirValues() {
    String warning = SecretHeaders.warning(
        List.of("Authorization:" + TOKEN, "Accept:image/png", "X-Api-Key:abc123", "Cookie:sid=1"), "jm.example:8081");

    assertTrue(warning.startsWith("massfetch: warning: --header Authorization, X-Api-Key, Cookie "), warning);
    assertTrue(warning.contains("--headerFromEnv=Authorization:VARIABLE"), warning);
    assertFalse(warning.contains(TOKEN) || warning.contains("abc123") || warning.contains("sid=1"), warning);
    assertFalse(warning.contains("Accept"), warning);
    assertFalse(warning.contains("\n"));
  }

  @Test
  void givenHeaderNamesThatLookLikeKeys_whenOnACluster_thenWarned() {
    for (String name : List.of("X-Auth-Token", "x-session-id", "X-Client-Secret", "Proxy-Authorization", "apikey")) {
      assertTrue(SecretHeaders.warning(List.of(name + ":v"), "host:8081") != null, name);
    }
  }

  @Test
  void givenNoClusterOrHarmlessHeaders_whenChecked_thenNoWarning() {
    List<String> secret = List.of("Authorization:" + TOKEN);
    assertNull(SecretHeaders.warning(secret, null));
    assertNull(SecretHeaders.warning(List.of("Accept:image/webp", "Referer:https://x"), "host:8081"));
    assertNull(SecretHeaders.warning(null, "host:8081"));
  }
}
