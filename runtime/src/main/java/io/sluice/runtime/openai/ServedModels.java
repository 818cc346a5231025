package io.sluice.runtime.openai;

import io.sluice.inference.TextEncoder;
import io.sluice.inference.generate.GenerationEngine;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models an OpenAI-compatible API serves, by the name clients ask for: decoders for chat and
 * text completions, encoders for embeddings. Read at each request, so a gateway's models show as
 * soon as they are open.
 */
public interface ServedModels {

  Map<String, GenerationEngine> decoders();

  Map<String, TextEncoder> encoders();

  static ServedModels of(Supplier<Map<String, GenerationEngine>> decoders,
      Supplier<Map<String, TextEncoder>> encoders) {
    return new ServedModels() {
      @Override
      public Map<String, GenerationEngine> decoders() {
        return decoders.get();
      }

      @Override
      public Map<String, TextEncoder> encoders() {
        return encoders.get();
      }
    };
  }
}
