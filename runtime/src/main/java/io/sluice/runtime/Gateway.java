package io.sluice.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.admin.AdminServer;
import io.sluice.runtime.admin.AdminSettings;
import io.sluice.runtime.admin.GatewayView;
import io.sluice.topology.spec.TopologySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running topology, started by {@link Sluice#start()}. {@link #close()} shuts it down in the
 * order of the data (the ingress stops taking messages, Kafka Streams commits and closes, the
 * egress and the cloud link finish what they hold, models close, embedded brokers stop last)
 * and is safe to call twice. Thread-safe.
 */
public final class Gateway implements AutoCloseable {

  private final TopologyRuntime runtime;
  private final Optional<AdminServer> admin;
  private final PrometheusMeterRegistry registry;

  private Gateway(TopologyRuntime runtime, Optional<AdminServer> admin,
      PrometheusMeterRegistry registry) {
    this.runtime = runtime;
    this.admin = admin;
    this.registry = registry;
  }

  static Gateway start(TopologySpec spec, RuntimeOptions options,
      Optional<AdminSettings> adminSettings, PrometheusMeterRegistry registry, Clock clock) {
    TopologyRuntime runtime = TopologyRuntime.start(spec, options, registry, clock);
    try {
      Optional<AdminServer> admin = adminSettings.map(settings ->
          AdminServer.start(settings, GatewayView.of(runtime), registry, clock));
      return new Gateway(runtime, admin, registry);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  public TopologySpec spec() {
    return runtime.spec();
  }

  /** Component by component: streams, MQTT ingress, egress, cloud link. */
  public Health health() {
    return runtime.health();
  }

  /** Every meter of the gateway, in Prometheus format ({@code scrape()}) among others. */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** The admin server's base URL, when one was asked for. */
  public Optional<String> adminUrl() {
    return admin.map(AdminServer::url);
  }

  /** Where the gateway's Kafka is: the embedded broker's address or the file's bootstrap. */
  public String kafkaBootstrap() {
    return runtime.kafkaBootstrap();
  }

  /** The MQTT broker the ingress reads; null for a cloud topology. */
  public String mqttUrl() {
    return runtime.mqttUrl();
  }

  /**
   * Waits until every critical component is up ({@link Health#up()}), checking every 50 ms.
   *
   * @throws TimeoutException when it is not up within {@code timeout}
   */
  public void awaitUp(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!health().up()) {
      if (System.nanoTime() - deadline >= 0) {
        throw new TimeoutException(spec().metadata().name() + " is not up after " + timeout
            + ": " + health().components());
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Override
  public void close() {
    admin.ifPresent(AdminServer::close);
    runtime.close();
  }
}
