package massfetch.fetch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The certificate authorities a custom {@code --trustStore} names, as a PEM bundle (one or more
 * {@code -----BEGIN CERTIFICATE-----} blocks, as curl's {@code --cacert} takes). They replace the
 * JVM's default authorities for the provider's connections; there is deliberately no way to trust
 * everything. The bundle travels inside the job's configuration — certificates are public — so a
 * cluster's workers need no copy of the file.
 */
public final class TrustedCertificates {
  private TrustedCertificates() {}

  /** A key store holding every certificate in {@code pem}; fails when there is none. */
  public static KeyStore keyStoreOf(String pem) {
    Collection<? extends Certificate> certificates;
    try {
      certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM bundle of certificates", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an in-memory trust store", e);
    }
  }
}
