package io.sluice.inference.extract.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;

/**
 * A small word tagger over frozen word states: each word's input is its own state and its
 * neighbours' within {@code context} words (zeros past the text's ends), standardized with the
 * training words' mean and spread; one hidden ReLU layer; then one softmax per tagging layer
 * (the outermost entities, the entities nested in them, ...), all sharing the hidden layer.
 *
 * <p>Training: cross-entropy summed over the tagging layers, mini-batch Adam with weight decay
 * and dropout on the hidden layer, examples shuffled with the injected random generator (so
 * training is repeatable). Optionally the network keeps an exponential moving average of its
 * weights over the training steps instead of the last step's weights; with the lexicon features
 * and dropout 0.5 this made MaintIE results far less dependent on the seed (docs/BENCHMARKS.md,
 * Extraction). Each mini-batch is split over {@code threads}
 * workers, whose gradients are summed in a fixed order, so the result does not depend on thread
 * timing.
 *
 * <p>Layout: {@code w1[input * hidden + h]} and {@code w2[h * outputs + o]}, so both passes run as
 * contiguous {@code y += a * x} loops that the JIT vectorizes.
 */
public final class TaggerNetwork {

  /**
   * Training knobs.
   *
   * @param hidden hidden units
   * @param context neighbours on each side whose states a word sees
   * @param epochs passes over the training words
   * @param batchSize words per update
   * @param learningRate Adam's step size
   * @param weightDecay L2 on the weight matrices
   * @param dropout share of hidden units dropped in training
   * @param threads workers per mini-batch
   * @param averaging decay of the exponential moving average of the weights that the trained
   *     network keeps (0: keep the last weights instead)
   */
  public record Settings(int hidden, int context, int epochs, int batchSize, double learningRate,
      double weightDecay, double dropout, int threads, double averaging) {

    public Settings {
      if (hidden < 1 || context < 0 || epochs < 1 || batchSize < 1 || !(learningRate > 0)
          || weightDecay < 0 || dropout < 0 || dropout >= 1 || threads < 1 || averaging < 0
          || averaging >= 1) {
        throw new IllegalArgumentException("Invalid tagger settings " + this);
      }
    }
  }

  private final int dimension;
  private final int context;
  private final int hidden;
  private final int[] tagCounts;
  private final int outputs;
  private final float[] mean;
  private final float[] inverseSpread;
  private final float[] w1;
  private final float[] b1;
  private final float[] w2;
  private final float[] b2;
  /** The linear-chain CRF's scores, or null for independent softmaxes ({@link ChainScores}). */
  private final ChainScores chain;

  /** A network from its parts (as saved); arrays are used as they are. */
  public TaggerNetwork(int dimension, int context, int hidden, int[] tagCounts, float[] mean,
      float[] inverseSpread, float[] w1, float[] b1, float[] w2, float[] b2) {
    this(dimension, context, hidden, tagCounts, mean, inverseSpread, w1, b1, w2, b2, null, null);
  }

  /**
   * A network from its parts (as saved) with a linear-chain CRF over {@code scheme}'s tags in
   * every tagging layer when {@code transitions} is not null; arrays are used as they are.
   */
  public TaggerNetwork(int dimension, int context, int hidden, int[] tagCounts, float[] mean,
      float[] inverseSpread, float[] w1, float[] b1, float[] w2, float[] b2, TagScheme scheme,
      float[] transitions) {
    this.dimension = dimension;
    this.context = context;
    this.hidden = hidden;
    this.tagCounts = tagCounts.clone();
    this.outputs = Arrays.stream(tagCounts).sum();
    int input = dimension * (2 * context + 1);
    if (mean.length != dimension || inverseSpread.length != dimension
        || w1.length != input * hidden || b1.length != hidden || w2.length != hidden * outputs
        || b2.length != outputs) {
      throw new IllegalArgumentException("Tagger weights do not fit dimension " + dimension
          + ", context " + context + ", hidden " + hidden + ", tags " + Arrays.toString(tagCounts));
    }
    this.mean = mean;
    this.inverseSpread = inverseSpread;
    this.w1 = w1;
    this.b1 = b1;
    this.w2 = w2;
    this.b2 = b2;
    if (transitions == null) {
      this.chain = null;
    } else {
      for (int count : tagCounts) {
        if (scheme == null || count != scheme.size()) {
          throw new IllegalArgumentException("A CRF tagger needs the tag scheme of its "
              + Arrays.toString(tagCounts) + " tags");
        }
      }
      this.chain = new ChainScores(scheme, tagCounts.length, transitions);
    }
  }

  /**
   * Trains a network.
   *
   * @param texts word states of each training text, {@code [text][word][dimension]}
   * @param tags the gold tag of each word in each tagging layer, {@code [text][layer][word]}
   * @param tagCounts the number of tags of each layer
   * @param pool runs the workers of a mini-batch when {@code settings.threads() > 1}
   */
  public static TaggerNetwork train(List<float[][]> texts, List<int[][]> tags, int[] tagCounts,
      Settings settings, RandomGenerator random, ExecutorService pool) {
    return train(texts, tags, tagCounts, null, settings, random, pool);
  }

  /**
   * Trains a network; with a {@code scheme}, each tagging layer is a linear-chain CRF over its
   * tags (transition scores learned with the network, illegal transitions never taken) and
   * training maximizes the likelihood of whole tag paths, a text at a time.
   */
  public static TaggerNetwork train(List<float[][]> texts, List<int[][]> tags, int[] tagCounts,
      TagScheme scheme, Settings settings, RandomGenerator random, ExecutorService pool) {
    if (texts.size() != tags.size() || texts.isEmpty()) {
      throw new IllegalArgumentException(texts.size() + " texts but tags for " + tags.size());
    }
    int dimension = -1;
    int words = 0;
    for (float[][] text : texts) {
      for (float[] word : text) {
        dimension = word.length;
        words++;
      }
    }
    if (words == 0) {
      throw new IllegalArgumentException("no words to train on");
    }
    float[] mean = new float[dimension];
    float[] spread = new float[dimension];
    standardization(texts, dimension, words, mean, spread);
    int input = dimension * (2 * settings.context() + 1);
    int outputs = Arrays.stream(tagCounts).sum();
    int hidden = settings.hidden();
    float[] w1 = new float[input * hidden];
    float[] b1 = new float[hidden];
    float[] w2 = new float[hidden * outputs];
    float[] b2 = new float[outputs];
    double s1 = Math.sqrt(2.0 / input);
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) (random.nextGaussian() * s1);
    }
    double s2 = Math.sqrt(1.0 / hidden);
    for (int i = 0; i < w2.length; i++) {
      w2[i] = (float) (random.nextGaussian() * s2);
    }
    float[] transitions = scheme == null ? null
        : new float[tagCounts.length * ChainScores.size(scheme.size())];
    TaggerNetwork net = new TaggerNetwork(dimension, settings.context(), hidden, tagCounts, mean,
        spread, w1, b1, w2, b2, scheme, transitions);
    net.fit(texts, tags, settings, random, pool);
    return net;
  }

  private static void standardization(List<float[][]> texts, int dimension, int words,
      float[] mean, float[] inverseSpread) {
    double[] sum = new double[dimension];
    double[] squares = new double[dimension];
    for (float[][] text : texts) {
      for (float[] word : text) {
        for (int d = 0; d < dimension; d++) {
          sum[d] += word[d];
          squares[d] += (double) word[d] * word[d];
        }
      }
    }
    for (int d = 0; d < dimension; d++) {
      double m = sum[d] / words;
      double variance = Math.max(0, squares[d] / words - m * m);
      mean[d] = (float) m;
      inverseSpread[d] = (float) (1 / (Math.sqrt(variance) + 1e-6));
    }
  }

  /** One training example: a word of a text. */
  private record Example(int text, int word) {}

  private void fit(List<float[][]> texts, List<int[][]> tags, Settings settings,
      RandomGenerator random, ExecutorService pool) {
    List<float[][]> inputs = new ArrayList<>(texts.size());
    List<Example> examples = new ArrayList<>();
    int words = 0;
    for (int t = 0; t < texts.size(); t++) {
      inputs.add(standardize(texts.get(t)));
      words += texts.get(t).length;
      if (chain != null) {
        if (texts.get(t).length > 0) {
          examples.add(new Example(t, -1)); // a CRF learns from whole texts
        }
        continue;
      }
      for (int w = 0; w < texts.get(t).length; w++) {
        examples.add(new Example(t, w));
      }
    }
    // a batch of texts holds about batchSize words, as a batch of words does
    int batch = chain == null ? settings.batchSize() : Math.max(1,
        (int) Math.round((double) settings.batchSize() * examples.size() / words));
    int threads = pool == null ? 1 : settings.threads();
    Gradient[] gradients = new Gradient[threads];
    for (int i = 0; i < threads; i++) {
      gradients[i] = new Gradient();
    }
    Adam adam = new Adam();
    float[][] average = null;
    if (settings.averaging() > 0) {
      average = new float[adam.params.length][];
      for (int p = 0; p < average.length; p++) {
        average[p] = adam.params[p].clone();
      }
    }
    Example[] order = examples.toArray(Example[]::new);
    long step = 0;
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      shuffle(order, random);
      for (int start = 0; start < order.length; start += batch) {
        int end = Math.min(order.length, start + batch);
        long seed = random.nextLong();
        int per = (end - start + threads - 1) / threads;
        List<Future<?>> running = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
          int from = start + k * per;
          int to = Math.min(end, from + per);
          Gradient g = gradients[k];
          Runnable work = () -> g.compute(order, from, to, inputs, tags, settings.dropout(),
              seed + from);
          if (threads == 1) {
            work.run();
          } else {
            running.add(pool.submit(work));
          }
        }
        await(running);
        for (int k = 1; k < threads; k++) {
          gradients[0].add(gradients[k]);
        }
        int counted = end - start;
        if (chain != null) {
          counted = 0;
          for (int e = start; e < end; e++) {
            counted += inputs.get(order[e].text()).length;
          }
        }
        adam.step(++step, gradients[0], counted, settings);
        if (average != null) {
          // bias-corrected early on: the first steps weigh as much as they can
          float decay = (float) Math.min(settings.averaging(), (1.0 + step) / (10.0 + step));
          for (int p = 0; p < average.length; p++) {
            float[] param = adam.params[p];
            float[] avg = average[p];
            for (int i = 0; i < avg.length; i++) {
              avg[i] = decay * avg[i] + (1 - decay) * param[i];
            }
          }
        }
      }
    }
    if (average != null) {
      for (int p = 0; p < average.length; p++) {
        System.arraycopy(average[p], 0, adam.params[p], 0, average[p].length);
      }
    }
  }

  private static void await(List<Future<?>> running) {
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while training a tagger", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("Training a tagger failed: " + e.getCause(),
            e.getCause());
      }
    }
  }

  /** Gradients of one worker, over its share of a mini-batch. */
  private final class Gradient {
    final float[] gw1 = new float[w1.length];
    final float[] gb1 = new float[b1.length];
    final float[] gw2 = new float[w2.length];
    final float[] gb2 = new float[b2.length];
    final float[] gChain = chain == null ? null : new float[chain.scores().length];
    final float[] x = new float[w1.length / hidden];
    final float[] h = new float[hidden];
    final float[] gh = new float[hidden];
    final float[] logits = new float[outputs];

    void compute(Example[] order, int from, int to, List<float[][]> inputs, List<int[][]> tags,
        double dropout, long seed) {
      Arrays.fill(gw1, 0);
      Arrays.fill(gb1, 0);
      Arrays.fill(gw2, 0);
      Arrays.fill(gb2, 0);
      if (gChain != null) {
        Arrays.fill(gChain, 0);
      }
      SplittableRandom random = new SplittableRandom(seed);
      float keep = (float) (1 - dropout);
      for (int e = from; e < to; e++) {
        Example example = order[e];
        float[][] text = inputs.get(example.text());
        int[][] gold = tags.get(example.text());
        if (chain != null) {
          computeChain(text, gold, dropout, keep, random);
          continue;
        }
        window(text, example.word(), x);
        forward(x, h, logits, dropout, keep, random);
        // softmax per tagging layer; gradient of the summed cross-entropies
        int offset = 0;
        for (int layer = 0; layer < tagCounts.length; layer++) {
          softmax(logits, offset, tagCounts[layer]);
          logits[offset + gold[layer][example.word()]] -= 1;
          offset += tagCounts[layer];
        }
        backward(x, h, logits, keep);
      }
    }

    /** One text through the network and each layer's CRF; the path likelihood's gradient. */
    private void computeChain(float[][] text, int[][] gold, double dropout, float keep,
        SplittableRandom random) {
      int n = text.length;
      float[][] hs = new float[n][hidden];
      float[][] scores = new float[n][outputs];
      for (int w = 0; w < n; w++) {
        window(text, w, x);
        forward(x, hs[w], scores[w], dropout, keep, random);
      }
      float[][] gradient = new float[n][outputs];
      int offset = 0;
      for (int layer = 0; layer < tagCounts.length; layer++) {
        chain.gradient(scores, offset, layer, gold[layer], gradient, gChain);
        offset += tagCounts[layer];
      }
      for (int w = 0; w < n; w++) {
        window(text, w, x);
        backward(x, hs[w], gradient[w], keep);
      }
    }

    private void forward(float[] input, float[] hiddenOut, float[] scores, double dropout,
        float keep, SplittableRandom random) {
      hiddenLayer(input, hiddenOut);
      if (dropout > 0) {
        for (int j = 0; j < hidden; j++) {
          hiddenOut[j] = random.nextDouble() < dropout ? 0 : hiddenOut[j] / keep;
        }
      }
      outputLayer(hiddenOut, scores);
    }

    /** Adds the gradients of one word, given the loss's gradient on its output scores. */
    private void backward(float[] input, float[] hiddenOut, float[] scoreGradient, float keep) {
      Arrays.fill(gh, 0);
      for (int j = 0; j < hidden; j++) {
        float hj = hiddenOut[j];
        int row = j * outputs;
        float sum = 0;
        for (int o = 0; o < outputs; o++) {
          gw2[row + o] += hj * scoreGradient[o];
          sum += w2[row + o] * scoreGradient[o];
        }
        gh[j] = hj > 0 ? sum / keep : 0; // through dropout's 1/keep and ReLU
      }
      for (int o = 0; o < outputs; o++) {
        gb2[o] += scoreGradient[o];
      }
      for (int j = 0; j < hidden; j++) {
        gb1[j] += gh[j];
      }
      for (int i = 0; i < input.length; i++) {
        float xi = input[i];
        if (xi != 0) {
          int row = i * hidden;
          for (int j = 0; j < hidden; j++) {
            gw1[row + j] += xi * gh[j];
          }
        }
      }
    }

    void add(Gradient other) {
      addInto(gw1, other.gw1);
      addInto(gb1, other.gb1);
      addInto(gw2, other.gw2);
      addInto(gb2, other.gb2);
      if (gChain != null) {
        addInto(gChain, other.gChain);
      }
    }

    float[][] all() {
      return gChain == null ? new float[][] {gw1, gb1, gw2, gb2}
          : new float[][] {gw1, gb1, gw2, gb2, gChain};
    }
  }

  /** Adam's moment estimates for every parameter. */
  private final class Adam {
    final float[][] params = chain == null ? new float[][] {w1, b1, w2, b2}
        : new float[][] {w1, b1, w2, b2, chain.scores()};
    final float[][] m = zerosLike(params);
    final float[][] v = zerosLike(params);

    void step(long t, Gradient g, int examples, Settings settings) {
      float[][] grads = g.all();
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      float rate = (float) (settings.learningRate() * Math.sqrt(c2) / c1);
      float inverse = 1f / examples;
      for (int p = 0; p < params.length; p++) {
        float[] param = params[p];
        float[] grad = grads[p];
        float[] mp = m[p];
        float[] vp = v[p];
        // weight decay on the two weight matrices only
        float decay = p == 0 || p == 2 ? (float) settings.weightDecay() : 0f;
        for (int i = 0; i < param.length; i++) {
          float gi = grad[i] * inverse + decay * param[i];
          mp[i] = 0.9f * mp[i] + 0.1f * gi;
          vp[i] = 0.999f * vp[i] + 0.001f * gi * gi;
          param[i] -= rate * mp[i] / ((float) Math.sqrt(vp[i]) + 1e-8f);
        }
      }
    }
  }

  /**
   * The mean tag probabilities of an ensemble, {@code [layer][word][tag]}: each member's
   * {@link #logits} divided by {@code temperature}, through the softmax, then averaged (with CRF
   * taggers the scores are log marginals, so this raises the marginals to 1/temperature and
   * renormalizes).
   */
  public static float[][][] meanProbabilities(List<float[][][]> memberScores,
      double temperature) {
    float[][][] mean = null;
    float inverse = (float) (1 / temperature);
    for (float[][][] scores : memberScores) {
      float[][][] p = new float[scores.length][][];
      for (int l = 0; l < scores.length; l++) {
        p[l] = new float[scores[l].length][];
        for (int w = 0; w < scores[l].length; w++) {
          float[] word = scores[l][w].clone();
          for (int t = 0; t < word.length; t++) {
            word[t] *= inverse;
          }
          softmax(word, 0, word.length);
          p[l][w] = word;
        }
      }
      if (mean == null) {
        mean = p;
      } else {
        for (int l = 0; l < p.length; l++) {
          for (int w = 0; w < p[l].length; w++) {
            for (int t = 0; t < p[l][w].length; t++) {
              mean[l][w][t] += p[l][w][t];
            }
          }
        }
      }
    }
    if (memberScores.size() > 1) {
      float share = 1f / memberScores.size();
      for (float[][] layer : mean) {
        for (float[] word : layer) {
          for (int t = 0; t < word.length; t++) {
            word[t] *= share;
          }
        }
      }
    }
    return mean;
  }

  /**
   * The scores whose softmax is the tag probabilities of every word, {@code [layer][word][tag]}:
   * the output layer's raw scores, or with a CRF the log of each word's tag marginals (the
   * probability of the tag summed over every legal path of the text).
   */
  public float[][][] logits(float[][] words) {
    float[][][] raw = rawScores(words);
    if (chain == null || words.length == 0) {
      return raw;
    }
    float[][][] out = new float[tagCounts.length][][];
    for (int layer = 0; layer < tagCounts.length; layer++) {
      double[][] marginals = chain.marginals(raw[layer], 0, layer);
      out[layer] = new float[words.length][tagCounts[layer]];
      for (int w = 0; w < words.length; w++) {
        for (int t = 0; t < tagCounts[layer]; t++) {
          out[layer][w][t] = (float) Math.max(-1e4, Math.log(marginals[w][t]));
        }
      }
    }
    return out;
  }

  /** The output layer's scores of every word's tags, {@code [layer][word][tag]}. */
  private float[][][] rawScores(float[][] words) {
    float[][] input = standardize(words);
    float[][][] out = new float[tagCounts.length][words.length][];
    float[] x = new float[w1.length / hidden];
    float[] h = new float[hidden];
    float[] logits = new float[outputs];
    for (int w = 0; w < words.length; w++) {
      window(input, w, x);
      hiddenLayer(x, h);
      outputLayer(h, logits);
      int offset = 0;
      for (int layer = 0; layer < tagCounts.length; layer++) {
        out[layer][w] = Arrays.copyOfRange(logits, offset, offset + tagCounts[layer]);
        offset += tagCounts[layer];
      }
    }
    return out;
  }

  private float[][] standardize(float[][] words) {
    float[][] out = new float[words.length][dimension];
    for (int w = 0; w < words.length; w++) {
      if (words[w].length != dimension) {
        throw new IllegalArgumentException("a word state has " + words[w].length
            + " values; this tagger was trained on " + dimension);
      }
      for (int d = 0; d < dimension; d++) {
        out[w][d] = (words[w][d] - mean[d]) * inverseSpread[d];
      }
    }
    return out;
  }

  private void window(float[][] words, int center, float[] x) {
    for (int k = -context; k <= context; k++) {
      int w = center + k;
      int offset = (k + context) * dimension;
      if (w < 0 || w >= words.length) {
        Arrays.fill(x, offset, offset + dimension, 0f);
      } else {
        System.arraycopy(words[w], 0, x, offset, dimension);
      }
    }
  }

  private void hiddenLayer(float[] x, float[] h) {
    System.arraycopy(b1, 0, h, 0, hidden);
    // Four input rows per pass over h: one load and store of h[j] per four products instead of
    // one per product, which is what bounded this loop (about 90% of tagging time). The terms
    // are still added to h[j] one at a time in input order, and Java rounds each product and
    // sum as written (no fused multiply-add), so the result is the row-by-row one; a zero input
    // adds a zero.
    int i = 0;
    for (; i + 3 < x.length; i += 4) {
      float x0 = x[i];
      float x1 = x[i + 1];
      float x2 = x[i + 2];
      float x3 = x[i + 3];
      if (x0 == 0 && x1 == 0 && x2 == 0 && x3 == 0) {
        continue; // the zero padding past a text's ends
      }
      int r0 = i * hidden;
      int r1 = r0 + hidden;
      int r2 = r1 + hidden;
      int r3 = r2 + hidden;
      for (int j = 0; j < hidden; j++) {
        h[j] = h[j] + x0 * w1[r0 + j] + x1 * w1[r1 + j] + x2 * w1[r2 + j] + x3 * w1[r3 + j];
      }
    }
    for (; i < x.length; i++) {
      float xi = x[i];
      if (xi != 0) {
        int row = i * hidden;
        for (int j = 0; j < hidden; j++) {
          h[j] += xi * w1[row + j];
        }
      }
    }
    for (int j = 0; j < hidden; j++) {
      h[j] = Math.max(0, h[j]);
    }
  }

  private void outputLayer(float[] h, float[] logits) {
    System.arraycopy(b2, 0, logits, 0, outputs);
    for (int j = 0; j < hidden; j++) {
      float hj = h[j];
      if (hj != 0) {
        int row = j * outputs;
        for (int o = 0; o < outputs; o++) {
          logits[o] += hj * w2[row + o];
        }
      }
    }
  }

  private static void softmax(float[] values, int offset, int count) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = offset; i < offset + count; i++) {
      max = Math.max(max, values[i]);
    }
    float sum = 0;
    for (int i = offset; i < offset + count; i++) {
      values[i] = (float) Math.exp(values[i] - max);
      sum += values[i];
    }
    for (int i = offset; i < offset + count; i++) {
      values[i] /= sum;
    }
  }

  private static float[][] zerosLike(float[][] arrays) {
    float[][] out = new float[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = new float[arrays[i].length];
    }
    return out;
  }

  private static void addInto(float[] into, float[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  private static void shuffle(Object[] array, RandomGenerator random) {
    for (int i = array.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Object swap = array[i];
      array[i] = array[j];
      array[j] = swap;
    }
  }

  public int dimension() {
    return dimension;
  }

  public int context() {
    return context;
  }

  public int hidden() {
    return hidden;
  }

  public int[] tagCounts() {
    return tagCounts.clone();
  }

  /** Whether each tagging layer is a linear-chain CRF. */
  public boolean crf() {
    return chain != null;
  }

  /**
   * The parameters in save order: mean, inverse spread, w1, b1, w2, b2, and with a CRF its
   * transition, start and end scores (not copies).
   */
  public List<float[]> parameters() {
    return chain == null ? List.of(mean, inverseSpread, w1, b1, w2, b2)
        : List.of(mean, inverseSpread, w1, b1, w2, b2, chain.scores());
  }
}
