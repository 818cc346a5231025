package io.sluice.inference.generate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Opens both tiny decoders (fp32, one thread) once per test class and closes them after; the
 * class is skipped when ../shared/models is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TinyModelTest {

  CausalLm decoder;
  CausalLm draft;

  @BeforeAll
  void openModels() {
    TinyModels.folder(TinyModels.DECODER);
    decoder = TinyModels.open(TinyModels.DECODER);
    draft = TinyModels.open(TinyModels.DRAFT);
  }

  @AfterAll
  void closeModels() {
    if (decoder != null) {
      decoder.close();
    }
    if (draft != null) {
      draft.close();
    }
  }

  CausalLm model(String name) {
    return name.equals(TinyModels.DECODER) ? decoder : draft;
  }
}
