package io.sluice.operators.sparkplug.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a Sparkplug host knows of one edge node: the metrics its NBIRTH and DBIRTHs declared (name,
 * datatype, unit, by alias and by name), its bdSeq, the last seq seen, whether it is stale, which
 * devices are dead, and when a rebirth was last requested.
 *
 * <p>Kept in two store entries so that the per-message update stays small: the births (written
 * at births and deaths) and the sequence (written at every message), each with its own compact
 * binary form.
 */
public final class NodeSession {

  /** One declared metric. {@code device} is empty for the node's own metrics. */
  public record Declared(String device, String name, int datatype, String unit) {}

  // births
  private long bdSeq = -1;
  private final Map<Long, Declared> byAlias = new HashMap<>();
  private final Map<String, Declared> byName = new HashMap<>();
  private final Set<String> deadDevices = new HashSet<>();
  private boolean born;
  // sequence
  private int lastSeq = -1;
  private boolean stale = true;
  private long lastRebirthRequest = Long.MIN_VALUE;

  public boolean born() {
    return born;
  }

  public long bdSeq() {
    return bdSeq;
  }

  /** A new session (NBIRTH): forgets every metric of the node and its devices. */
  public void birth(long bdSeq, int seq) {
    this.bdSeq = bdSeq;
    byAlias.clear();
    byName.clear();
    deadDevices.clear();
    born = true;
    lastSeq = seq;
    stale = false;
  }

  /** A device's new birth: forgets the device's earlier metrics. */
  public void deviceBirth(String device) {
    byAlias.values().removeIf(d -> d.device().equals(device));
    byName.values().removeIf(d -> d.device().equals(device));
    deadDevices.remove(device);
  }

  public void declare(long alias, Declared metric) {
    byName.put(key(metric.device(), metric.name()), metric);
    if (alias >= 0) {
      byAlias.put(alias, metric);
    }
  }

  public Declared alias(long alias) {
    return byAlias.get(alias);
  }

  public Declared named(String device, String name) {
    return byName.get(key(device, name));
  }

  public void deviceDeath(String device) {
    deadDevices.add(device);
  }

  public boolean deviceDead(String device) {
    return deadDevices.contains(device);
  }

  /** The node died (NDEATH matching its bdSeq): everything it declared is stale. */
  public void death() {
    born = false;
    stale = true;
  }

  public int lastSeq() {
    return lastSeq;
  }

  public void seq(int seq) {
    lastSeq = seq;
  }

  public boolean stale() {
    return stale;
  }

  public void stale(boolean stale) {
    this.stale = stale;
  }

  public long lastRebirthRequest() {
    return lastRebirthRequest;
  }

  public void rebirthRequested(long at) {
    lastRebirthRequest = at;
  }

  private static String key(String device, String name) {
    return device + '\u0000' + name;
  }

  /** The births part, for the store. */
  public byte[] birthsBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + byName.size() * 32);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeBoolean(born);
      out.writeLong(bdSeq);
      Map<Declared, Long> aliases = new HashMap<>();
      byAlias.forEach((alias, d) -> aliases.put(d, alias));
      out.writeInt(byName.size());
      for (Declared d : byName.values()) {
        out.writeLong(aliases.getOrDefault(d, -1L));
        out.writeUTF(d.device());
        out.writeUTF(d.name());
        out.writeInt(d.datatype());
        out.writeUTF(d.unit() == null ? "" : d.unit());
      }
      out.writeInt(deadDevices.size());
      for (String device : deadDevices) {
        out.writeUTF(device);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sequence part, for the store. */
  public byte[] sequenceBytes() {
    byte[] b = new byte[13];
    java.nio.ByteBuffer.wrap(b).putInt(lastSeq).put((byte) (stale ? 1 : 0))
        .putLong(lastRebirthRequest);
    return b;
  }

  /** A session from its two stored parts, either of which may be null. */
  public static NodeSession restore(byte[] births, byte[] sequence) {
    NodeSession s = new NodeSession();
    if (births != null) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(births))) {
        s.born = in.readBoolean();
        s.bdSeq = in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          long alias = in.readLong();
          String device = in.readUTF();
          String name = in.readUTF();
          int datatype = in.readInt();
          String unit = in.readUTF();
          s.declare(alias, new Declared(device, name, datatype, unit.isEmpty() ? null : unit));
        }
        int dead = in.readInt();
        for (int i = 0; i < dead; i++) {
          s.deadDevices.add(in.readUTF());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (sequence != null) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(sequence);
      s.lastSeq = b.getInt();
      s.stale = b.get() != 0;
      s.lastRebirthRequest = b.getLong();
    }
    return s;
  }
}
