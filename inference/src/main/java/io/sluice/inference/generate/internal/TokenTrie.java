package io.sluice.inference.generate.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vocabulary's byte strings as a trie, so that the tokens a constraint allows in one automaton
 * state are found by one walk that abandons a branch at the first refused byte, instead of running
 * every token of a 150,000-token vocabulary through the automaton.
 */
public final class TokenTrie {

  /** Per node: child bytes (sorted) and child node ids. */
  private final List<int[]> childBytes = new ArrayList<>();
  private final List<int[]> childNodes = new ArrayList<>();
  /** Per node: the token ids whose bytes end exactly here. */
  private final List<int[]> tokensHere = new ArrayList<>();

  public TokenTrie(TokenBytes vocabulary) {
    newNode();
    for (int id = 0; id < vocabulary.size(); id++) {
      byte[] bytes = vocabulary.bytes(id);
      if (bytes == null || bytes.length == 0 || vocabulary.isSpecial(id)) {
        continue;
      }
      int node = 0;
      for (byte b : bytes) {
        node = child(node, b & 0xFF);
      }
      int[] here = tokensHere.get(node);
      int[] grown = Arrays.copyOf(here, here.length + 1);
      grown[here.length] = id;
      tokensHere.set(node, grown);
    }
  }

  interface Visitor {
    /** Called for each token that {@code dfa} accepts whole from the walk's start state. */
    void token(int id, int stateAfter);
  }

  /** Visits every token whose bytes keep {@code dfa} alive from {@code state}. */
  void walk(ByteDfa dfa, int state, Visitor visitor) {
    walk(0, dfa, state, visitor);
  }

  private void walk(int node, ByteDfa dfa, int state, Visitor visitor) {
    int[] bytes = childBytes.get(node);
    int[] nodes = childNodes.get(node);
    for (int i = 0; i < bytes.length; i++) {
      int next = dfa.next(state, bytes[i]);
      if (next == ByteDfa.DEAD) {
        continue;
      }
      for (int id : tokensHere.get(nodes[i])) {
        visitor.token(id, next);
      }
      walk(nodes[i], dfa, next, visitor);
    }
  }

  private int newNode() {
    childBytes.add(new int[0]);
    childNodes.add(new int[0]);
    tokensHere.add(new int[0]);
    return childBytes.size() - 1;
  }

  private int child(int node, int b) {
    int[] bytes = childBytes.get(node);
    int at = Arrays.binarySearch(bytes, b);
    if (at >= 0) {
      return childNodes.get(node)[at];
    }
    int insert = -at - 1;
    int created = newNode();
    int[] nodes = childNodes.get(node);
    int[] newBytes = new int[bytes.length + 1];
    int[] newNodes = new int[nodes.length + 1];
    System.arraycopy(bytes, 0, newBytes, 0, insert);
    System.arraycopy(nodes, 0, newNodes, 0, insert);
    newBytes[insert] = b;
    newNodes[insert] = created;
    System.arraycopy(bytes, insert, newBytes, insert + 1, bytes.length - insert);
    System.arraycopy(nodes, insert, newNodes, insert + 1, nodes.length - insert);
    childBytes.set(node, newBytes);
    childNodes.set(node, newNodes);
    return created;
  }
}
