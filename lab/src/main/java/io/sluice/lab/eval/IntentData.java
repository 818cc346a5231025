package io.sluice.lab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.inference.LabelledText;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An intent data set in CLINC150's JSON-lines layout ({@code {"text": ..., "label": ...}} a
 * line): in-scope examples and out-of-scope texts (label {@value #OUT_OF_SCOPE}).
 */
public record IntentData(List<LabelledText> inScope, List<String> outOfScope) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String OUT_OF_SCOPE = "oos";

  public IntentData {
    inScope = List.copyOf(inScope);
    outOfScope = List.copyOf(outOfScope);
  }

  /** Reads the files that exist; a missing file reads as empty. */
  public static IntentData read(Path... files) {
    List<LabelledText> inScope = new ArrayList<>();
    List<String> outOfScope = new ArrayList<>();
    for (Path file : files) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (NoSuchFileException e) {
        continue;
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
      }
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (IOException e) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": not JSON: "
              + e.getMessage());
        }
        JsonNode text = node.get("text");
        JsonNode label = node.get("label");
        if (text == null || !text.isTextual() || label == null || !label.isTextual()) {
          throw new IllegalArgumentException(file + ":" + (i + 1)
              + ": expected {\"text\": string, \"label\": string}, got " + line);
        }
        if (OUT_OF_SCOPE.equals(label.asText())) {
          outOfScope.add(text.asText());
        } else {
          inScope.add(new LabelledText(text.asText(), label.asText()));
        }
      }
    }
    return new IntentData(inScope, outOfScope);
  }

  public int size() {
    return inScope.size() + outOfScope.size();
  }

  /** Every {@code parts}-th record from {@code part} on, of both kinds. */
  public IntentData part(int part, int parts) {
    List<LabelledText> in = new ArrayList<>();
    for (int i = part; i < inScope.size(); i += parts) {
      in.add(inScope.get(i));
    }
    List<String> out = new ArrayList<>();
    for (int i = part; i < outOfScope.size(); i += parts) {
      out.add(outOfScope.get(i));
    }
    return new IntentData(in, out);
  }

  public IntentData plusOutOfScope(List<String> more) {
    List<String> out = new ArrayList<>(outOfScope);
    out.addAll(more);
    return new IntentData(inScope, out);
  }
}
