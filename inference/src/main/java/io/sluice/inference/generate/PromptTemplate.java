package io.sluice.inference.generate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A versioned prompt with {@code {{field}}} placeholders filled from each record. Everything
 * before the first placeholder is the static prefix (instructions, few-shot examples); its model
 * state is computed once per model version and reused for every record, so put what is shared
 * first and end the prefix at a natural token boundary such as a newline (the prefix and the rest
 * are tokenized separately).
 *
 * @param id names the prompt in results and logs
 * @param version changes whenever the text changes, so results say which prompt made them
 * @param text the template, e.g. {@code "Extract the asset as JSON.\nOrder: {{input}}\nJSON:"}
 */
public record PromptTemplate(String id, String version, String text) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  public PromptTemplate {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("A prompt template needs an id");
    }
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("Prompt template '" + id + "' needs a version");
    }
    if (text == null || !PLACEHOLDER.matcher(text).find()) {
      throw new IllegalArgumentException("Prompt template '" + id + "' has no {{field}}"
          + " placeholder; records could not change the prompt");
    }
  }

  /** The names of the placeholders, in order of first use. */
  public Set<String> fields() {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The text before the first placeholder. */
  public String staticPrefix() {
    Matcher m = PLACEHOLDER.matcher(text);
    m.find();
    return text.substring(0, m.start());
  }

  /** The text from the first placeholder on, filled from {@code record}. */
  public String renderRest(Map<String, String> record) {
    Matcher m = PLACEHOLDER.matcher(text);
    m.find();
    StringBuilder out = new StringBuilder();
    int at = m.start();
    List<String> missing = new ArrayList<>();
    do {
      out.append(text, at, m.start());
      String value = record.get(m.group(1));
      if (value == null) {
        missing.add(m.group(1));
      } else {
        out.append(value);
      }
      at = m.end();
    } while (m.find());
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("Prompt template '" + id + "' v" + version
          + ": the record has no field " + missing + " (record fields: " + record.keySet() + ")");
    }
    out.append(text.substring(at));
    return out.toString();
  }

  /** The whole prompt for {@code record}. */
  public String render(Map<String, String> record) {
    return staticPrefix() + renderRest(record);
  }

  /** Token ids of the static prefix and of the rest, for a request. */
  Tokens tokens(DecoderTokenizer tokenizer, Map<String, String> record) {
    String prefix = staticPrefix();
    return new Tokens(prefix.isEmpty() ? new int[0] : tokenizer.encode(prefix),
        tokenizer.encode(renderRest(record)));
  }

  record Tokens(int[] prefix, int[] rest) {}
}
