package io.sluice.inference.extract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entity-level precision, recall and F1 of predicted spans against gold ones, as MaintIE and
 * SpERT report them: an entity counts as found only with exactly the gold span (and, for the
 * typed score, the gold type at the chosen hierarchy level). Per text, spans are sets: two gold
 * entities that become the same span and type at a coarse level count once.
 *
 * @param level the hierarchy level types were cut to (1 = the five top classes)
 * @param typed micro-averaged over every entity, span and type must match
 * @param untyped span alone must match
 * @param perClass the typed score of each gold or predicted type, in first-seen order
 */
public record EntityScores(int level, Score typed, Score untyped, Map<String, Score> perClass) {

  /**
   * Counts for one score.
   *
   * @param gold entities in the gold annotations
   * @param predicted entities predicted
   * @param correct predicted entities that are gold
   */
  public record Score(int gold, int predicted, int correct) {

    public double precision() {
      return predicted == 0 ? 0 : (double) correct / predicted;
    }

    public double recall() {
      return gold == 0 ? 0 : (double) correct / gold;
    }

    public double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    Score plus(int g, int p, int c) {
      return new Score(gold + g, predicted + p, correct + c);
    }
  }

  public EntityScores {
    perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
  }

  /**
   * Scores predictions against gold texts, both cut to {@code level}.
   *
   * @param predicted the predicted spans of each gold text, in the same order
   */
  public static EntityScores score(List<AnnotatedText> gold, List<List<EntitySpan>> predicted,
      int level) {
    if (gold.size() != predicted.size()) {
      throw new IllegalArgumentException(gold.size() + " gold texts but predictions for "
          + predicted.size());
    }
    Score typed = new Score(0, 0, 0);
    Score untyped = new Score(0, 0, 0);
    Map<String, Score> perClass = new LinkedHashMap<>();
    for (int i = 0; i < gold.size(); i++) {
      Set<EntitySpan> g = cut(gold.get(i).entities(), level);
      Set<EntitySpan> p = cut(predicted.get(i), level);
      Set<EntitySpan> hit = new HashSet<>(g);
      hit.retainAll(p);
      typed = typed.plus(g.size(), p.size(), hit.size());
      Set<List<Integer>> gs = spans(g);
      Set<List<Integer>> ps = spans(p);
      Set<List<Integer>> spanHit = new HashSet<>(gs);
      spanHit.retainAll(ps);
      untyped = untyped.plus(gs.size(), ps.size(), spanHit.size());
      for (EntitySpan e : g) {
        perClass.merge(e.type(), new Score(1, 0, hit.contains(e) ? 1 : 0), EntityScores::sum);
      }
      for (EntitySpan e : p) {
        perClass.merge(e.type(), new Score(0, 1, 0), EntityScores::sum);
      }
    }
    return new EntityScores(level, typed, untyped, perClass);
  }

  /** Scores extraction results against gold texts (same order). */
  public static EntityScores scoreResults(List<AnnotatedText> gold, List<EntityResult> results,
      int level) {
    List<List<EntitySpan>> predicted = new ArrayList<>(results.size());
    for (EntityResult r : results) {
      predicted.add(r.entities().stream().map(Entity::span).toList());
    }
    return score(gold, predicted, level);
  }

  private static Score sum(Score a, Score b) {
    return a.plus(b.gold(), b.predicted(), b.correct());
  }

  private static Set<EntitySpan> cut(List<EntitySpan> spans, int level) {
    Set<EntitySpan> out = new LinkedHashSet<>();
    for (EntitySpan e : spans) {
      out.add(new EntitySpan(e.start(), e.end(), EntityTypes.atLevel(e.type(), level)));
    }
    return out;
  }

  private static Set<List<Integer>> spans(Set<EntitySpan> spans) {
    Set<List<Integer>> out = new HashSet<>();
    for (EntitySpan e : spans) {
      out.add(List.of(e.start(), e.end()));
    }
    return out;
  }
}
