package io.sluice.lab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic gateway-like texts (operator notes, alarm texts, work orders) for benchmarks that
 * must run without the shared data sets. Lengths vary from a few tokens to a few dozen, as on a
 * real line.
 */
public final class SampleSentences {

  private static final String[] EQUIPMENT = {"pump 3", "conveyor B", "compressor", "mixer 2",
      "boiler feed pump", "cooling tower fan", "hydraulic press 7", "packaging robot",
      "air dryer", "main breaker", "filler valve 12", "extruder zone 4", "forklift 9",
      "chiller", "dust collector"};
  private static final String[] SYMPTOMS = {"tripped", "is leaking oil", "makes a grinding noise",
      "overheats after an hour", "vibration above limit", "will not start",
      "pressure dropping slowly", "belt slipping", "alarm keeps coming back", "smells burnt",
      "running rough since the night shift", "temperature reading is erratic",
      "stopped with fault code E42", "drawing more current than usual", "door interlock open"};
  private static final String[] CONTEXT = {"", "", " on line 2", " near the wash bay",
      " during start-up", " after the filter change", ", second time this week",
      ", operator reset it twice", ", needs an electrician before the next shift",
      ", spare part on order", ", please check the coupling and the bearing housing"};
  private static final String[] FOLLOW_UP = {"", "", "", " Replaced the fuse, ran fine for ten "
      + "minutes, then tripped again.", " Checked the oil level and the seals, no visible damage"
      + " but the noise is louder at full speed.", " Logged by the day shift, no work order yet."};

  private SampleSentences() {}

  public static List<String> generate(int count, long seed) {
    Random random = new Random(seed);
    List<String> sentences = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      sentences.add(pick(random, EQUIPMENT) + " " + pick(random, SYMPTOMS)
          + pick(random, CONTEXT) + pick(random, FOLLOW_UP));
    }
    return sentences;
  }

  private static String pick(Random random, String[] options) {
    return options[random.nextInt(options.length)];
  }
}
