package io.sluice.inference.generate.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over bytes compiled from a {@link RegexNode}, plus, for every state,
 * the fewest bytes still needed to reach an accepting state.
 *
 * <p>Compilation is Thompson-style into an NFA whose character sets become UTF-8 byte-range chains
 * ({@link Utf8Sequences}), then an eager subset construction. Eager, because constrained decoding
 * asks for every state's outgoing bytes many times and the patterns that constraints use (JSON
 * shapes, identifiers, dates) give small automata; a pattern whose automaton would exceed
 * {@link #MAX_STATES} is refused rather than allowed to exhaust memory.
 *
 * <p>The distance table is what lets a decoder finish within its token budget: every byte is a
 * token in a byte-level vocabulary, so a state {@code d} bytes from acceptance can always be closed
 * in {@code d} tokens. Transitions into states from which acceptance is unreachable are removed, so
 * a live transition never leads into a dead end.
 */
public final class ByteDfa {

  public static final int DEAD = -1;
  public static final int UNREACHABLE = Integer.MAX_VALUE;
  static final int MAX_STATES = 50_000;
  static final int MAX_NFA_STATES = 1_000_000;

  private final int[] transitions;
  private final boolean[] accepting;
  private final int[] distance;
  private final boolean[] hasLiveTransition;

  private ByteDfa(int[] transitions, boolean[] accepting, int[] distance) {
    this.transitions = transitions;
    this.accepting = accepting;
    this.distance = distance;
    int states = accepting.length;
    this.hasLiveTransition = new boolean[states];
    for (int s = 0; s < states; s++) {
      for (int b = 0; b < 256; b++) {
        int t = transitions[s * 256 + b];
        if (t != DEAD && distance[t] == UNREACHABLE) {
          transitions[s * 256 + b] = DEAD;
        } else if (t != DEAD) {
          hasLiveTransition[s] = true;
        }
      }
    }
  }

  public static ByteDfa compile(RegexNode node) {
    Nfa nfa = new Nfa();
    int start = nfa.newState();
    int end = nfa.newState();
    nfa.compile(node, start, end);
    return determinize(nfa, start, end);
  }

  public int start() {
    return 0;
  }

  /** The state after reading {@code b} in {@code state}, or {@link #DEAD}. */
  public int next(int state, int b) {
    return transitions[state * 256 + (b & 0xFF)];
  }

  /** Runs {@code bytes} from {@code state}; {@link #DEAD} when any byte is refused. */
  public int run(int state, byte[] bytes) {
    int s = state;
    for (int i = 0; i < bytes.length && s != DEAD; i++) {
      s = next(s, bytes[i]);
    }
    return s;
  }

  public boolean accepting(int state) {
    return accepting[state];
  }

  /** Fewest bytes from {@code state} to acceptance, or {@link #UNREACHABLE}. */
  public int distance(int state) {
    return distance[state];
  }

  /** Whether any byte leads on from {@code state} towards acceptance. */
  public boolean canContinue(int state) {
    return hasLiveTransition[state];
  }

  public int stateCount() {
    return accepting.length;
  }

  public boolean matches(byte[] bytes) {
    int s = run(start(), bytes);
    return s != DEAD && accepting(s);
  }

  private static ByteDfa determinize(Nfa nfa, int startState, int endState) {
    Map<Key, Integer> ids = new HashMap<>();
    List<int[]> sets = new ArrayList<>();
    int[] startSet = nfa.closure(new int[] {startState}, 1);
    ids.put(new Key(startSet), 0);
    sets.add(startSet);
    int[] transitions = new int[256 * 64];
    Map<Key, Integer> closed = new HashMap<>();
    int[][] moves = new int[256][];
    int[] moveCounts = new int[256];
    for (int d = 0; d < sets.size(); d++) {
      if (transitions.length < (d + 1) * 256) {
        transitions = Arrays.copyOf(transitions, transitions.length * 2);
      }
      Arrays.fill(moveCounts, 0);
      for (int state : sets.get(d)) {
        for (int[] edge : nfa.edges(state)) {
          for (int b = edge[0]; b <= edge[1]; b++) {
            if (moves[b] == null) {
              moves[b] = new int[8];
            } else if (moveCounts[b] == moves[b].length) {
              moves[b] = Arrays.copyOf(moves[b], moves[b].length * 2);
            }
            moves[b][moveCounts[b]++] = edge[2];
          }
        }
      }
      closed.clear();
      for (int b = 0; b < 256; b++) {
        int target = DEAD;
        if (moveCounts[b] > 0) {
          Key raw = new Key(sortedDistinct(moves[b], moveCounts[b]));
          Integer known = closed.get(raw);
          if (known == null) {
            int[] set = nfa.closure(raw.states, raw.states.length);
            Key key = new Key(set);
            known = ids.get(key);
            if (known == null) {
              known = sets.size();
              if (known >= MAX_STATES) {
                throw new IllegalArgumentException("Constraint is too complex: its automaton"
                    + " exceeds " + MAX_STATES + " states; simplify the pattern or schema");
              }
              ids.put(key, known);
              sets.add(set);
            }
            closed.put(raw, known);
          }
          target = known;
        }
        transitions[d * 256 + b] = target;
      }
    }
    int count = sets.size();
    boolean[] accepting = new boolean[count];
    for (int d = 0; d < count; d++) {
      accepting[d] = Arrays.binarySearch(sets.get(d), endState) >= 0;
    }
    int[] trimmed = Arrays.copyOf(transitions, count * 256);
    return new ByteDfa(trimmed, accepting, distances(trimmed, accepting));
  }

  private static int[] distances(int[] transitions, boolean[] accepting) {
    int count = accepting.length;
    List<List<Integer>> reverse = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      reverse.add(new ArrayList<>());
    }
    int[] lastSource = new int[count];
    Arrays.fill(lastSource, -1);
    for (int s = 0; s < count; s++) {
      for (int b = 0; b < 256; b++) {
        int t = transitions[s * 256 + b];
        if (t != DEAD && lastSource[t] != s) {
          lastSource[t] = s;
          reverse.get(t).add(s);
        }
      }
    }
    int[] distance = new int[count];
    Arrays.fill(distance, UNREACHABLE);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int s = 0; s < count; s++) {
      if (accepting[s]) {
        distance[s] = 0;
        queue.add(s);
      }
    }
    while (!queue.isEmpty()) {
      int t = queue.poll();
      for (int s : reverse.get(t)) {
        if (distance[s] == UNREACHABLE) {
          distance[s] = distance[t] + 1;
          queue.add(s);
        }
      }
    }
    return distance;
  }

  private static int[] sortedDistinct(int[] values, int n) {
    int[] copy = Arrays.copyOf(values, n);
    Arrays.sort(copy);
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || copy[i] != copy[i - 1]) {
        copy[k++] = copy[i];
      }
    }
    return Arrays.copyOf(copy, k);
  }

  private record Key(int[] states) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(states, k.states);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(states);
    }
  }

  /** Thompson construction: {@code compile(node, from, to)} wires node between two states. */
  private static final class Nfa {
    private final List<List<int[]>> edges = new ArrayList<>();
    private final List<int[]> epsilons = new ArrayList<>();
    private final List<Integer> epsilonCounts = new ArrayList<>();
    private int[] marks = new int[0];
    private int generation;

    int newState() {
      if (edges.size() >= MAX_NFA_STATES) {
        throw new IllegalArgumentException("Constraint is too large: more than " + MAX_NFA_STATES
            + " automaton states (reduce repetition counts such as maxLength or maxItems)");
      }
      edges.add(new ArrayList<>(2));
      epsilons.add(new int[2]);
      epsilonCounts.add(0);
      return edges.size() - 1;
    }

    List<int[]> edges(int state) {
      return edges.get(state);
    }

    void epsilon(int from, int to) {
      int n = epsilonCounts.get(from);
      int[] list = epsilons.get(from);
      if (n == list.length) {
        list = Arrays.copyOf(list, n * 2);
        epsilons.set(from, list);
      }
      list[n] = to;
      epsilonCounts.set(from, n + 1);
    }

    void compile(RegexNode node, int from, int to) {
      if (node instanceof RegexNode.Empty) {
        epsilon(from, to);
      } else if (node instanceof RegexNode.CharSet set) {
        int[] ranges = set.ranges();
        for (int i = 0; i < ranges.length; i += 2) {
          for (int[][] sequence : Utf8Sequences.of(ranges[i], ranges[i + 1])) {
            int current = from;
            for (int k = 0; k < sequence.length; k++) {
              int next = k == sequence.length - 1 ? to : newState();
              edges.get(current).add(new int[] {sequence[k][0], sequence[k][1], next});
              current = next;
            }
          }
        }
      } else if (node instanceof RegexNode.Concat concat) {
        List<RegexNode> parts = concat.parts();
        if (parts.isEmpty()) {
          epsilon(from, to);
          return;
        }
        int current = from;
        for (int i = 0; i < parts.size(); i++) {
          int next = i == parts.size() - 1 ? to : newState();
          compile(parts.get(i), current, next);
          current = next;
        }
      } else if (node instanceof RegexNode.Alternation alternation) {
        for (RegexNode choice : alternation.choices()) {
          // Each choice gets private entry and exit states so loops inside one choice cannot
          // leak into another.
          int in = newState();
          int out = newState();
          epsilon(from, in);
          compile(choice, in, out);
          epsilon(out, to);
        }
      } else if (node instanceof RegexNode.Repeat repeat) {
        int current = from;
        for (int i = 0; i < repeat.min(); i++) {
          int next = newState();
          compile(repeat.node(), current, next);
          current = next;
        }
        if (repeat.max() < 0) {
          int loop = newState();
          epsilon(current, loop);
          int back = newState();
          compile(repeat.node(), loop, back);
          epsilon(back, loop);
          epsilon(loop, to);
        } else {
          for (int i = repeat.min(); i < repeat.max(); i++) {
            epsilon(current, to);
            int next = newState();
            compile(repeat.node(), current, next);
            current = next;
          }
          epsilon(current, to);
        }
      } else {
        throw new IllegalStateException("Unknown node " + node);
      }
    }

    /** The epsilon closure of the first {@code n} states, sorted and distinct. */
    int[] closure(int[] states, int n) {
      if (marks.length < edges.size()) {
        marks = new int[edges.size()];
        generation = 0;
      }
      generation++;
      ArrayDeque<Integer> stack = new ArrayDeque<>();
      int[] out = new int[Math.max(8, n)];
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (marks[states[i]] != generation) {
          marks[states[i]] = generation;
          stack.push(states[i]);
        }
      }
      while (!stack.isEmpty()) {
        int s = stack.pop();
        if (count == out.length) {
          out = Arrays.copyOf(out, count * 2);
        }
        out[count++] = s;
        int[] list = epsilons.get(s);
        int m = epsilonCounts.get(s);
        for (int i = 0; i < m; i++) {
          if (marks[list[i]] != generation) {
            marks[list[i]] = generation;
            stack.push(list[i]);
          }
        }
      }
      return sortedDistinct(out, count);
    }
  }
}
