package io.sluice.app.admin;

import io.sluice.app.runtime.Health;
import io.sluice.inference.BundleVerification;
import io.sluice.inference.TextClassifier;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.util.Map;

/** A gateway view of a topology that runs nothing: healthy, no models loaded. */
record StaticGateway(TopologySpec spec) implements GatewayView {

  static StaticGateway named(String name) {
    return new StaticGateway(new TopologyLoader(variable -> null).parse("""
        apiVersion: sluice/v1
        kind: Gateway
        metadata: {name: %s}
        """.formatted(name), name + ".yaml"));
  }

  @Override
  public Health health() {
    return new Health(Map.of());
  }

  @Override
  public Map<String, BundleVerification> bundles() {
    return Map.of();
  }

  @Override
  public Map<String, TextClassifier> classifiers() {
    return Map.of();
  }
}
