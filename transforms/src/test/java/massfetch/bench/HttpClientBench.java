package massfetch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Which async HTTP client should massfetch use? Fetches the same manifest with Jetty 12's
 * HttpClient, the JDK's HttpClient and Apache HttpClient 5 async at the same concurrency, in
 * alternating rounds, and prints requests/s and CPU ms per 1,000 requests for each. Run by
 * {@code scripts/bench-clients.sh} against the local nginx origin; docs/design.md has the figures.
 *
 * <p>Arguments: baseUrl manifest concurrency rounds [limit].
 */
public final class HttpClientBench {
  private interface Client extends AutoCloseable {
    /** Starts a GET; {@code done} gets (status, body length) or (-1, 0) on failure. */
    void get(String url, BiConsumer<Integer, Integer> done);
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    List<String> paths = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(args[1]))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        paths.add(base + "/" + line.strip());
      }
    }
    int concurrency = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    if (args.length > 4) {
      paths = paths.subList(0, Math.min(paths.size(), Integer.parseInt(args[4])));
    }
    String[] names = {"jetty-12", "jdk-httpclient", "apache-httpclient5"};
    System.out.printf(Locale.ROOT, "%d requests per run, concurrency %d, %d rounds%n", paths.size(), concurrency, rounds);
    System.out.println("| client | round | requests/s | CPU ms per 1,000 | failures |");
    System.out.println("|---|---|---|---|---|");
    // Warm-up so the first contender does not pay for the JIT alone.
    for (String name : names) {
      try (Client c = open(name, concurrency)) {
        run(c, paths.subList(0, Math.min(2000, paths.size())), concurrency);
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (String name : names) {
        try (Client c = open(name, concurrency)) {
          long cpu0 = cpuNanos();
          long t0 = System.nanoTime();
          long failures = run(c, paths, concurrency);
          double seconds = (System.nanoTime() - t0) / 1e9;
          double cpuMs = (cpuNanos() - cpu0) / 1e6;
          System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %d |%n",
              name, round, paths.size() / seconds, cpuMs * 1000 / paths.size(), failures);
        }
      }
    }
  }

  private static long run(Client client, List<String> urls, int concurrency) throws InterruptedException {
    Semaphore permits = new Semaphore(concurrency);
    AtomicLong failures = new AtomicLong();
    for (String url : urls) {
      permits.acquire();
      client.get(url, (status, length) -> {
        if (status != 200 || length == 0) {
          failures.incrementAndGet();
        }
        permits.release();
      });
    }
    permits.acquire(concurrency);
    return failures.get();
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Client open(String name, int concurrency) throws Exception {
    switch (name) {
      case "jetty-12":
        return jetty(concurrency);
      case "jdk-httpclient":
        return jdk();
      default:
        return apache(concurrency);
    }
  }

  private static Client jetty(int concurrency) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(16);
    threads.setDaemon(true);
    HttpClient client = new HttpClient();
    client.setExecutor(threads);
    client.setMaxConnectionsPerDestination(concurrency);
    client.setMaxRequestsQueuedPerDestination(concurrency * 4);
    client.getContentDecoderFactories().clear();
    client.start();
    return new Client() {
      @Override
      public void get(String url, BiConsumer<Integer, Integer> done) {
        client.newRequest(url).timeout(60, TimeUnit.SECONDS).send(new BufferingResponseListener(64 << 20) {
          @Override
          public void onComplete(org.eclipse.jetty.client.Result result) {
            if (result.isFailed()) {
              done.accept(-1, 0);
            } else {
              done.accept(result.getResponse().getStatus(), getContent().length);
            }
          }
        });
      }

      @Override
      public void close() throws Exception {
        client.stop();
      }
    };
  }

  private static Client jdk() {
    java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(16);
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder().executor(executor).version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    return new Client() {
      @Override
      public void get(String url, BiConsumer<Integer, Integer> done) {
        CompletableFuture<java.net.http.HttpResponse<byte[]>> f =
            client.sendAsync(java.net.http.HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(60)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        f.whenComplete((r, e) -> done.accept(e != null ? -1 : r.statusCode(), e != null ? 0 : r.body().length));
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }

  private static Client apache(int concurrency) {
    PoolingAsyncClientConnectionManager pool =
        PoolingAsyncClientConnectionManagerBuilder.create().setMaxConnTotal(concurrency).setMaxConnPerRoute(concurrency).build();
    CloseableHttpAsyncClient client =
        HttpAsyncClients.custom().setConnectionManager(pool)
            .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(2).build()).build();
    client.start();
    return new Client() {
      @Override
      public void get(String url, BiConsumer<Integer, Integer> done) {
        SimpleHttpRequest request = SimpleRequestBuilder.get(url).build();
        client.execute(request, new FutureCallback<SimpleHttpResponse>() {
          @Override
          public void completed(SimpleHttpResponse r) {
            done.accept(r.getCode(), r.getBodyBytes() == null ? 0 : r.getBodyBytes().length);
          }

          @Override
          public void failed(Exception e) {
            done.accept(-1, 0);
          }

          @Override
          public void cancelled() {
            done.accept(-1, 0);
          }
        });
      }

      @Override
      public void close() throws IOException {
        client.close();
      }
    };
  }
}
