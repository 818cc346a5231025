package io.sluice.topology;

import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.Extraction;
import io.sluice.operators.extract.ModelFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake entity model for topology tests: every word found in its word list is an entity of the
 * listed type (confidence 0.9); a text holding a word it does not know ("?" in it) is uncertain
 * (confidence 0.2), any other 0.95. Records every batch it was given.
 */
final class WordListEntityModel implements EntityModel {

  private static final Pattern WORD = Pattern.compile("\\S+");

  final List<List<String>> batches = new ArrayList<>();
  private final Map<String, String> types;

  WordListEntityModel(Map<String, String> types) {
    this.types = types;
  }

  static EntityModels factory(List<WordListEntityModel> created, Map<String, String> types) {
    return (model, extract, baseDir) -> {
      WordListEntityModel m = new WordListEntityModel(types);
      created.add(m);
      return m;
    };
  }

  @Override
  public String name() {
    return "word-list";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public int countTokens(String text) {
    return text.split("\\s+").length + 2;
  }

  @Override
  public synchronized List<ModelFields> extract(List<String> texts) {
    batches.add(List.copyOf(texts));
    List<ModelFields> out = new ArrayList<>();
    for (String text : texts) {
      List<Extraction> fields = new ArrayList<>();
      Matcher m = WORD.matcher(text);
      while (m.find()) {
        String type = types.get(m.group().toLowerCase(Locale.ROOT));
        if (type != null) {
          fields.add(new Extraction(type, m.group(), m.start(), m.end(), 0.9));
        }
      }
      out.add(new ModelFields(fields, text.contains("?") ? 0.2 : 0.95));
    }
    return out;
  }
}
