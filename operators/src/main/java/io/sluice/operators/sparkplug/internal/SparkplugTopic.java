package io.sluice.operators.sparkplug.internal;

/**
 * A Sparkplug B topic: {@code spBv1.0/<group>/<type>/<edge node>[/<device>]}, or the host
 * application's {@code spBv1.0/STATE/<host id>}.
 *
 * @param device empty for node messages
 */
public record SparkplugTopic(String group, Type type, String edgeNode, String device) {

  public static final String NAMESPACE = "spBv1.0";

  /** Message types of Sparkplug B 3.0. */
  public enum Type { NBIRTH, NDEATH, DBIRTH, DDEATH, NDATA, DDATA, NCMD, DCMD, STATE }

  /** The edge node as {@code <group>/<edge node>}: the Kafka key and the state store key. */
  public String node() {
    return group + "/" + edgeNode;
  }

  /** The device id readings carry: {@code <group>/<edge node>[/<device>]}. */
  public String deviceId() {
    return device.isEmpty() ? node() : node() + "/" + device;
  }

  /** Where a command for this topic's edge node goes. */
  public String nodeCommandTopic() {
    return NAMESPACE + "/" + group + "/NCMD/" + edgeNode;
  }

  /** Parses a topic, or returns null with the reason in {@code why[0]}. */
  public static SparkplugTopic parse(String topic, String[] why) {
    String[] levels = topic.split("/", -1);
    if (levels.length < 3 || !levels[0].equals(NAMESPACE)) {
      why[0] = "topic '" + topic + "' is not a Sparkplug B topic (expected " + NAMESPACE
          + "/<group>/<message type>/<edge node>[/<device>])";
      return null;
    }
    if (levels[1].equals("STATE")) {
      return new SparkplugTopic("", Type.STATE, levels[2], "");
    }
    Type type;
    try {
      type = Type.valueOf(levels[2]);
    } catch (IllegalArgumentException e) {
      why[0] = "topic '" + topic + "' has message type '" + levels[2] + "'; Sparkplug B knows"
          + " NBIRTH, NDEATH, DBIRTH, DDEATH, NDATA, DDATA, NCMD, DCMD and STATE";
      return null;
    }
    boolean deviceMessage = type == Type.DBIRTH || type == Type.DDEATH || type == Type.DDATA
        || type == Type.DCMD;
    int expected = deviceMessage ? 5 : 4;
    if (levels.length != expected || levels[1].isEmpty() || levels[3].isEmpty()
        || (deviceMessage && levels[4].isEmpty())) {
      why[0] = "topic '" + topic + "': a " + type + " topic has " + expected + " levels ("
          + NAMESPACE + "/<group>/" + type + "/<edge node>" + (deviceMessage ? "/<device>" : "")
          + "), this one " + levels.length;
      return null;
    }
    return new SparkplugTopic(levels[1], type, levels[3], deviceMessage ? levels[4] : "");
  }
}
