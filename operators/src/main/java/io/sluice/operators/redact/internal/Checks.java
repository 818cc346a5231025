package io.sluice.operators.redact.internal;

/** Check digits and address syntax that regular expressions cannot express. */
final class Checks {

  private Checks() {}

  /** Luhn (mod 10) check over the digits of {@code s}, ignoring every other character. */
  public static boolean luhn(CharSequence s) {
    int sum = 0;
    boolean twice = false;
    for (int i = s.length() - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  /**
   * ISO 13616 IBAN check: 15 to 34 letters and digits (spaces ignored), country letters, two
   * check digits, and the whole, rearranged and read as a number, is 1 modulo 97.
   */
  public static boolean iban(CharSequence s) {
    StringBuilder compact = new StringBuilder(34);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ') {
        compact.append(c);
      }
    }
    int n = compact.length();
    if (n < 15 || n > 34) {
      return false;
    }
    int remainder = 0;
    for (int i = 0; i < n; i++) {
      char c = compact.charAt((i + 4) % n);
      int v = Character.isDigit(c) ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
      if (v < 0) {
        return false;
      }
      remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97;
    }
    return remainder == 1;
  }

  /**
   * RFC 4291 text form of an IPv6 address: eight groups of one to four hex digits, or fewer
   * with one {@code ::}; the last 32 bits may be written as an IPv4 address. No zone.
   */
  public static boolean ipv6(String s) {
    int compressed = s.indexOf("::");
    if (compressed >= 0 && s.indexOf("::", compressed + 1) >= 0) {
      return false;
    }
    int groups = 0;
    String[] sides = compressed >= 0
        ? new String[] {s.substring(0, compressed), s.substring(compressed + 2)}
        : new String[] {s};
    for (int side = 0; side < sides.length; side++) {
      if (sides[side].isEmpty()) {
        continue;
      }
      String[] parts = sides[side].split(":", -1);
      for (int i = 0; i < parts.length; i++) {
        boolean lastOfAll = side == sides.length - 1 && i == parts.length - 1;
        if (lastOfAll && parts[i].indexOf('.') >= 0) {
          if (!ipv4(parts[i])) {
            return false;
          }
          groups += 2;
        } else if (hexGroup(parts[i])) {
          groups++;
        } else {
          return false;
        }
      }
    }
    return compressed >= 0 ? groups <= 7 : groups == 8;
  }

  /** Dotted-quad IPv4 address, each part 0 to 255 without leading zeros. */
  public static boolean ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (!Character.isDigit(p.charAt(i))) {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean hexGroup(String g) {
    if (g.isEmpty() || g.length() > 4) {
      return false;
    }
    for (int i = 0; i < g.length(); i++) {
      if (Character.digit(g.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
