package io.sluice.inference.internal.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.inference.ActivationRange;
import io.sluice.inference.ModelBundle;
import io.sluice.inference.OnnxSession;
import io.sluice.inference.SessionSettings;
import io.sluice.inference.internal.onnx.ProtoWire.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QuantizationRewriterTest {

  private static byte[] model;

  @BeforeAll
  static void load() {
    model = ModelBundle.load(ModelBundle.DEFAULT).model();
  }

  @Test
  void readsAndWritesTheModelByteForByte() {
    assertThat(ProtoWire.encode(ProtoWire.parse(model))).isEqualTo(model);
  }

  @Test
  void encodesVarintsStringsAndNestedMessages() {
    byte[] inner = ProtoWire.encode(List.of(Field.varint(1, 300), Field.string(2, "ünïcode")));
    byte[] outer = ProtoWire.encode(List.of(Field.bytes(7, inner), Field.varint(3, -1L)));

    List<Field> fields = ProtoWire.parse(outer);

    assertThat(fields.get(0).message().get(0).value()).isEqualTo(300);
    assertThat(fields.get(0).message().get(1).text()).isEqualTo("ünïcode");
    assertThat(fields.get(1).value()).isEqualTo(-1L);
    assertThatThrownBy(() -> ProtoWire.parse(new byte[] {0x0a, 0x05, 0x01}))
        .hasMessageContaining("runs past the end");
  }

  @Test
  void findsTheDynamicQuantizersOfAllMiniLm() {
    List<QuantizationRewriter.DynamicQuantizer> quantizers =
        QuantizationRewriter.dynamicQuantizers(model);

    assertThat(quantizers).hasSize(24);
    assertThat(quantizers.get(0).input()).isEqualTo("/embeddings/LayerNorm/Add_1_output_0");
  }

  @Test
  void replacesEveryDynamicQuantizerAndTheResultLoads() {
    Map<String, ActivationRange> ranges = new HashMap<>();
    QuantizationRewriter.dynamicQuantizers(model)
        .forEach(q -> ranges.put(q.input(), new ActivationRange(-10, 30)));

    byte[] rewritten = QuantizationRewriter.toStaticQuantization(model, ranges);

    assertThat(QuantizationRewriter.dynamicQuantizers(rewritten)).isEmpty();
    try (OnnxSession session = OnnxSession.open("static", rewritten, SessionSettings.threads(1))) {
      assertThat(session.outputNames()).containsExactly("last_hidden_state");
    }
  }

  @Test
  void namesTheTensorWithoutARange() {
    assertThatThrownBy(() -> QuantizationRewriter.toStaticQuantization(model, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/embeddings/LayerNorm/Add_1_output_0");
  }

  @Test
  void recoversTheRangeFromScaleAndZeroPoint() {
    ActivationRange range = QuantizationRewriter.rangeOf(0.1f, 50);

    assertThat(range.min()).isCloseTo(-5.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(range.max()).isCloseTo(20.5, org.assertj.core.data.Offset.offset(1e-5));
  }
}
