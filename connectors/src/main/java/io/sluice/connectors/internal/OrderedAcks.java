package io.sluice.connectors.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Releases MQTT acknowledgements in the order the messages arrived, whatever order Kafka confirms
 * them in. MQTT requires a client to acknowledge QoS 1 messages in arrival order; Kafka confirms
 * per partition, so two devices' records can be confirmed out of order. Each arrival takes a slot;
 * {@link #complete} marks a slot done and returns the run of done slots now at the head, which
 * the caller acknowledges. Thread-safe.
 *
 * @param <T> what identifies a message to acknowledge (the MQTT message id and QoS)
 */
final class OrderedAcks<T> {

  private final Deque<Slot<T>> slots = new ArrayDeque<>();

  /** A place in line for one arrived message. */
  public static final class Slot<T> {
    private final T message;
    private boolean done;

    private Slot(T message) {
      this.message = message;
    }
  }

  public synchronized Slot<T> arrive(T message) {
    Slot<T> slot = new Slot<>(message);
    slots.addLast(slot);
    return slot;
  }

  /** Marks {@code slot} done; returns the messages that may now be acknowledged, in order. */
  public synchronized List<T> complete(Slot<T> slot) {
    slot.done = true;
    List<T> ready = new ArrayList<>();
    while (!slots.isEmpty() && slots.peekFirst().done) {
      ready.add(slots.pollFirst().message);
    }
    return ready;
  }

  /** Forgets every slot, for example after the connection dropped and the broker will resend. */
  public synchronized void clear() {
    slots.clear();
  }

  /** The message at the head of the line (the oldest not yet released), or null. */
  public synchronized T oldest() {
    Slot<T> head = slots.peekFirst();
    return head == null ? null : head.message;
  }

  public synchronized int pending() {
    return slots.size();
  }
}
