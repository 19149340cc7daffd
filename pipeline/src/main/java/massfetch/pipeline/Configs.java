package massfetch.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;
import massfetch.fetch.FetchConfig;
import massfetch.fetch.TrustedCertificates;
import massfetch.sink.ObjectMetadata;
import massfetch.sink.ObjectSinks;
import massfetch.sink.SinkConfig;

/** Turns parsed options into the transforms' serializable configurations. */
final class Configs {
  private Configs() {}

  static FetchConfig fetch(MassfetchOptions o) {
    FetchConfig.Builder b =
        FetchConfig.builder()
            .setMaxConnectionsPerHost(o.getMaxConnectionsPerHost())
            .setConnectTimeoutMs(o.getConnectTimeoutMs())
            .setRequestTimeoutMs(o.getRequestTimeoutMs())
            .setMaxAttempts(o.getMaxAttempts())
            .setInitialBackoffMs(o.getInitialBackoffMs())
            .setMaxBackoffMs(o.getMaxBackoffMs())
            .setMaxRetryAfterMs(o.getMaxRetryAfterMs())
            .setMaxRedirects(o.getMaxRedirects())
            .setMaxObjectBytes(o.getMaxObjectBytes())
            .setAcceptAnyContent(o.getAcceptAnyContent())
            .setSkipExisting(o.getSkipExisting())
            .setHeaders(rejoinPairs(o.getHeader()))
            .setHeadersFromEnv(o.getHeaderFromEnv() != null ? List.copyOf(o.getHeaderFromEnv()) : List.of())
            .setAllowedHosts(allowedHosts(o))
            .setHeaderHosts(headerHosts(o))
            .setAllowPrivateAddresses(o.getAllowPrivateAddresses())
            .setMaxBytesInFlight(o.getMaxBytesInFlight())
            .setMaxRequestsPerSecond(o.getMaxRequestsPerSecond())
            .setRateShares(parallelism(o))
            .setHostUnavailableAfterMs(o.getHostUnavailableAfterMs())
            .setHostBackoffMs(o.getHostBackoffMs())
            .setHostFailuresToOpen(o.getHostFailuresToOpen())
            .setHostCooldownMs(o.getHostCooldownMs());
    maxInFlight(b, o.getMaxInFlight());
    if (o.getTrustStore() != null && !o.getTrustStore().isBlank()) {
      b.setTrustedCertificatesPem(trustedCertificates(o.getTrustStore()));
    }
    // --userAgent belongs to Beam's PipelineOptions; its default names Beam, not us.
    if (o.getUserAgent() != null && !o.getUserAgent().isBlank() && !o.getUserAgent().startsWith("Apache_Beam")) {
      b.setUserAgent(o.getUserAgent());
    }
    return b.build();
  }

  /** Ceiling of --maxInFlight=auto when none is given: what one JVM's client handles well. */
  static final int AUTO_CEILING = 2048;

  /** Whether --maxInFlight asks for adaptive concurrency: {@code auto} or {@code auto:N}. */
  static boolean isAutoInFlight(String value) {
    String v = normalized(value);
    return v.equals("auto") || v.startsWith("auto:");
  }

  /** --maxInFlight: a number, {@code auto}, or {@code auto:N}. */
  static void maxInFlight(FetchConfig.Builder b, String value) {
    String v = normalized(value);
    try {
      if (v.equals("auto")) {
        b.setAdaptiveInFlight(true).setMaxInFlight(AUTO_CEILING);
      } else if (v.startsWith("auto:")) {
        b.setAdaptiveInFlight(true).setMaxInFlight(Integer.parseInt(v.substring(5)));
      } else {
        b.setAdaptiveInFlight(false).setMaxInFlight(Integer.parseInt(v));
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--maxInFlight must be a number, auto, or auto:N (auto capped at N), got '" + value + "'");
    }
  }

  private static String normalized(String maxInFlight) {
    return maxInFlight == null ? "" : maxInFlight.strip().toLowerCase(java.util.Locale.ROOT);
  }

  /** The PEM bundle --trustStore names, read here so workers need no copy; checked to hold certificates. */
  static String trustedCertificates(String file) {
    String pem;
    try {
      pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--trustStore: no such file: " + file);
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("--trustStore: cannot read " + file);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("--trustStore: not a file path: " + file);
    }
    try {
      TrustedCertificates.keyStoreOf(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--trustStore " + file + ": " + e.getMessage());
    }
    return pem;
  }

  /**
   * The job's parallelism, over which --maxRequestsPerSecond is split: the runner's (Flink's
   * --parallelism) when it has one, else 1 (the DirectRunner's workers are this one JVM).
   */
  static int parallelism(MassfetchOptions o) {
    int p = Runners.parallelism(o).orElse(1);
    return p > 0 ? p : 1;
  }

  /** --allowedHosts, or the host of --baseUrl, or (neither given) any host. */
  static List<String> allowedHosts(MassfetchOptions o) {
    if (o.getAllowedHosts() != null && !o.getAllowedHosts().isEmpty()) {
      return List.copyOf(o.getAllowedHosts());
    }
    if (o.getBaseUrl() != null) {
      try {
        String host = java.net.URI.create(o.getBaseUrl()).getHost();
        if (host != null) {
          return List.of(host);
        }
      } catch (IllegalArgumentException e) {
        // OptionsCheck reports a bad --baseUrl on its own.
      }
    }
    return List.of();
  }

  /** --headerHosts, or the origin (scheme, host, port) of --baseUrl, or (neither given) each entry's own origin. */
  static List<String> headerHosts(MassfetchOptions o) {
    if (o.getHeaderHosts() != null && !o.getHeaderHosts().isEmpty()) {
      return List.copyOf(o.getHeaderHosts());
    }
    if (o.getBaseUrl() != null) {
      try {
        java.net.URI base = java.net.URI.create(o.getBaseUrl());
        if (base.getHost() != null && base.getScheme() != null) {
          return List.of(base.getScheme() + "://" + base.getRawAuthority().replaceFirst("^.*@", ""));
        }
      } catch (IllegalArgumentException e) {
        // OptionsCheck reports a bad --baseUrl on its own.
      }
    }
    return List.of();
  }

  private static final java.util.regex.Pattern HEADER_START =
      java.util.regex.Pattern.compile("^\\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\\s*:.*", java.util.regex.Pattern.DOTALL);

  /**
   * Beam splits a list option at every comma, so {@code --header=Accept:image/avif,image/webp}
   * (or {@code --objectMetadata=note:a,b}) arrives as two pieces: a piece that does not start with
   * a name and a colon continues the previous pair's value. Null: none.
   */
  static List<String> rejoinPairs(@Nullable List<String> pieces) {
    List<String> headers = new java.util.ArrayList<>();
    if (pieces == null) {
      return List.of();
    }
    for (String piece : pieces) {
      if (!headers.isEmpty() && !HEADER_START.matcher(piece).matches()) {
        headers.set(headers.size() - 1, headers.get(headers.size() - 1) + "," + piece);
      } else {
        headers.add(piece);
      }
    }
    return List.copyOf(headers);
  }

  static SinkConfig sink(MassfetchOptions o) {
    if (!(o.getMaxWritesPerSecond() >= 0) || Double.isInfinite(o.getMaxWritesPerSecond())) {
      throw new IllegalArgumentException("--maxWritesPerSecond must not be negative (0 means no cap)");
    }
    SinkConfig.Builder config = SinkConfig.builder();
    ObjectSinks.settingsFrom(o).forEach(config::setStore);
    return config
        .setOutput(o.getOutput())
        .setOverwrite(o.getOverwrite())
        .setLocalWriteThreads(o.getLocalWriteThreads())
        .setMaxUploadsInFlight(o.getMaxUploadsInFlight())
        .setStoreTimeoutSeconds(o.getStoreTimeoutSeconds())
        .setStorageClass(o.getStorageClass())
        .setCacheControl(o.getCacheControl())
        .setObjectMetadataPairs(ObjectMetadata.parsePairs(rejoinPairs(o.getObjectMetadata())))
        .setMaxWritesPerSecond(o.getMaxWritesPerSecond())
        .setWriteRampUp(o.getWriteRampUp())
        .setDurability(massfetch.sink.Durability.parse(o.getDurability()))
        .build();
  }

  /**
   * How much older than the run a hidden temp file must be to count as a killed worker's: the
   * workers' and the file server's clocks may differ from the launcher's by this much.
   */
  static final long STALE_TEMP_MARGIN_MS = java.util.concurrent.TimeUnit.MINUTES.toMillis(10);

  /** The sink of a run that started at {@code startMillis}: it removes temp files older than it. */
  static SinkConfig sink(MassfetchOptions o, long startMillis) {
    return sink(o).toBuilder().setStaleTempBefore(startMillis - STALE_TEMP_MARGIN_MS).build();
  }
}
