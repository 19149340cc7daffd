package massfetch.fetch;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import massfetch.model.ErrorClass;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Sends single GET requests with Jetty's async {@link HttpClient}: keep-alive connection pool with a
 * per-host cap, whole-response deadline, body size cap enforced while bytes arrive, MD5 computed on
 * the fly. Redirects and retries are the caller's business ({@link EntryFetcher}), so each hop can
 * be checked and counted.
 */
final class HttpFetcher implements AutoCloseable {
  /** Told about every answer (or failure) and how long it took; see {@link AdaptiveInFlight}. */
  interface AnswerObserver {
    void answered(HttpOutcome outcome, long latencyNanos);
  }

  private final HttpClient client;
  private final FetchConfig config;
  private final AnswerObserver observer;
  private final java.util.List<String[]> headers = new java.util.ArrayList<>();
  private final BodyBudget budget;

  HttpFetcher(FetchConfig config) {
    this(config, null);
  }

  HttpFetcher(FetchConfig config, AnswerObserver observer) {
    this.config = config;
    this.observer = observer;
    this.budget = new BodyBudget(config.effectiveMaxBytesInFlight());
    for (String header : config.headers()) {
      int colon = header.indexOf(':');
      headers.add(new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
    }
    for (String header : config.headersFromEnv()) {
      // Read on the worker, so a token never travels in the pipeline's options.
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).trim();
      String variable = header.substring(colon + 1).trim();
      String value = System.getenv(variable);
      if (value == null) {
        throw new IllegalStateException(
            "environment variable " + variable + " (for header " + name + ") is not set on this worker");
      }
      headers.add(new String[] {name, value});
    }
    QueuedThreadPool threads = new QueuedThreadPool(Math.max(16, Runtime.getRuntime().availableProcessors() * 8));
    threads.setName("massfetch-http");
    threads.setDaemon(true);
    client = newClient(config);
    client.setExecutor(threads);
    client.setConnectTimeout(config.connectTimeoutMs());
    client.setIdleTimeout(Math.max(30_000, config.requestTimeoutMs()));
    client.setFollowRedirects(false);
    // Room for a typical image and its headers in one read: with Jetty's 16 KB default an image
    // of a few tens of KB takes several, each a system call and a trip through the parser and the
    // content demand. The buffer is pooled and held only while a read is being parsed.
    client.setResponseBufferSize(RESPONSE_BUFFER_BYTES);
    client.setMaxConnectionsPerDestination(config.effectiveConnectionsPerHost());
    // Our own in-flight limit bounds the queue; this only has to be larger than it.
    client.setMaxRequestsQueuedPerDestination(Math.max(1024, config.maxInFlight() * 2));
    client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, config.userAgent()));
    // Per-host state is bounded: a destination (and its connection pool) unused for a while is
    // dropped, so a manifest spread over millions of hosts does not keep one pool per host.
    client.setDestinationIdleTimeout(DESTINATION_IDLE_MS);
    if (!config.allowPrivateAddresses()) {
      client.setSocketAddressResolver(new PublicAddressResolver(threads, new HostPolicy(config.allowedHosts())));
    }
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client", e);
    }
    // Images are already compressed: asking for gzip only adds CPU and lets a small body inflate.
    // Jetty 12.1 registers its decoders when it starts, so they are removed after start(): then
    // no Accept-Encoding is sent, and an encoded body is stored, capped and checked as it came.
    client.getContentDecoderFactories().clear();
  }

  /**
   * Jetty's default HTTP/1.1 client, trusting the JVM's certificate authorities or, when the job
   * names its own, only those. Host names are verified either way (Jetty's client default).
   */
  private static HttpClient newClient(FetchConfig config) {
    if (config.trustedCertificatesPem() == null) {
      return new HttpClient();
    }
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setTrustStore(TrustedCertificates.keyStoreOf(config.trustedCertificatesPem()));
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(tls);
    return new HttpClient(new HttpClientTransportOverHTTP(connector));
  }

  /** The network read buffer of a connection. */
  static final int RESPONSE_BUFFER_BYTES = 64 * 1024;

  /** How long a host's connection pool may sit unused before it is closed and forgotten. */
  static final long DESTINATION_IDLE_MS = 60_000;

  /**
   * Sends one GET, with the extra headers when {@code withHeaders} ({@link HeaderScope} decides);
   * it waits first while the worker holds more body bytes than its budget. The future always
   * completes normally, with a response or a failure.
   */
  CompletableFuture<HttpOutcome> get(String url, boolean withHeaders) {
    CompletableFuture<HttpOutcome> done = new CompletableFuture<>();
    Request request;
    try {
      request =
          client
              .newRequest(url)
              .method(HttpMethod.GET)
              .followRedirects(false)
              .timeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS);
    } catch (IllegalArgumentException e) {
      done.complete(HttpOutcome.failure(0, ErrorClass.INVALID_ENTRY, "bad URL: " + e.getMessage()));
      return done;
    }
    if (withHeaders && !headers.isEmpty()) {
      request.headers(h -> headers.forEach(nv -> h.put(nv[0], nv[1])));
    }
    Request ready = request;
    budget.whenRoom(() -> {
      if (observer != null) {
        long sent = System.nanoTime();
        done.thenAccept(outcome -> observer.answered(outcome, System.nanoTime() - sent));
      }
      ready.send(new BodyCollector(config.maxObjectBytes(), budget, done));
    });
    return done;
  }

  /** Collects a 2xx body within the size cap and turns the exchange into an {@link HttpOutcome}. */
  private static final class BodyCollector implements Response.Listener {
    private final long maxBytes;
    private final BodyBudget budget;
    private final CompletableFuture<HttpOutcome> done;
    private BodyBuffer body;
    private long contentLength = -1;
    private boolean headersSeen;

    BodyCollector(long maxBytes, BodyBudget budget, CompletableFuture<HttpOutcome> done) {
      this.maxBytes = maxBytes;
      this.budget = budget;
      this.done = done;
    }

    @Override
    public void onHeaders(Response response) {
      headersSeen = true;
      contentLength = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
      if (isSuccess(response.getStatus())) {
        if (contentLength > maxBytes) {
          response.abort(new TooLargeException(contentLength));
          return;
        }
        // Sized from the announced length only up to a bound, then grown as bytes arrive: a server
        // that announces 50 MB and sends nothing must not cost 50 MB.
        body = new BodyBuffer(contentLength);
      }
    }

    @Override
    public void onContent(Response response, ByteBuffer content) {
      if (body == null) {
        return; // error pages are read (to keep the connection) but not kept
      }
      int n = content.remaining();
      if (body.size() + (long) n > maxBytes) {
        response.abort(new TooLargeException(body.size() + (long) n));
        return;
      }
      budget.took(n);
      body.append(content);
    }

    @Override
    public void onComplete(Result result) {
      if (body != null) {
        budget.gaveBack(body.size());
      }
      Response response = result.getResponse();
      int status = response != null ? response.getStatus() : 0;
      if (result.isFailed()) {
        done.complete(classify(result.getFailure(), status));
        return;
      }
      byte[] bytes = body != null ? body.bytes() : new byte[0];
      done.complete(
          HttpOutcome.response(
              status,
              response.getHeaders().get(HttpHeader.CONTENT_TYPE),
              response.getHeaders().get(HttpHeader.LOCATION),
              response.getHeaders().get(HttpHeader.RETRY_AFTER),
              contentLength,
              bytes,
              body != null ? body.md5() : null));
    }

    private HttpOutcome classify(Throwable failure, int status) {
      Throwable cause = rootOf(failure);
      if (cause instanceof PublicAddressResolver.DisallowedAddressException) {
        return HttpOutcome.failure(0, ErrorClass.DISALLOWED_HOST, cause.getMessage());
      }
      if (cause instanceof TooLargeException) {
        return HttpOutcome.failure(status, ErrorClass.TOO_LARGE, cause.getMessage());
      }
      if (isTlsFailure(cause)) {
        // An untrusted or mismatched certificate does not fix itself between retries.
        return HttpOutcome.failure(0, ErrorClass.TLS_ERROR, describe(cause));
      }
      if (cause instanceof TimeoutException) {
        return HttpOutcome.failure(status, ErrorClass.TIMEOUT, "no complete response in time");
      }
      if (cause instanceof ConnectException
          || cause instanceof NoRouteToHostException
          || cause instanceof UnknownHostException
          || cause instanceof UnresolvedAddressException
          || (cause instanceof SocketTimeoutException && !headersSeen)) {
        return HttpOutcome.failure(0, ErrorClass.CONNECT_ERROR, describe(cause));
      }
      if (headersSeen) {
        // The status line arrived but the body did not finish: the server cut it short.
        String got = body != null ? body.size() + " of " + contentLength + " bytes" : "body";
        return HttpOutcome.failure(status, ErrorClass.TRUNCATED, "connection closed after " + got);
      }
      if (cause instanceof EOFException || cause instanceof IOException) {
        return HttpOutcome.failure(0, ErrorClass.CONNECTION_RESET, describe(cause));
      }
      return HttpOutcome.failure(status, ErrorClass.CONNECTION_RESET, describe(cause));
    }
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  private static boolean isTlsFailure(Throwable t) {
    return t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException;
  }

  private static Throwable rootOf(Throwable t) {
    Throwable cause = t;
    while (!(cause instanceof TooLargeException) && cause.getCause() != null && cause.getCause() != cause) {
      // Stop at the failure that names the fault: below a TLS one lie certificate-path details.
      if (cause instanceof TimeoutException || isTlsFailure(cause)) {
        return cause;
      }
      cause = cause.getCause();
    }
    return cause;
  }

  /** A short detail line: Jetty's messages can embed whole connection dumps. */
  private static String describe(Throwable t) {
    String message = t.getMessage();
    String text = t.getClass().getSimpleName() + (message != null ? ": " + message : "");
    int cut = text.indexOf('@');
    if (cut > 0) {
      text = text.substring(0, cut);
    }
    return text.length() > 160 ? text.substring(0, 160) : text;
  }

  /** Raised inside the listener to abort a body over {@link FetchConfig#maxObjectBytes()}. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long bytes) {
      super("body exceeds the size cap (" + bytes + " bytes or more)");
    }
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the HTTP client", e);
    }
  }
}
