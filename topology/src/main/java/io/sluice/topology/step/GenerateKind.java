package io.sluice.topology.step;

import static io.sluice.topology.internal.FormatTypes.MODEL_REF;
import static io.sluice.topology.internal.FormatTypes.line;
import static io.sluice.topology.internal.schema.Composites.listOf;
import static io.sluice.topology.internal.schema.Scalars.duration;
import static io.sluice.topology.internal.schema.Scalars.integer;
import static io.sluice.topology.internal.schema.Scalars.number;
import static io.sluice.topology.internal.schema.Scalars.oneOf;
import static io.sluice.topology.internal.schema.Scalars.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.inference.generate.GenerateSpec;
import io.sluice.inference.generate.GenerationEngine;
import io.sluice.inference.generate.Generator;
import io.sluice.inference.generate.OutputConstraint;
import io.sluice.inference.generate.PromptTemplate;
import io.sluice.inference.generate.Sampling;
import io.sluice.operators.generate.GenerateProcessor;
import io.sluice.topology.internal.schema.Composites;
import io.sluice.topology.internal.schema.ObjectType;
import io.sluice.topology.spec.Model;
import io.sluice.topology.spec.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The generate step: a decoder over each text, with a versioned prompt and an output contract
 * (free text, one label of a set, or JSON conforming to an inline JSON Schema). Its operator is a
 * batched, crash-safe {@link GenerateProcessor} over the model's shared engine.
 */
final class GenerateKind implements StepKind<Step.Generate> {

  /** Placeholders a template may use besides the dotted ones. */
  static final List<String> RECORD_FIELDS =
      List.of("text", "source", "device", "eventId", "label", "confidence", "novelty");
  /** Dotted placeholders: {@code payload.<name>}, {@code attributes.<name>}, {@code fields.<name>}. */
  static final List<String> RECORD_PREFIXES = List.of("payload", "attributes", "fields");

  static final ObjectType<Step.Prompt> PROMPT = ObjectType.builder("Prompt",
          "A versioned prompt template; results carry its id and version.")
      .required("id", string("[A-Za-z0-9_.-]{1,64}", "an id of letters, digits, '_', '.' or '-'"),
          "Names the prompt in results, logs and meters.")
      .required("version", string("[A-Za-z0-9_.-]{1,32}", "a version such as 3 or 2026-12-07"),
          "Change it whenever the template changes, so results say which prompt made them.")
      .required("template", string("text with {{field}} placeholders"), "The prompt, with"
          + " {{text}}, {{source}}, {{device}}, {{eventId}}, {{label}}, {{confidence}},"
          + " {{novelty}}, {{payload.<name>}}, {{attributes.<name>}} or {{fields.<name>}}."
          + " Everything before the first placeholder is computed once per model version (the"
          + " prefix cache): put instructions and examples first, and end them with a newline.")
      .check((v, reader) -> {
        String template = v.get("template");
        if (template == null) {
          return;
        }
        try {
          PromptTemplate prompt = new PromptTemplate("check", "1", template);
          for (String field : prompt.fields()) {
            String problem = unknownField(field);
            if (problem != null) {
              reader.error(v.node("template"), problem, "known fields: "
                  + String.join(", ", RECORD_FIELDS) + ", payload.<name>, attributes.<name>,"
                  + " fields.<name>");
            }
          }
        } catch (IllegalArgumentException e) {
          reader.error(v.node("template"), "the template has no {{field}} placeholder, so every"
              + " record would get the same prompt", "add {{text}} where the record's text goes");
        }
      })
      .build(v -> new Step.Prompt(v.get("id"), v.get("version"), v.get("template")));

  static final ObjectType<Step.Generate> SHAPE = ObjectType.builder("GenerateStep",
          "Runs a decoder (a small language model) over each text: free text, one label of a"
              + " set, or JSON conforming to a schema. See docs/generate.md.")
      .required("model", MODEL_REF, "A decoder declared under models (an export folder or a"
          + " causal-lm bundle).")
      .required("prompt", PROMPT, "The prompt template and its version.")
      .optional("labels", listOf(string("a label"), 2), List.of(), "[]", "The output is one of"
          + " these labels, chosen by label scoring (each label's likelihood after the prompt);"
          + " the model needs its tokenizer.json.")
      .optional("schema", Composites.json("a JSON Schema, written in YAML"), null, null,
          "The output is JSON that conforms to this schema (constrained decoding): type,"
              + " properties, required, additionalProperties, items, min/maxItems, min/maxLength,"
              + " enum, const, anyOf. Routing reads its properties as generate.<name>.")
      .optional("stop", listOf(string("text"), 1), List.of(), "[]",
          "Free text ends before the first of these.")
      .optional("maxNewTokens", integer(1, 4096), 64, "64",
          "At most this many generated tokens per record.")
      .optional("deadline", duration(), null, "none", "A record's generation gives up after"
          + " this long: no output, finish reason deadline, generate.valid false.")
      .optional("tooLong", oneOf(Step.Generate.TRUNCATE, Step.Generate.DEAD_LETTER),
          Step.Generate.TRUNCATE, Step.Generate.TRUNCATE, "A prompt too long for the model:"
              + " truncate cuts the longest field until it fits and sets generate.truncated;"
              + " dlq sends the record to the dead-letter topic with the reason.")
      .optional("temperature", number(0, 2), 0.0, "0", "0 decodes greedily (the same output"
          + " every time); above 0 samples with topP and seed.")
      .optional("topP", number(0.01, 1), 1.0, "1", "Nucleus sampling: the smallest set of"
          + " tokens whose probability reaches this.")
      .optional("seed", integer(0, Integer.MAX_VALUE), 0, "0", "Seed of sampling; each record"
          + " draws from its own generator, so outputs do not depend on batching.")
      .check((v, reader) -> {
        boolean labels = !v.<List<String>>get("labels").isEmpty();
        if (labels && v.get("schema") != null) {
          reader.error(v.node("schema"), "give labels or a schema, not both",
              "labels pick one of a set; a schema shapes JSON");
        }
        if (labels && !v.<List<String>>get("stop").isEmpty()) {
          reader.error(v.node("stop"), "stop applies to free text, not to a label set",
              "remove stop");
        }
        JsonNode schema = v.get("schema");
        if (schema != null) {
          try {
            OutputConstraint constraint = OutputConstraint.jsonSchema(schema);
            int budget = v.get("maxNewTokens");
            if (constraint.minimumBytes() > budget) {
              reader.error(v.node("maxNewTokens"), "the schema's shortest output needs "
                  + constraint.minimumBytes() + " tokens but maxNewTokens is " + budget,
                  "raise maxNewTokens to at least " + constraint.minimumBytes());
            }
          } catch (IllegalArgumentException e) {
            reader.error(v.node("schema"), "the schema cannot be enforced: " + e.getMessage(),
                "see docs/generate.md for the JSON Schema keywords the decoder can enforce");
          }
        }
      })
      .build(v -> new Step.Generate(v.get("model"), v.get("prompt"), v.get("labels"),
          v.get("schema") == null ? null : v.<JsonNode>get("schema").toString(), v.get("stop"),
          v.get("maxNewTokens"), v.get("deadline"), v.get("tooLong"), v.get("temperature"),
          v.get("topP"), v.<Integer>get("seed"), line(v)));

  /** Why a placeholder names nothing a record has; null when it is fine. */
  static String unknownField(String field) {
    int dot = field.indexOf('.');
    if (dot < 0) {
      return RECORD_FIELDS.contains(field) ? null : "the template names an unknown field '"
          + field + "'";
    }
    String prefix = field.substring(0, dot);
    if (!RECORD_PREFIXES.contains(prefix) || dot == field.length() - 1) {
      return "the template names an unknown field '" + field + "'";
    }
    return null;
  }

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public Class<Step.Generate> stepType() {
    return Step.Generate.class;
  }

  @Override
  public ObjectType<Step.Generate> shape() {
    return SHAPE;
  }

  @Override
  public Optional<String> model(Step.Generate step) {
    return Optional.of(step.model());
  }

  @Override
  public void check(Step.Generate step, List<Step> earlier, StepProblems problems) {
    if (earlier.stream().anyMatch(Step.Generate.class::isInstance)) {
      problems.error("a pipeline can generate once", "remove one generate step, or give the"
          + " second its own pipeline");
    }
    Set<String> fields = new PromptTemplate(step.prompt().id(), step.prompt().version(),
        step.prompt().template()).fields();
    boolean classified = earlier.stream().anyMatch(Step.Classify.class::isInstance);
    for (String f : List.of("label", "confidence", "novelty")) {
      if (fields.contains(f) && !classified) {
        problems.error("the template uses {{" + f + "}}, but no classify step comes before"
            + " generate", "put a classify step before generate, or remove {{" + f + "}}");
      }
    }
    boolean extracted = earlier.stream().anyMatch(Step.Extract.class::isInstance);
    for (String f : fields) {
      if (f.startsWith("fields.") && !extracted) {
        problems.error("the template uses {{" + f + "}}, but no extract step comes before"
            + " generate", "put an extract step before generate, or remove {{" + f + "}}");
      }
    }
  }

  @Override
  public void checkModel(Step.Generate step, Model model, Path baseDir, StepProblems problems) {
    if (model.bundle().startsWith("classpath:")) {
      problems.error("model '" + model.name() + "' is " + model.bundle() + ", an encoder;"
          + " generate needs a decoder", "declare a decoder folder (config.json, tokenizer.json,"
          + " model.onnx), e.g. bundle: ${SLUICE_DECODER:-models/decoder}");
      return;
    }
    if (baseDir == null) {
      return;
    }
    Path folder = baseDir.resolve(model.bundle());
    if (!Files.isDirectory(folder)) {
      return; // reported when the gateway starts, with what it looked for
    }
    if (!step.labels().isEmpty() && !Files.isRegularFile(folder.resolve("tokenizer.json"))) {
      problems.error("labels need the model's tokenizer, and model '" + model.name() + "' ("
          + folder + ") has no tokenizer.json", "copy the tokenizer.json the model was exported"
          + " with beside it");
    }
    if (!Files.isRegularFile(folder.resolve("config.json"))
        && !Files.isRegularFile(folder.resolve("bundle.json"))) {
      problems.error("model '" + model.name() + "' (" + folder + ") is not a decoder folder: it"
          + " has neither config.json nor bundle.json", "export the model with Optimum"
          + " (docs/generate.md)");
    }
  }

  @Override
  public Optional<StepOperator> operator(Step.Generate step, StepContext context) {
    Model model = context.spec().models().get(step.model());
    GenerationEngine engine = context.decoders().engine(model, context.baseDir());
    Generator generator = Generator.on(engine, spec(step));
    DecoderRecords records = new DecoderRecords(step.model(), generator);
    String pipeline = context.pipeline().name();
    return Optional.of(new StepOperator() {
      @Override
      public void addTo(org.apache.kafka.streams.Topology topology, String name, String parent) {
        context.addBatched(topology, name, flush -> new GenerateProcessor(pipeline, flush,
            records, forwardsTo(name), context.deadLetters(), context.registry()), parent);
      }

      /** The processor has two children, so the next node takes a fixed name. */
      @Override
      public String forwardsTo(String name) {
        return name + ".next";
      }

      @Override
      public String deadLettersFrom(String name) {
        return name;
      }
    });
  }

  /** What the inference module's generator needs, from the step as written. */
  static GenerateSpec spec(Step.Generate step) {
    PromptTemplate prompt = new PromptTemplate(step.prompt().id(), step.prompt().version(),
        step.prompt().template());
    Optional<OutputConstraint> output = step.schema() == null ? Optional.empty()
        : Optional.of(OutputConstraint.jsonSchema(step.schema()));
    Sampling sampling = step.temperature() == 0 ? Sampling.greedy()
        : Sampling.sample(step.temperature(), 0, step.topP(), step.seed());
    GenerateSpec spec = GenerateSpec.of(Path.of("."), prompt, output, step.maxNewTokens())
        .withSampling(sampling)
        .withStopStrings(new ArrayList<>(step.stop()))
        .withLabels(step.labels())
        .withTooLong(Step.Generate.DEAD_LETTER.equals(step.tooLong())
            ? GenerateSpec.TooLong.REJECT : GenerateSpec.TooLong.TRUNCATE);
    return step.deadline() == null ? spec : spec.withDeadline(step.deadline());
  }
}
