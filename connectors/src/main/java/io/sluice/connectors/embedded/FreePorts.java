package io.sluice.connectors.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds free loopback ports for brokers started in-process. The OS may offer a port again as soon
 * as the probe socket closes, before the broker that was given it binds it (a broker asks for a
 * client and a controller port in a row); so a port is handed out at most once per JVM.
 */
public final class FreePorts {

  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  public static synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        int port = socket.getLocalPort();
        if (GIVEN.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("No free loopback port", e);
      }
    }
    throw new IllegalStateException("No loopback port that was not handed out before, after 100"
        + " tries");
  }
}
