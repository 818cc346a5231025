package io.sluice.runtime.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's own logic: shared prefixes, stop strings held back in streams, chat templates. */
class OpenAiInternalsTest {

  static int[] ids(int from, int to) {
    return IntStream.range(from, to).toArray();
  }

  @Test
  void aSharedBeginningBecomesAPrefixOfWholeBlocks() {
    SharedPrefixes prefixes = new SharedPrefixes(4);
    int[] first = ids(0, 50);
    assertThat(prefixes.prefixLength(first)).isZero();
    int[] second = ids(0, 60);
    second[40] = 999;                               // shares 40 tokens with the first
    assertThat(prefixes.prefixLength(second)).isEqualTo(32);
    assertThat(prefixes.prefixLength(ids(500, 520))).isZero();
    // never the whole prompt: at least one token is left to run
    assertThat(prefixes.prefixLength(ids(0, 32))).isEqualTo(16);
  }

  @Test
  void olderPromptsAreForgotten() {
    SharedPrefixes prefixes = new SharedPrefixes(1);
    prefixes.prefixLength(ids(0, 40));
    prefixes.prefixLength(ids(100, 140));
    assertThat(prefixes.prefixLength(ids(0, 40))).isZero();
  }

  @Test
  void streamsNeverSendAStopStringOrTheTextAfterIt() {
    StreamedText streamed = new StreamedText(List.of("END"));
    StringBuilder sent = new StringBuilder();
    for (String delta : List.of("pump ", "se", "al E", "N", "D and more")) {
      sent.append(streamed.accept(delta));
    }
    assertThat(sent.toString()).isEqualTo("pump seal ");
    sent.append(streamed.finish("pump seal "));
    assertThat(sent.toString()).isEqualTo("pump seal ");
  }

  @Test
  void heldBackTextIsSentOnceItCannotStartAStop() {
    StreamedText streamed = new StreamedText(List.of("###"));
    assertThat(streamed.accept("a#")).isEqualTo("");
    assertThat(streamed.accept("b")).isEqualTo("a");
    assertThat(streamed.finish("a#b")).isEqualTo("#b");
    StreamedText free = new StreamedText(List.of());
    assertThat(free.accept("x")).isEqualTo("x");
  }

  @Test
  void chatTemplatesAreRecognisedFromTheTokenizerConfig(@TempDir Path dir) throws Exception {
    List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "Be brief."),
        new ChatTemplate.Message("user", "pump seal?"));
    Path qwen = Files.createDirectories(dir.resolve("qwen"));
    Files.writeString(qwen.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for m in"
        + " messages %}<|im_start|>{{ m.role }}\\n{{ m.content }}<|im_end|>{% endfor %}\"}");
    ChatTemplate chatml = ChatTemplate.of(qwen);
    assertThat(chatml.style()).isEqualTo(ChatTemplate.Style.CHATML);
    assertThat(chatml.render(chat)).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n"
        + "<|im_start|>user\npump seal?<|im_end|>\n<|im_start|>assistant\n");
    assertThat(chatml.stops()).containsExactly("<|im_end|>");

    Path llama = Files.createDirectories(dir.resolve("llama"));
    Files.writeString(llama.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"<|start_header_id|>{{ role }}<|end_header_id|>\"}");
    assertThat(ChatTemplate.of(llama).render(chat)).startsWith("<|begin_of_text|>"
        + "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>")
        .endsWith("<|start_header_id|>assistant<|end_header_id|>\n\n");

    ChatTemplate plain = ChatTemplate.of(dir.resolve("none"));
    assertThat(plain.style()).isEqualTo(ChatTemplate.Style.PLAIN);
    assertThat(plain.render(List.of(new ChatTemplate.Message("user", "check the"))))
        .isEqualTo("check the");
    assertThat(plain.render(chat)).isEqualTo("System: Be brief.\nUser: pump seal?\nAssistant:");
  }
}
