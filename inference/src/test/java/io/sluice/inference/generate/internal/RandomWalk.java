package io.sluice.inference.generate.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Draws strings an automaton accepts by walking random live transitions to an accepting state. */
final class RandomWalk {

  private RandomWalk() {}

  static String accepted(ByteDfa dfa, Random random, int softLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int state = dfa.start();
    while (true) {
      boolean accepting = dfa.accepting(state);
      if (accepting && (!dfa.canContinue(state) || random.nextDouble() < 0.15
          || out.size() > softLength)) {
        return out.toString(StandardCharsets.UTF_8);
      }
      List<Integer> live = new ArrayList<>();
      List<Integer> closer = new ArrayList<>();
      for (int b = 0; b < 256; b++) {
        int next = dfa.next(state, b);
        if (next != ByteDfa.DEAD) {
          live.add(b);
          if (dfa.distance(next) < dfa.distance(state)) {
            closer.add(b);
          }
        }
      }
      List<Integer> pool = out.size() > softLength && !closer.isEmpty() ? closer : live;
      int b = pool.get(random.nextInt(pool.size()));
      out.write(b);
      state = dfa.next(state, b);
    }
  }
}
