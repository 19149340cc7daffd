package massfetch.fetch;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Resolves host names for the HTTP client and hands it only public addresses, so a manifest entry or
 * a redirect cannot reach the cloud's metadata service, loopback or the private network. The check
 * is on the addresses the client then connects to, not on the name, so a name that resolves to a
 * public address once and a private one later (DNS rebinding) gains nothing. Hosts named by {@code
 * --allowedHosts} (or the host of {@code --baseUrl}, its default) may resolve to any address, and
 * {@code --allowPrivateAddresses} turns the check off.
 */
final class PublicAddressResolver implements SocketAddressResolver {
  private final Executor executor;
  private final HostPolicy named;

  PublicAddressResolver(Executor executor, HostPolicy named) {
    this.executor = executor;
    this.named = named;
  }

  @Override
  public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
    try {
      // Name lookups block; like Jetty's own resolver, they run on the client's threads.
      executor.execute(() -> lookUp(host, port, promise));
    } catch (RejectedExecutionException e) {
      promise.failed(e);
    }
  }

  private void lookUp(String host, int port, Promise<List<InetSocketAddress>> promise) {
    String h = HostRule.unbracket(host);
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(h);
    } catch (UnknownHostException | SecurityException e) {
      promise.failed(e);
      return;
    }
    boolean anyAddress = named.names(null, h, port);
    List<InetSocketAddress> usable = new ArrayList<>(all.length);
    for (InetAddress a : all) {
      if (anyAddress || !isPrivate(a)) {
        usable.add(new InetSocketAddress(a, port));
      }
    }
    if (usable.isEmpty()) {
      promise.failed(new DisallowedAddressException(h, all[0]));
    } else {
      promise.succeeded(usable);
    }
  }

  /**
   * Loopback, link-local (169.254/16, where cloud metadata lives; fe80::/10), private (10/8,
   * 172.16/12, 192.168/16), carrier-grade NAT (100.64/10), unique-local (fc00::/7), multicast,
   * unspecified (0.0.0.0/8, ::), and IPv6 forms that embed any of those IPv4 addresses.
   */
  static boolean isPrivate(InetAddress a) {
    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress() || a.isAnyLocalAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (b.length == 4) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      return first == 0 || (first == 100 && second >= 64 && second < 128);
    }
    if ((b[0] & 0xFE) == 0xFC) {
      return true;
    }
    Inet6Address v6 = (Inet6Address) a;
    if (v6.isIPv4CompatibleAddress() || isNat64(b)) {
      try {
        return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
      } catch (UnknownHostException e) {
        return true;
      }
    }
    return false;
  }

  /** 64:ff9b::/96, the well-known NAT64 prefix: the last four bytes are an IPv4 address. */
  private static boolean isNat64(byte[] b) {
    if (b[0] != 0 || b[1] != 0x64 || (b[2] & 0xFF) != 0xFF || (b[3] & 0xFF) != 0x9B) {
      return false;
    }
    for (int i = 4; i < 12; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The host resolved to private addresses only; the request fails as {@code disallowed_host}. */
  static final class DisallowedAddressException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    DisallowedAddressException(String host, InetAddress address) {
      super("host " + host + " resolves to non-public address " + address.getHostAddress()
          + " (name it in --allowedHosts, or give --allowPrivateAddresses)");
    }
  }
}
