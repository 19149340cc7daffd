package massfetch.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP server on 127.0.0.1 for tests, serving images and injecting faults by path prefix:
 * {@code /img/N} the image, {@code /404/}, {@code /403/}, {@code /503twice/N} (503 twice, then the
 * image), {@code /429/N} (429 with Retry-After once), {@code /reset/} (connection closed with no
 * response), {@code /truncate/N} (half the declared body, then closed), {@code /hang/} (never
 * answers), {@code /html/} (a web page), {@code /big/} (a body over the test's size cap), {@code
 * /redirect/N} (302 to the image), {@code /loop/} (302 to itself), {@code /capacity/N} (the image
 * after a delay, or 503 at once while more requests than the set capacity are being answered),
 * {@code /down/N} (503 during an outage set with {@link #outage}, the image otherwise), {@code
 * /goto/N} (302 to the URL set with {@link #redirect}), {@code /announce/} (200 announcing {@link
 * #ANNOUNCED_BYTES} bytes, then silence), {@code /hold/N} (the image once {@link #release} is called). Counts
 * requests per path and keeps each request's arrival time and status ({@link #log}), so tests can
 * measure request rates.
 */
public final class FaultOrigin implements AutoCloseable {
  public static final int BIG_BYTES = 300_000;
  /** The body of {@code /gzip/}: 8 MiB of zeros, gzipped. */
  public static final byte[] GZIP_BOMB = gzip(new byte[8 << 20]);

  private static byte[] gzip(byte[] raw) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(raw);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** The Content-Length {@code /announce/} sends, without a byte of body. */
  public static final long ANNOUNCED_BYTES = 50_000_000L;

  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);
  private final Map<String, byte[]> images = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger overloads = new AtomicInteger();
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
  private volatile int capacity = Integer.MAX_VALUE;
  private volatile int capacityDelayMs;
  private final java.util.Queue<Hit> log = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private long downUntilNanos = System.nanoTime();
  private long armedOutageNanos = -1;
  private volatile String downRetryAfter;
  private final java.util.concurrent.CompletableFuture<Void> held = new java.util.concurrent.CompletableFuture<>();

  /** One request the server received: its path, {@link System#nanoTime()} on arrival, and status. */
  public record Hit(String path, long nanos, int status) {}

  public FaultOrigin() throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        return serve(request, response, callback);
      }
    });
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  /** Adds image {@code name} (served under /img/, /503twice/, /429/, /truncate/, /redirect/). */
  public byte[] addImage(String name, byte[] bytes) {
    images.put(name, bytes);
    return bytes;
  }

  /** Makes {@code /goto/name} answer 302 with {@code Location: location}. */
  public void redirect(String name, String location) {
    redirects.put(name, location);
  }

  /** {@code /capacity/}: answers take {@code delayMs}; beyond {@code capacity} at once, 503. */
  public void setCapacity(int capacity, int delayMs) {
    this.capacity = capacity;
    this.capacityDelayMs = delayMs;
  }

  /** 503s sent by {@code /capacity/} so far. */
  public int overloads() {
    return overloads.get();
  }

  /** The value of request header {@code name} on the last request to {@code path}, or null. */
  public String lastHeader(String path, String name) {
    return lastHeaders.get(path + "\n" + name.toLowerCase(java.util.Locale.ROOT));
  }

  /** Lets the answers of {@code /hold/} go: until then each waits, and then gets its image. */
  public void release() {
    held.complete(null);
  }

  /** Requests received for {@code path} (e.g. "/404/a.png"). */
  public int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  /**
   * Makes {@code /down/} answer 503 for {@code millis} from its next request on (with {@code
   * Retry-After: retryAfter} when not null), then serve images again. Counted from the first
   * request, not from now, so a slow pipeline start cannot eat the outage.
   */
  public synchronized void outage(long millis, String retryAfter) {
    downRetryAfter = retryAfter;
    armedOutageNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
    downUntilNanos = System.nanoTime();
  }

  private synchronized boolean isDown(long arrived) {
    if (armedOutageNanos >= 0) {
      downUntilNanos = arrived + armedOutageNanos;
      armedOutageNanos = -1;
    }
    return arrived - downUntilNanos < 0;
  }

  /** The requests whose path starts with {@code prefix}, in order of arrival. */
  public java.util.List<Hit> log(String prefix) {
    return log.stream().filter(h -> h.path().startsWith(prefix)).sorted(java.util.Comparator.comparingLong(Hit::nanos)).toList();
  }

  public int totalHits() {
    return hits.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private boolean serve(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    request.getHeaders().forEach(f -> lastHeaders.put(path + "\n" + f.getLowerCaseName(), f.getValue()));
    long arrived = System.nanoTime();
    int n = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String[] parts = path.split("/", 3); // "", kind, name
    String kind = parts.length > 1 ? parts[1] : "";
    String name = parts.length > 2 ? parts[2] : "";
    byte[] image = images.get(name);
    if (kind.equals("down")) {
      image = images.get(name.substring(name.lastIndexOf('/') + 1));
      boolean down = isDown(arrived);
      log.add(new Hit(path, arrived, down ? 503 : 200));
      if (down) {
        if (downRetryAfter != null) {
          response.getHeaders().put(HttpHeader.RETRY_AFTER, downRetryAfter);
        }
        return status(response, callback, 503);
      }
      return send(response, callback, 200, "image/png", image);
    }
    log.add(new Hit(path, arrived, 0));
    switch (kind) {
      case "img":
        return image != null ? send(response, callback, 200, "image/png", image) : status(response, callback, 404);
      case "404":
        return status(response, callback, 404);
      case "hold":
        byte[] heldImage = image;
        held.thenRun(() -> send(response, callback, 200, "image/png", heldImage));
        return true;
      case "403":
        return status(response, callback, 403);
      case "503twice":
        return n <= 2 ? status(response, callback, 503) : send(response, callback, 200, "image/png", image);
      case "429":
        if (n == 1) {
          response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
          return status(response, callback, 429);
        }
        return send(response, callback, 200, "image/png", image);
      case "reset":
        request.getConnectionMetaData().getConnection().getEndPoint().close();
        callback.failed(new java.io.IOException("reset on purpose"));
        return true;
      case "truncate":
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/png");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, image.length);
        response.write(false, ByteBuffer.wrap(image, 0, image.length / 2), Callback.from(() -> {
          request.getConnectionMetaData().getConnection().getEndPoint().close();
          callback.failed(new java.io.IOException("truncated on purpose"));
        }, callback::failed));
        return true;
      case "capacity":
        if (active.incrementAndGet() > capacity) {
          active.decrementAndGet();
          overloads.incrementAndGet();
          return status(response, callback, 503);
        }
        byte[] body = image;
        delays.schedule(() -> {
          active.decrementAndGet();
          send(response, callback, 200, "image/png", body);
        }, capacityDelayMs, TimeUnit.MILLISECONDS);
        return true;
      case "gzip":
        // A gzip "bomb": 64 KiB on the wire that would inflate to 8 MiB, declared as an image.
        response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        return send(response, callback, 200, "image/png", GZIP_BOMB);
      case "hang":
        return true; // never completes: the client's deadline must cut it off
      case "html":
        return send(response, callback, 200, "image/png",
            "<!doctype html><html><body>Not found</body></html>".getBytes(StandardCharsets.UTF_8));
      case "big":
        byte[] big = new byte[BIG_BYTES];
        System.arraycopy(TestImages.png(1, 8), 0, big, 0, 8);
        return send(response, callback, 200, "image/png", big);
      case "redirect":
        response.getHeaders().put(HttpHeader.LOCATION, "/img/" + name);
        return status(response, callback, 302);
      case "goto":
        response.getHeaders().put(HttpHeader.LOCATION, redirects.get(name));
        return status(response, callback, 302);
      case "announce":
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/png");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, ANNOUNCED_BYTES);
        response.write(false, ByteBuffer.allocate(0), Callback.NOOP); // headers now, body never
        return true;
      case "loop":
        response.getHeaders().put(HttpHeader.LOCATION, path);
        return status(response, callback, 302);
      default:
        return status(response, callback, 404);
    }
  }

  private static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private static boolean status(Response response, Callback callback, int status) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
    response.write(true, ByteBuffer.allocate(0), callback);
    return true;
  }

  @Override
  public void close() throws Exception {
    delays.shutdownNow();
    server.stop();
  }
}
