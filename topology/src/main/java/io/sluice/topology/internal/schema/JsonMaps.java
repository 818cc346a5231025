package io.sluice.topology.internal.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON Schema fragments as maps that keep their key order, so generated files are stable. */
final class JsonMaps {

  private JsonMaps() {}

  /** A map of the given key, value, key, value... in that order. */
  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
