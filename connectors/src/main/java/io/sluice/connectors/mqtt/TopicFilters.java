package io.sluice.connectors.mqtt;

/** MQTT topic filter matching ({@code +} one level, {@code #} the rest, {@code $share/group/}). */
public final class TopicFilters {

  private TopicFilters() {}

  public static boolean matches(String filter, String topic) {
    String f = filter;
    if (f.startsWith("$share/")) {
      int groupEnd = f.indexOf('/', "$share/".length());
      if (groupEnd < 0) {
        return false;
      }
      f = f.substring(groupEnd + 1);
    }
    String[] fl = f.split("/", -1);
    String[] tl = topic.split("/", -1);
    for (int i = 0; i < fl.length; i++) {
      if (fl[i].equals("#")) {
        return true;
      }
      if (i >= tl.length) {
        return false;
      }
      if (!fl[i].equals("+") && !fl[i].equals(tl[i])) {
        return false;
      }
    }
    return fl.length == tl.length;
  }
}
