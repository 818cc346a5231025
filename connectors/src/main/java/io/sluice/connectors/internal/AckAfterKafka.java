package io.sluice.connectors.internal;

import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Hands MQTT messages to Kafka and releases each message's MQTT acknowledgement only after Kafka
 * confirmed its record, in the order the messages arrived.
 *
 * <p>Design. The MQTT client's callback thread only queues (it must stay free to read the socket
 * and answer pings); one sender thread takes messages in arrival order and calls
 * {@code producer.send}, which may block when Kafka is slow or gone (its {@code max.block.ms})
 * without stalling the MQTT connection. Each QoS 1/2 message takes a place in line
 * ({@link OrderedAcks}) when it arrives; when Kafka confirms a record, the run of confirmed
 * messages at the head of the line is acknowledged. A failed record is never acknowledged, and
 * nothing after it is either, and no later message of that connection is sent to Kafka (it could
 * land ahead of the failed one): the {@link Channel} is told, and drops the connection so the
 * broker resends everything unacknowledged, in order.
 *
 * <p>Poison. A record Kafka refuses for good ({@link KafkaErrors#permanent}: too large, an invalid
 * topic, not authorized) would be refused again however often the broker resent it, and would
 * hold its connection's messages behind it forever. With a {@link Poison} handler such a record is
 * replaced by its dead letter, which takes its place in line: once Kafka has the dead letter, the
 * message is acknowledged like any other. A dead letter that Kafka refuses is a failure like any
 * other: the connection drops and the broker resends, so nothing is acknowledged unwritten.
 *
 * <p>Backpressure: the broker sends at most its receive maximum of unacknowledged messages, so
 * the queue and the line stay bounded by it (QoS 0 messages are not flow controlled; if they fill
 * the queue, the callback thread waits). Messages of a connection that has died are not sent to
 * Kafka at all: the broker will send them again on the next connection.
 */
public final class AckAfterKafka implements AutoCloseable {

  /** The MQTT connection a message came in on. */
  public interface Channel {
    /** Whether this is still the live connection; acknowledgements to a dead one are dropped. */
    boolean live();

    /** Acknowledges one message to the broker. */
    void acknowledge(int messageId, int qos);

    /** Kafka refused a record of a message that came in on this connection. */
    void kafkaFailed(Exception error);
  }

  /** Turns a record Kafka refused for good into the record that goes instead. */
  @FunctionalInterface
  public interface Poison {
    /**
     * @param reason what {@link KafkaErrors#permanent} said
     * @return the dead letter to write in its place
     */
    ProducerRecord<byte[], byte[]> deadLetter(ProducerRecord<byte[], byte[]> refused,
        String reason, Exception error);
  }

  private record Delivery(int messageId, int qos, Channel channel) {}

  private record Job(ProducerRecord<byte[], byte[]> record, Delivery delivery,
      OrderedAcks.Slot<Delivery> slot, boolean deadLetter) {}

  private final Producer<byte[], byte[]> producer;
  private final OrderedAcks<Delivery> line = new OrderedAcks<>();
  private final BlockingQueue<Job> queue;
  /** Dead letters of poison records, sent before anything new. */
  private final Queue<Job> deadLetters = new ConcurrentLinkedQueue<>();
  private final Poison poison;
  private final Object ackLock = new Object();
  private final Runnable onAcknowledged;
  private final Consumer<Exception> onQos0Lost;
  private final Thread sender;
  private volatile Channel failed;
  private volatile boolean closed;

  /**
   * @param queueCapacity most messages waiting for the sender thread
   * @param onAcknowledged called once per acknowledged message
   * @param onQos0Lost called when Kafka refused a QoS 0 record (QoS 0 is never resent)
   */
  public AckAfterKafka(Producer<byte[], byte[]> producer, int queueCapacity, String threadName,
      Runnable onAcknowledged, Consumer<Exception> onQos0Lost) {
    this(producer, queueCapacity, threadName, onAcknowledged, onQos0Lost, null);
  }

  /** @param poison replaces records Kafka refuses for good; null to treat them as failures */
  public AckAfterKafka(Producer<byte[], byte[]> producer, int queueCapacity, String threadName,
      Runnable onAcknowledged, Consumer<Exception> onQos0Lost, Poison poison) {
    this.producer = producer;
    this.poison = poison;
    this.queue = new LinkedBlockingQueue<>(queueCapacity);
    this.onAcknowledged = onAcknowledged;
    this.onQos0Lost = onQos0Lost;
    this.sender = new Thread(this::sendLoop, threadName);
    this.sender.setDaemon(true);
    this.sender.start();
  }

  /**
   * Queues a message's record for Kafka. Called on the MQTT callback thread, in arrival order.
   *
   * @throws InterruptedException if interrupted while the queue is full
   */
  public void submit(ProducerRecord<byte[], byte[]> record, int messageId, int qos,
      Channel channel) throws InterruptedException {
    Delivery delivery = new Delivery(messageId, qos, channel);
    OrderedAcks.Slot<Delivery> slot = qos == 0 ? null : line.arrive(delivery);
    queue.put(new Job(record, delivery, slot, false));
  }

  /** Messages received and not yet acknowledged. */
  public int pending() {
    return line.pending();
  }

  /** Forgets the line after the connection dropped: the broker will resend those messages. */
  public void forget() {
    line.clear();
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
  }

  private void sendLoop() {
    while (!closed) {
      Job next = deadLetters.poll();
      try {
        if (next == null) {
          next = queue.poll(50, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        return;
      }
      if (next == null) {
        continue;
      }
      Job job = next;
      Channel channel = job.delivery().channel();
      if (job.slot() != null && (!channel.live() || channel.equals(failed))) {
        // Its connection is gone, or Kafka failed a record before it: sending it now could put
        // it in Kafka ahead of the failed one. The broker resends both, in order.
        release(job);
        continue;
      }
      try {
        producer.send(job.record(), (meta, error) -> done(job, error));
      } catch (RuntimeException e) {
        done(job, e);
      }
    }
  }

  private void done(Job job, Exception error) {
    Channel from = job.delivery().channel();
    if (error != null && poison != null && !job.deadLetter() && from.live()
        && !from.equals(failed)) {
      Optional<String> reason = KafkaErrors.permanent(error);
      if (reason.isPresent()) {
        // Not sent from here: this is the producer's I/O thread, and send may block.
        deadLetters.add(new Job(poison.deadLetter(job.record(), reason.get(), error),
            job.delivery(), job.slot(), true));
        return;
      }
    }
    if (job.slot() == null) {
      if (error != null) {
        onQos0Lost.accept(error);
      }
      return;
    }
    Channel channel = job.delivery().channel();
    if (error != null && channel.live()) {
      failed = channel;
      channel.kafkaFailed(error);
      return;
    }
    release(job);
  }

  private void release(Job job) {
    synchronized (ackLock) {
      List<Delivery> ready = line.complete(job.slot());
      for (Delivery d : ready) {
        if (d.channel().live()) {
          d.channel().acknowledge(d.messageId(), d.qos());
          onAcknowledged.run();
        }
      }
    }
  }
}
