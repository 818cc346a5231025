package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.MODEL_REF;
import static io.sluice.topology.internal.FormatTypes.NAME_TYPE;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Scalars.integer;
import static io.sluice.topology.internal.schema.Scalars.number;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.string;

import io.sluice.operators.extract.EntityModel;
import io.sluice.operators.extract.ExtractProcessor;
import io.sluice.operators.extract.FieldExtractor;
import io.sluice.operators.extract.PatternExtractor;
import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The extract step: fields from patterns and gazetteers, entities from a model. */
final class ExtractKind implements StepKind<Step.Extract> {

  static final ObjectType<Step.Extract> SHAPE = ObjectType.builder("ExtractStep",
          "Extracts fields (measurements, part numbers, equipment ids, terms) from the text.")
      .optional("patterns",
          listOf(oneOf(PatternExtractor.builtInPatterns().toArray(String[]::new)), 0),
          List.of(), "[]", "Built-in patterns; see docs/routing.md for what each matches.")
      .optional("custom", Composites.mapOf(NAME_TYPE, string("a Java regular expression"), 0),
          Map.of(), "{}", "Your own patterns: field name to regular expression (a group named"
              + " 'value' selects the value).")
      .optional("gazetteers", Composites.mapOf(NAME_TYPE, listOf(string("a term"), 1), 0),
          Map.of(), "{}", "Term lists: field name to terms, matched as whole words.")
      .optional("model", MODEL_REF, null, null, "A model declared under models that finds"
          + " entities (optional); each entity becomes a field named by its type, and the field"
          + " 'extraction' says how sure the model is of the whole text. See docs/extraction.md.")
      .optional("modelType", oneOf(Step.Extract.TRAINED_HEAD, Step.Extract.TOKEN_CLASSIFIER),
          Step.Extract.TRAINED_HEAD, Step.Extract.TRAINED_HEAD, "trained-head: a tagger trained"
              + " on the gateway over the model's word states, from trainFile (the model is an"
              + " encoder bundle); token-classifier: the model is an ONNX token classifier (BIO or"
              + " IOBES labels).")
      .optional("trainFile", string("a file path"), null, null, "trained-head: labelled texts in"
          + " MaintIE's JSON format ({tokens, entities: [{start, end, type}]}), relative to this"
          + " file.")
      .optional("headFile", string("a file path"), null, "train at every start", "trained-head:"
          + " where the trained head is kept, relative to this file; loaded when it exists and"
          + " was trained on the same model, else trained and saved there.")
      .optional("level", integer(1, 16), 1, "1", "trained-head: the type hierarchy level"
          + " entities are typed at (types are cut after this many '/' parts; 1 = top classes).")
      .optional("layers", listOf(integer(0, 48), 0), List.of(), "[2, 3, 4, 5]",
          "trained-head: the encoder layers whose word states are averaged (0 = embeddings; the"
              + " default suits all-MiniLM-L6-v2's six layers; for bge-small-en-v1.5 [5, 6, 7, 8]"
              + " measured best, see docs/extraction.md).")
      .optional("ensemble", integer(1, 9), 1, "1", "trained-head: taggers trained from"
          + " consecutive seeds whose tag probabilities are averaged; steadier and a little more"
          + " accurate, at the cost of training time and throughput (3 with bge-small-en-v1.5 and"
          + " layers [5, 6, 7, 8] measured best, see docs/extraction.md).")
      .optional("uncertainBelow", number(0, 1), 0.5, "0.5", "A text whose model confidence"
          + " (the lowest probability of any word's tag) is below this gets"
          + " extraction = uncertain.")
      .check((v, reader) -> {
        boolean trained = Step.Extract.TRAINED_HEAD.equals(v.get("modelType"));
        if (v.get("model") == null) {
          for (String key : List.of("modelType", "trainFile", "headFile", "level", "layers",
              "ensemble", "uncertainBelow")) {
            if (v.present(key)) {
              reader.error(v.node(key), "'" + key + "' needs a model",
                  "add model: <a model under models>");
            }
          }
        } else if (trained && v.get("trainFile") == null && v.get("headFile") == null) {
          reader.error(v.node(), "a trained-head extractor needs trainFile (or a saved"
              + " headFile)", "add trainFile: <labelled texts in MaintIE's JSON format>");
        } else if (!trained) {
          for (String key : List.of("trainFile", "headFile", "level", "layers", "ensemble")) {
            if (v.present(key)) {
              reader.error(v.node(key), "'" + key + "' belongs to modelType trained-head",
                  "remove it: a token classifier brings its own labels");
            }
          }
        }
        if (v.get("model") != null) {
          List<String> names = new ArrayList<>(v.<Map<String, String>>get("custom")
              .keySet());
          names.addAll(v.<Map<String, List<String>>>get("gazetteers").keySet());
          if (names.contains(FieldExtractor.SUMMARY_FIELD)) {
            reader.error(v.node(), "the field name '"
                + FieldExtractor.SUMMARY_FIELD + "' is taken by the"
                + " model's summary field", "rename the pattern or gazetteer");
          }
        }
      })
      .build(v -> new Step.Extract(v.get("patterns"), v.get("custom"), v.get("gazetteers"),
          v.get("model"), v.get("modelType"), v.get("trainFile"), v.get("headFile"),
          v.get("level"), v.get("layers"), v.get("ensemble"), v.get("uncertainBelow"),
          line(v)));

  @Override
  public String name() {
    return "extract";
  }

  @Override
  public Class<Step.Extract> stepType() {
    return Step.Extract.class;
  }

  @Override
  public ObjectType<Step.Extract> shape() {
    return SHAPE;
  }

  @Override
  public Optional<String> model(Step.Extract step) {
    return Optional.ofNullable(step.model());
  }

  /** Patterns alone run record by record; with a model, through the batched buffer. */
  @Override
  public Optional<StepOperator> operator(Step.Extract step, StepContext context) {
    if (step.model() == null) {
      return Optional.of((topology, name, parent) -> topology.addProcessor(name,
          () -> new ExtractProcessor(step.patterns(), step.custom(), step.gazetteers(),
              context.registry(), context.pipeline().name()), parent));
    }
    EntityModel model = context.entityModels().create(
        context.spec().models().get(step.model()), step, context.baseDir());
    FieldExtractor extractor = new FieldExtractor(ExtractProcessor.patternExtractor(
        step.patterns(), step.custom(), step.gazetteers()), model, step.uncertainBelow());
    return Optional.of((topology, name, parent) ->
        context.addModelExtract(topology, name, extractor, parent));
  }
}
