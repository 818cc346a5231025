package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntityCorpusTest {

  @TempDir Path dir;

  @Test
  void readsTokensAndSpans() throws IOException {
    Path file = write("""
        [{"text": "TBD", "tokens": ["connect", "wiring", "to", "radio"],
          "entities": [{"start": 0, "end": 1, "type": "Activity/X"},
                       {"start": 3, "end": 4, "type": "PhysicalObject"}],
          "relations": []}]""");

    AnnotatedText text = EntityCorpus.readMaintie(file).get(0);

    assertThat(text.words().text()).isEqualTo("connect wiring to radio");
    assertThat(text.entities()).containsExactly(new EntitySpan(0, 1, "Activity/X"),
        new EntitySpan(3, 4, "PhysicalObject"));
  }

  @Test
  void errorsNameTheFileRecordAndField() throws IOException {
    Path file = write("""
        [{"tokens": ["a"], "entities": []},
         {"tokens": ["a", "b"], "entities": [{"start": 1, "end": 3, "type": "T"}]}]""");

    assertThatThrownBy(() -> EntityCorpus.readMaintie(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("record 1")
        .hasMessageContaining("entities[0] spans tokens 1..3, outside the 2 tokens");
    assertThatThrownBy(() -> EntityCorpus.readMaintie(write("{\"tokens\": []}")))
        .hasMessageContaining("expected a JSON array");
  }

  @Test
  void readsTheTypeHierarchyOfASchemeAndCutsTypesToALevel() throws IOException {
    Path scheme = write("""
        {"entity": [
          {"name": "State", "children": [
            {"name": "UndesirableState", "children": [{"name": "FailedState", "children": []}]}]},
          {"name": "Activity", "children": []}],
         "relation": []}""");

    EntityTypes types = EntityTypes.readScheme(scheme);

    assertThat(types.all()).containsExactly("State", "State/UndesirableState",
        "State/UndesirableState/FailedState", "Activity");
    assertThat(types.atLevel(1)).containsExactly("State", "Activity");
    assertThat(types.depth()).isEqualTo(3);
    assertThat(EntityTypes.atLevel("State/UndesirableState/FailedState", 2))
        .isEqualTo("State/UndesirableState");
    assertThat(EntityTypes.atLevel("Activity", 3)).isEqualTo("Activity");
  }

  private Path write(String json) throws IOException {
    Path file = Files.createTempFile(dir, "corpus", ".json");
    Files.writeString(file, json);
    return file;
  }
}
