package io.sluice.inference.extract.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tags of a token tagger and which may follow which: BIO ({@code O}, {@code B-X},
 * {@code I-X}) or IOBES ({@code S-X} a one-word entity, {@code E-X} the last word of a longer
 * one; BILOU's {@code U-} and {@code L-} are read as {@code S-} and {@code E-}). Decoding
 * ({@link TagDecoder}) follows only legal paths, so every entity it reports is well formed.
 */
public final class TagScheme {

  /** What a tag says about its word. */
  public enum Role { OUTSIDE, BEGIN, INSIDE, END, SINGLE }

  private final List<String> tags;
  private final Role[] roles;
  private final String[] types;
  private final List<String> entityTypes;
  private final boolean[][] allowed;
  private final boolean[] canStart;
  private final boolean[] canEnd;

  private TagScheme(List<String> tags) {
    this.tags = List.copyOf(tags);
    int n = tags.size();
    roles = new Role[n];
    types = new String[n];
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      String tag = tags.get(i);
      if (tag.equals("O")) {
        roles[i] = Role.OUTSIDE;
        continue;
      }
      if (tag.length() < 3 || tag.charAt(1) != '-') {
        throw new IllegalArgumentException("tag " + i + " '" + tag + "' is not O or "
            + "<B|I|E|S|L|U>-<type>");
      }
      roles[i] = switch (tag.charAt(0)) {
        case 'B' -> Role.BEGIN;
        case 'I' -> Role.INSIDE;
        case 'E', 'L' -> Role.END;
        case 'S', 'U' -> Role.SINGLE;
        default -> throw new IllegalArgumentException("tag " + i + " '" + tag
            + "' has prefix '" + tag.charAt(0) + "'; expected B, I, E, S, L or U");
      };
      types[i] = tag.substring(2);
      seen.add(types[i]);
    }
    entityTypes = List.copyOf(seen);
    boolean iobes = false;
    for (Role role : roles) {
      iobes |= role == Role.END || role == Role.SINGLE;
    }
    allowed = new boolean[n][n];
    canStart = new boolean[n];
    canEnd = new boolean[n];
    for (int to = 0; to < n; to++) {
      Role r = roles[to];
      boolean opens = r == Role.OUTSIDE || r == Role.BEGIN || r == Role.SINGLE;
      canStart[to] = opens;
      canEnd[to] = !iobes || r == Role.OUTSIDE || r == Role.END || r == Role.SINGLE;
      for (int from = 0; from < n; from++) {
        Role f = roles[from];
        boolean open = f == Role.BEGIN || f == Role.INSIDE;
        boolean continues = r == Role.INSIDE || r == Role.END;
        if (continues) {
          allowed[from][to] = open && types[from].equals(types[to]);
        } else {
          // In IOBES an open entity must be closed by E- first.
          allowed[from][to] = !(iobes && open);
        }
      }
    }
  }

  /** The scheme of these tags, in model output order. */
  public static TagScheme of(List<String> tags) {
    if (tags.isEmpty()) {
      throw new IllegalArgumentException("a tagger needs at least one tag");
    }
    if (new LinkedHashSet<>(tags).size() != tags.size()) {
      throw new IllegalArgumentException("tags " + tags + " list a tag twice");
    }
    return new TagScheme(tags);
  }

  /** BIO tags for {@code types}: O, then B- and I- of each type in order. */
  public static TagScheme bio(List<String> types) {
    return prefixed(types, "B-", "I-");
  }

  /** IOBES tags for {@code types}: O, then B-, I-, E- and S- of each type in order. */
  public static TagScheme iobes(List<String> types) {
    return prefixed(types, "B-", "I-", "E-", "S-");
  }

  private static TagScheme prefixed(List<String> types, String... prefixes) {
    List<String> tags = new ArrayList<>();
    tags.add("O");
    for (String type : types) {
      for (String prefix : prefixes) {
        tags.add(prefix + type);
      }
    }
    return of(tags);
  }

  public List<String> tags() {
    return tags;
  }

  public int size() {
    return tags.size();
  }

  public Role role(int tag) {
    return roles[tag];
  }

  /** The entity type of a tag; null for O. */
  public String type(int tag) {
    return types[tag];
  }

  /** Entity types in the order their tags first appear. */
  public List<String> entityTypes() {
    return entityTypes;
  }

  /** The index of a tag, or -1. */
  public int indexOf(String tag) {
    return tags.indexOf(tag);
  }

  public boolean allowed(int from, int to) {
    return allowed[from][to];
  }

  public boolean canStart(int tag) {
    return canStart[tag];
  }

  public boolean canEnd(int tag) {
    return canEnd[tag];
  }
}
