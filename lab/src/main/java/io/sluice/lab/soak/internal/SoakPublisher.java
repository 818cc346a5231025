package io.sluice.lab.soak.internal;

import io.sluice.lab.soak.internal.SoakEvents.Event;
import io.sluice.lab.soak.internal.SoakEvents.Kind;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak's devices: publishes numbered events at QoS 1 at a steady rate and keeps the ledger of
 * what the broker acknowledged.
 *
 * <p><b>What "published" means.</b> An event is published once the broker has acknowledged it
 * (PUBACK) at least once: from then on a broker that keeps sessions owes it to the gateway. An
 * event whose publish failed, or was still unacknowledged when the connection dropped or after
 * {@code retryAfterMillis}, is sent again with the same id and payload, as a QoS 1 device does,
 * until the broker acknowledges it. So while the broker restarts nothing is skipped, and the only
 * side effect is that the broker may hold two copies of an event (the first one arrived, its
 * PUBACK did not): a duplicate at the gateway's input, which the accounting counts apart.
 *
 * <p><b>Pacing.</b> A tick every 10 ms first resends what waits for a retry, then issues however
 * many new events the rate says are due since the start, with at most {@code maxInFlight}
 * unacknowledged publishes (brokers cap this: Mosquitto's receive maximum is 20 by default).
 * Time comes from the injected clock.
 */
public final class SoakPublisher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SoakPublisher.class);
  private static final long RETRY_AFTER_MILLIS = 10_000;

  private final MqttAsyncClient client;
  private final LongFunction<Event> events;
  private final double ratePerSecond;
  private final int maxInFlight;
  private final Clock clock;
  private final ScheduledExecutorService ticker;
  /** Acknowledged events by number, with their id and kind. */
  private final Map<Long, Event> published = new ConcurrentHashMap<>();
  /** Unacknowledged attempts by event number, with the time they were sent. */
  private final Map<Long, Attempt> inFlight = new ConcurrentHashMap<>();
  private final Queue<Event> retries = new ConcurrentLinkedQueue<>();
  private final AtomicLong issued = new AtomicLong();
  private final AtomicLong noSubscribers = new AtomicLong();
  private final AtomicLong resends = new AtomicLong();
  private volatile long startMillis;
  private volatile boolean issuing;
  private volatile long limit = Long.MAX_VALUE;

  private record Attempt(Event event, long sentAt) {}

  /**
   * @param events the event numbered n, for n = 0, 1, 2, ... ({@link SoakEvents#next})
   * @param maxInFlight most publishes awaiting the broker's acknowledgement
   */
  public SoakPublisher(String mqttUrl, String clientId, LongFunction<Event> events,
      double ratePerSecond, int maxInFlight, Clock clock) {
    this.events = events;
    this.ratePerSecond = ratePerSecond;
    this.maxInFlight = maxInFlight;
    this.clock = clock;
    try {
      this.client = new MqttAsyncClient(mqttUrl, clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalStateException("Cannot create the soak devices' MQTT client for "
          + mqttUrl + ": " + e, e);
    }
    client.setCallback(new Callback());
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-soak-devices");
      t.setDaemon(true);
      return t;
    });
  }

  /** Connects and starts publishing at the rate. */
  public void start() {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(1, 2);
    options.setConnectionTimeout(10);
    try {
      client.connect(options).waitForCompletion(30_000);
    } catch (MqttException e) {
      throw new IllegalStateException("The soak devices cannot connect to " + client.getServerURI()
          + ": " + e, e);
    }
    startMillis = clock.millis();
    issuing = true;
    ticker.scheduleWithFixedDelay(this::tick, 0, 10, TimeUnit.MILLISECONDS);
  }

  /** Stops issuing new events; retries of unacknowledged ones go on until {@link #close()}. */
  public void stopIssuing() {
    issuing = false;
  }

  /** Issues at most this many events in all. */
  public void limit(long events) {
    limit = events;
  }

  /** Events issued so far (each has a number below this). */
  public long issued() {
    return issued.get();
  }

  /** Distinct events the broker acknowledged. */
  public long published() {
    return published.size();
  }

  /** Issued events not acknowledged yet. */
  public long unconfirmed() {
    return issued.get() - published.size();
  }

  /** Publish attempts that were resends of an event already sent once. */
  public long resends() {
    return resends.get();
  }

  /** Acknowledgements saying no session subscribes to the topic (the broker drops those). */
  public long noSubscribers() {
    return noSubscribers.get();
  }

  /** The published events: id to kind. A snapshot. */
  public Map<String, Kind> publishedEvents() {
    Map<String, Kind> out = new HashMap<>();
    published.values().forEach(e -> out.put(e.id(), e.kind()));
    return out;
  }

  @Override
  public void close() {
    issuing = false;
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (client.isConnected()) {
        client.disconnect(1_000).waitForCompletion(5_000);
      }
      client.close(true);
    } catch (MqttException e) {
      log.debug("Soak devices' disconnect failed: {}", e.toString());
    }
  }

  private void tick() {
    try {
      long now = clock.millis();
      List<Attempt> stale = new ArrayList<>();
      inFlight.values().forEach(a -> {
        if (now - a.sentAt() > RETRY_AFTER_MILLIS) {
          stale.add(a);
        }
      });
      stale.forEach(a -> retryLater(a.event(), a));
      if (!client.isConnected()) {
        return;
      }
      Event retry;
      while (inFlight.size() < maxInFlight && (retry = retries.poll()) != null) {
        if (!published.containsKey(retry.n()) && !send(retry, true)) {
          return;
        }
      }
      long due = (long) ((now - startMillis) * ratePerSecond / 1000.0);
      while (issuing && issued.get() < Math.min(due, limit) && inFlight.size() < maxInFlight) {
        Event event = events.apply(issued.get());
        issued.incrementAndGet();
        if (!send(event, false)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      log.error("Soak devices' tick failed: {}", e.toString());
    }
  }

  /** Sends one attempt; false when the client cannot take more now (the event waits). */
  private boolean send(Event event, boolean resend) {
    MqttMessage message = new MqttMessage(event.payload());
    message.setQos(1);
    Attempt attempt = new Attempt(event, clock.millis());
    inFlight.put(event.n(), attempt);
    if (resend) {
      resends.incrementAndGet();
    }
    try {
      client.publish(event.topic(), message, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] codes = token.getReasonCodes();
          int code = codes == null || codes.length == 0 ? 0 : codes[0];
          if (code >= 0x80) {
            log.warn("The broker refused event {}: reason code 0x{}; sending it again",
                event.id(), Integer.toHexString(code));
            retryLater(event, attempt);
            return;
          }
          if (code == 0x10) {
            // Accepted, but no session subscribes: the broker drops it, and the accounting will
            // show it as lost.
            noSubscribers.incrementAndGet();
          }
          published.putIfAbsent(event.n(), event);
          inFlight.remove(event.n(), attempt);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
          retryLater(event, attempt);
        }
      });
      return true;
    } catch (MqttException e) {
      // Not connected, or the broker's receive maximum is reached: try again on a later tick.
      retryLater(event, attempt);
      return false;
    }
  }

  private void retryLater(Event event, Attempt attempt) {
    if (inFlight.remove(event.n(), attempt) && !published.containsKey(event.n())) {
      retries.add(event);
    }
  }

  /** On a lost connection, every unacknowledged publish is sent again after the reconnect. */
  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      inFlight.values().forEach(a -> retryLater(a.event(), a));
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      log.debug("Soak devices' MQTT error: {}", exception.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      // the devices subscribe to nothing
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // counted in the publish listener
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (reconnect) {
        log.info("Soak devices reconnected to {}", serverUri);
      }
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // no enhanced authentication
    }
  }
}
