package io.sluice.inference.generate.internal;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For one constraint automaton and one vocabulary: which tokens may come next in each automaton
 * state, where each leads, and how many bytes it then leaves to acceptance. Computed on first use
 * of a state by one trie walk and kept, since a decoder revisits the same few states (inside a
 * string, after a comma) for every record.
 */
public final class TokenMasks {

  /** Tokens allowed in one state, with the state each leads to and its distance to acceptance. */
  public record Allowed(int[] tokens, int[] next, int[] distance) {}

  private final ByteDfa dfa;
  private final TokenTrie trie;
  private final ConcurrentHashMap<Integer, Allowed> byState = new ConcurrentHashMap<>();

  public TokenMasks(ByteDfa dfa, TokenTrie trie) {
    this.dfa = dfa;
    this.trie = trie;
  }

  public ByteDfa dfa() {
    return dfa;
  }

  public Allowed allowed(int state) {
    return byState.computeIfAbsent(state, this::walk);
  }

  private Allowed walk(int state) {
    int[][] acc = {new int[64], new int[64], new int[64]};
    int[] count = {0};
    trie.walk(dfa, state, (id, after) -> {
      if (count[0] == acc[0].length) {
        for (int i = 0; i < 3; i++) {
          acc[i] = Arrays.copyOf(acc[i], acc[i].length * 2);
        }
      }
      acc[0][count[0]] = id;
      acc[1][count[0]] = after;
      acc[2][count[0]] = dfa.distance(after);
      count[0]++;
    });
    int n = count[0];
    return new Allowed(Arrays.copyOf(acc[0], n), Arrays.copyOf(acc[1], n),
        Arrays.copyOf(acc[2], n));
  }
}
