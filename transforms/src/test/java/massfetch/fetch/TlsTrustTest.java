package massfetch.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import massfetch.model.ErrorClass;
import massfetch.model.FetchRequest;
import massfetch.model.FetchResult;
import massfetch.model.Status;
import massfetch.sink.SinkConfig;
import massfetch.testing.TestImages;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https against a real TLS server with certificates made by the JDK's keytool: the JVM's default
 * authorities reject a self-signed origin, a --trustStore bundle holding its certificate accepts
 * it, and neither an unrelated certificate nor a certificate for another host name is accepted.
 * TLS failures are not retried.
 */
class TlsTrustTest {
  private static final byte[] IMAGE = TestImages.png(7, 16);

  @TempDir static Path dir;
  private static TlsOrigin origin;          // certificate for IP 127.0.0.1
  private static TlsOrigin wrongName;       // certificate for DNS other.example only
  private static String originPem;
  private static String wrongNamePem;
  private static String strangerPem;        // valid for 127.0.0.1, but another key: not the origin's

  @BeforeAll
  static void startOrigins() throws Exception {
    originPem = certificate("origin", "ip:127.0.0.1");
    wrongNamePem = certificate("wrongname", "dns:other.example");
    strangerPem = certificate("stranger", "ip:127.0.0.1");
    origin = new TlsOrigin(dir.resolve("origin.p12"));
    wrongName = new TlsOrigin(dir.resolve("wrongname.p12"));
  }

  @AfterAll
  static void stopOrigins() throws Exception {
    origin.close();
    wrongName.close();
  }

  @Test
  void givenSelfSignedOrigin_whenDefaultTrust_thenTlsErrorAfterOneAttempt() throws Exception {
    int before = origin.requests.get();

    FetchResult r = fetch(origin, null);

    assertEquals(Status.FAILED, r.getStatus());
    assertEquals(ErrorClass.TLS_ERROR, r.getError());
    assertEquals(1, r.getAttempts(), "an untrusted certificate is not retried");
    assertEquals(before, origin.requests.get(), "no HTTP request reaches an untrusted server");
  }

  @Test
  void givenTrustStoreWithOriginCertificate_whenFetched_thenStoredByteExact() throws Exception {
    FetchResult r = fetch(origin, originPem);

    assertEquals(Status.OK, r.getStatus(), () -> r.getError() + ": " + r.getDetail());
    assertArrayEquals(IMAGE, Files.readAllBytes(dir.resolve("out").resolve(r.getKey())));
  }

  @Test
  void givenTrustStoreWithAnotherCertificate_whenFetched_thenTlsError() throws Exception {
    FetchResult r = fetch(origin, strangerPem);

    assertEquals(ErrorClass.TLS_ERROR, r.getError());
  }

  @Test
  void givenTrustedCertificateForAnotherHostName_whenFetched_thenTlsError() throws Exception {
    FetchResult r = fetch(wrongName, wrongNamePem);

    assertEquals(ErrorClass.TLS_ERROR, r.getError(), "host names are verified even for trusted certificates");
  }

  @Test
  void givenTextWithoutCertificates_whenTrustStoreBuilt_thenClearError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustedCertificates.keyStoreOf("not a certificate\n"));
    assertTrue(e.getMessage().contains("certificate"), e.getMessage());
  }

  private static final AtomicInteger KEYS = new AtomicInteger();

  private static FetchResult fetch(TlsOrigin server, String pem) throws Exception {
    FetchConfig config =
        FetchConfig.builder().setAllowPrivateAddresses(true).setMaxAttempts(3).setInitialBackoffMs(10).setTrustedCertificatesPem(pem).build();
    String key = "tls/" + KEYS.incrementAndGet() + ".png";
    FetchRequest request =
        FetchRequest.builder().setUrl(server.baseUrl() + "/image.png").setKey(key).setSource("test").setLine(1).build();
    try (Worker worker = new Worker(config, SinkConfig.builder().setOutput(dir.resolve("out").toString()).build())) {
      return worker.fetcher.fetch(request).get(30, TimeUnit.SECONDS);
    }
  }

  /** Makes a self-signed key pair in {@code <name>.p12} for {@code san}; returns its certificate as PEM. */
  private static String certificate(String name, String san) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path store = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    run(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=" + name, "-ext", "SAN=" + san, "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
    run(List.of(keytool, "-exportcert", "-rfc", "-alias", name,
        "-keystore", store.toString(), "-storepass", "changeit", "-file", pem.toString()));
    return Files.readString(pem, StandardCharsets.US_ASCII);
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }

  /** A Jetty https server on 127.0.0.1 that answers every GET with {@link #IMAGE}. */
  private static final class TlsOrigin implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    private final Server server = new Server();
    private final ServerConnector connector;

    TlsOrigin(Path keyStore) throws Exception {
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStorePath(keyStore.toString());
      tls.setKeyStorePassword("changeit");
      tls.setKeyStoreType("PKCS12");
      connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory());
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      server.setHandler(new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          requests.incrementAndGet();
          response.getHeaders().put("Content-Type", "image/png");
          response.write(true, java.nio.ByteBuffer.wrap(IMAGE), callback);
          return true;
        }
      });
      server.start();
    }

    String baseUrl() {
      return "https://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }
}
