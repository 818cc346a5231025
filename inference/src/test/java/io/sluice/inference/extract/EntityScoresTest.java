package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntityScoresTest {

  private static final AnnotatedText AIR_HORN = new AnnotatedText(
      Words.of(List.of("<id>", "air", "horn", "not", "working")), List.of(
          new EntitySpan(1, 3, "PhysicalObject/PresentingObject/AcousticDevice"),
          new EntitySpan(2, 3, "PhysicalObject/PresentingObject/AcousticDevice"),
          new EntitySpan(3, 5, "State/UndesirableState/FailedState")));

  @Test
  void countsExactSpansAndTypesAtTheLevel() {
    List<EntitySpan> predicted = List.of(
        new EntitySpan(1, 3, "PhysicalObject"),     // right
        new EntitySpan(3, 5, "Activity"),           // right span, wrong type
        new EntitySpan(4, 5, "State"));             // wrong span

    EntityScores scores = EntityScores.score(List.of(AIR_HORN), List.of(predicted), 1);

    assertThat(scores.typed()).isEqualTo(new EntityScores.Score(3, 3, 1));
    assertThat(scores.untyped()).isEqualTo(new EntityScores.Score(3, 3, 2));
    assertThat(scores.typed().f1()).isCloseTo(1.0 / 3, within(1e-9));
    assertThat(scores.untyped().f1()).isCloseTo(2.0 / 3, within(1e-9));
    assertThat(scores.perClass().get("PhysicalObject"))
        .isEqualTo(new EntityScores.Score(2, 1, 1));
    assertThat(scores.perClass().get("State")).isEqualTo(new EntityScores.Score(1, 1, 0));
    assertThat(scores.perClass().get("Activity")).isEqualTo(new EntityScores.Score(0, 1, 0));
  }

  @Test
  void deeperLevelsNeedTheFinerType() {
    List<EntitySpan> predicted = List.of(new EntitySpan(3, 5, "State/UndesirableState"));

    assertThat(EntityScores.score(List.of(AIR_HORN), List.of(predicted), 2).typed().correct())
        .isEqualTo(1);
    assertThat(EntityScores.score(List.of(AIR_HORN), List.of(predicted), 3).typed().correct())
        .isZero();
  }

  @Test
  void nothingPredictedScoresZeroNotNaN() {
    EntityScores scores = EntityScores.score(List.of(AIR_HORN), List.of(List.of()), 1);
    assertThat(scores.typed().precision()).isZero();
    assertThat(scores.typed().f1()).isZero();
  }
}
