package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link HostPolicy}'s rules (ports, wildcards, origins), {@link HeaderScope} and which addresses are private. */
class HostPolicyTest {
  @ParameterizedTest(name = "{0} allows {1}: {2}")
  @CsvSource({
    "img.example,             http://img.example/a.png,           true",
    "img.example,             http://img.example:8080/a.png,      true",
    "img.example,             http://other.example/a.png,         false",
    "img.example:8080,        http://img.example:8080/a.png,      true",
    "img.example:8080,        http://img.example:8081/a.png,      false",
    "img.example:80,          http://img.example/a.png,           true",
    "img.example:443,         https://img.example/a.png,          true",
    "*.example.com,           https://a.b.example.com/x,          true",
    "*.example.com,           https://example.com/x,              false",
    "*.example.com:8443,      https://a.example.com:8443/x,       true",
    "*.example.com:8443,      https://a.example.com/x,            false",
    "127.0.0.1:9000,          http://127.0.0.1:9000/x,            true",
    "127.0.0.1:9000,          http://127.0.0.1:9001/x,            false",
    "[::1]:9000,              http://[::1]:9000/x,                true",
    "[::1],                   http://[::1]:9001/x,                true",
    "::1,                     http://[::1]:9001/x,                true",
    "https://img.example,     https://img.example:443/x,          true",
    "https://img.example,     http://img.example:443/x,           false",
    "https://img.example,     https://img.example:8443/x,         false",
    "IMG.Example,             http://img.EXAMPLE/x,               true",
  })
  void givenRule_whenUrlChecked_thenHostAndPortMustMatch(String rule, String url, boolean allowed) {
    assertEquals(allowed, new HostPolicy(List.of(rule)).allows(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {"img.example:0", "img.example:x", "img.example:70000", "ftp://img.example", "[::1", "a/b"})
  void givenBadRule_whenBuilt_thenRejectedNamingTheOption(String rule) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FetchConfig.builder().setAllowedHosts(List.of(rule)).build());
    assertTrue(e.getMessage().startsWith("--allowedHosts: "), e.getMessage());
  }

  @ParameterizedTest(name = "manifest {0}, hop {1}, https before {2}, --headerHosts {3}: {4}")
  @CsvSource({
    "http://a.example:8000/x,   http://a.example:8000/y,   false, '',               true",
    "http://a.example:8000/x,   http://a.example:8001/y,   false, '',               false",
    "http://a.example:8000/x,   http://localhost:8000/y,   false, '',               false",
    "https://a.example/x,       https://a.example:443/y,   true,  '',               true",
    "https://a.example/x,       http://a.example/y,        true,  '',               false",
    "https://a.example/x,       https://cdn.example/y,     true,  cdn.example,      true",
    "https://a.example/x,       http://cdn.example/y,      true,  cdn.example,      false",
    "http://a.example/x,        http://cdn.example/y,      false, cdn.example,      true",
    "http://a.example/x,        http://a.example/y,        false, cdn.example,      false",
    "http://a.example:8000/x,   http://a.example:8000/y,   false, http://a.example:8000, true",
  })
  void givenHop_whenHeaderScopeAsked_thenOnlyItsOriginOrNamedHostsAndNeverHttpAfterHttps(
      String first, String hop, boolean sawHttps, String headerHosts, boolean carries) {
    List<String> hosts = headerHosts.isEmpty() ? List.of() : List.of(headerHosts);
    assertEquals(carries, new HeaderScope(hosts).carries(first, hop, sawHttps));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
      "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "::7f00:1"})
  void givenNonPublicAddress_whenChecked_thenPrivate(String address) throws Exception {
    assertTrue(PublicAddressResolver.isPrivate(InetAddress.getByName(address)), address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "64:ff9b::808:808"})
  void givenPublicAddress_whenChecked_thenNotPrivate(String address) throws Exception {
    assertEquals(false, PublicAddressResolver.isPrivate(InetAddress.getByName(address)), address);
  }
}
