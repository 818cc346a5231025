package io.sluice.lab.eval.learning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.LabelledText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayDataTest {

  @TempDir Path folder;

  /** Ten intents, five training and two validation examples each. */
  private static List<LabelledText> examples(String kind, int each) {
    List<LabelledText> out = new ArrayList<>();
    for (int n = 0; n < each; n++) {
      for (int i = 0; i < 10; i++) {
        out.add(new LabelledText(kind + " text " + n + " of intent " + i, "intent-" + i));
      }
    }
    return out;
  }

  @Test
  void theGatewayNeverSeesAWithheldIntentAndTheCloudSeesThemAll() {
    ReplayData data = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 4, 20, 7);

    assertThat(data.withheld()).hasSize(3).isSorted();
    Set<String> gatewayIntents = data.gatewayTraining().stream().map(LabelledText::label)
        .collect(Collectors.toSet());
    assertThat(gatewayIntents).hasSize(7).doesNotContainAnyElementsOf(data.withheld());
    assertThat(data.cloudTraining()).hasSize(40);
    assertThat(data.gatewayTraining()).hasSize(28);
    // The first four of each intent, in file order.
    assertThat(data.cloudTraining()).noneMatch(t -> t.text().startsWith("train text 4"));
    assertThat(data.stream()).hasSize(20).doesNotHaveDuplicates();
    assertThat(data.isWithheld(data.withheld().get(0))).isTrue();
    assertThat(data.isWithheld(data.gatewayTraining().get(0).label())).isFalse();
  }

  @Test
  void theSameSeedGivesTheSameCutAndAnotherSeedAnother() {
    ReplayData a = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 4, 20, 7);
    ReplayData b = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 4, 20, 7);
    ReplayData c = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 4, 20, 8);

    assertThat(b).isEqualTo(a);
    assertThat(c.stream()).isNotEqualTo(a.stream());
  }

  @Test
  void moreRecordsThanTheValidationFileHoldsArePassesOverIt() {
    ReplayData data = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 4, 50, 7);

    assertThat(data.stream()).hasSize(50);
    assertThat(data.stream().subList(0, 20)).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(data.stream().subList(20, 40));
  }

  @Test
  void writesBothTrainingFilesAsJsonLines() throws Exception {
    ReplayData data = ReplayData.cut(examples("train", 5), examples("val", 2), 3, 2, 5, 7);

    data.writeTrainingFiles(folder);

    assertThat(Files.readAllLines(folder.resolve(ReplayData.GATEWAY_FILE))).hasSize(14)
        .allSatisfy(line -> assertThat(line).contains("\"text\"").contains("\"label\""));
    assertThat(Files.readAllLines(folder.resolve(ReplayData.CLOUD_FILE))).hasSize(20);
  }

  @Test
  void refusesSettingsThatDoNotFitTheData() {
    assertThatThrownBy(() -> ReplayData.cut(examples("train", 5), examples("val", 2), 10, 4,
        20, 7)).hasMessageContaining("--withheld must be between 1 and 9");
    assertThatThrownBy(() -> ReplayData.cut(examples("train", 5), examples("val", 2), 3, 0,
        20, 7)).hasMessageContaining("--train-per-intent");
    assertThatThrownBy(() -> ReplayData.load(folder, 3, 4, 20, 7))
        .hasMessageContaining("No train.jsonl in " + folder);
  }
}
