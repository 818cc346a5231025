package io.sluice.inference.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks up an enum constant by the lower-case id it is written as in JSON and YAML. */
public final class EnumIds {

  private EnumIds() {}

  public static <E extends Enum<E>> E byId(Class<E> type, Function<E, String> idOf, String id,
      String what) {
    String wanted = id == null ? "" : id.toLowerCase(Locale.ROOT);
    for (E constant : type.getEnumConstants()) {
      if (idOf.apply(constant).equals(wanted)) {
        return constant;
      }
    }
    throw new IllegalArgumentException("Unknown " + what + " '" + id + "'; expected one of "
        + Arrays.stream(type.getEnumConstants()).map(idOf).collect(Collectors.joining(", ")));
  }
}
