package massfetch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1 that answers 200 with neither Content-Length nor
 * chunked encoding, so the body ends when the connection closes — what no HTTP client can tell from
 * a whole body. {@code /whole/NAME} sends the image, {@code /cut/NAME} its first half, then closes.
 * Written on sockets because a real HTTP server library always frames its bodies.
 */
public final class UnframedOrigin implements AutoCloseable {
  private final ServerSocket server;
  private final Map<String, byte[]> images = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Thread acceptor;

  public UnframedOrigin() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    acceptor = new Thread(this::acceptAll, "unframed-origin");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  public void addImage(String name, byte[] bytes) {
    images.put(name, bytes);
  }

  /** Requests received for {@code path}. */
  public int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  private void acceptAll() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread t = new Thread(() -> answer(socket), "unframed-origin-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void answer(Socket socket) {
    try (socket) {
      String path = requestPath(socket.getInputStream());
      if (path == null) {
        return;
      }
      hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      String[] parts = path.split("/", 3);
      byte[] image = parts.length == 3 ? images.get(parts[2]) : null;
      OutputStream out = socket.getOutputStream();
      if (image == null) {
        out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      out.write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.write(image, 0, parts[1].equals("cut") ? image.length / 2 : image.length);
      out.flush();
    } catch (IOException e) {
      // The client went away: nothing to answer.
    }
  }

  /** Reads the request head; the path of its request line, or null when the client sent none. */
  private static String requestPath(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        return requestLine.length >= 2 ? requestLine[1] : null;
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
