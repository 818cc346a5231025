package io.sluice.runtime.admin;

import io.sluice.runtime.Health;
import io.sluice.topology.TopologyLoader;
import java.util.Map;

/** A gateway view of a topology that runs nothing: healthy, no models loaded. */
final class StaticGateway {

  private StaticGateway() {}

  static GatewayView named(String name) {
    return GatewayView.of(new TopologyLoader(variable -> null).parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: %s}
        """.formatted(name), name + ".yaml"), () -> new Health(Map.of()), Map.of(), Map.of());
  }
}
