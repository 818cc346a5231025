package io.sluice.inference.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.inference.InferenceException;
import io.sluice.inference.ModelBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A head trained on a small synthetic set of work orders (activity, object, nested part, state)
 * finds the entities of unseen combinations, keeps nesting, and survives save and load.
 */
class EntityHeadTest {

  private static final List<String> ACTIVITIES = List.of("replace", "inspect", "repair", "fit");
  private static final List<String> OBJECTS = List.of("pump", "hose", "alternator", "fan",
      "valve", "filter", "radiator", "compressor");
  private static final List<String> STATES = List.of("leaking", "broken", "unserviceable",
      "cracked");

  static WordEncoder encoder;
  static TrainedEntityExtractor extractor;
  static List<AnnotatedText> unseen = new ArrayList<>();
  static List<AnnotatedText> training = new ArrayList<>();

  @BeforeAll
  static void train() {
    encoder = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT, new SimpleMeterRegistry());
    for (int a = 0; a < ACTIVITIES.size(); a++) {
      for (int o = 0; o < OBJECTS.size(); o++) {
        String act = ACTIVITIES.get(a);
        String obj = OBJECTS.get(o);
        String state = STATES.get((a + o) % STATES.size());
        // "<act> hyd <obj>": an activity, and an object "hyd <obj>" holding the object "<obj>"
        AnnotatedText order = new AnnotatedText(Words.of(List.of(act, "hyd", obj)), List.of(
            new EntitySpan(0, 1, "Activity/MaintenanceActivity"),
            new EntitySpan(1, 3, "PhysicalObject/Part"),
            new EntitySpan(2, 3, "PhysicalObject/Part")));
        AnnotatedText fault = new AnnotatedText(Words.of(List.of("<id>", obj, state)), List.of(
            new EntitySpan(1, 2, "PhysicalObject/Part"),
            new EntitySpan(2, 3, "State/UndesirableState")));
        boolean heldOut = (a + 2 * o) % 5 == 0;
        (heldOut ? unseen : training).add(order);
        (heldOut ? unseen : training).add(fault);
      }
    }
    extractor = TrainedEntityExtractor.train(encoder, training, List.of("State", "Activity",
        "PhysicalObject"), EntityHeadSettings.DEFAULT.withTagger(64, 1, 30).withThreads(1));
  }

  @AfterAll
  static void close() {
    extractor.close();
  }

  @Test
  void findsTheEntitiesOfUnseenCombinationsNestingIncluded() {
    List<EntityResult> results = extractor.extract(
        unseen.stream().map(AnnotatedText::words).toList());
    EntityScores scores = EntityScores.scoreResults(unseen, results, 1);

    assertThat(scores.typed().f1()).isGreaterThan(0.9);
    assertThat(extractor.entityTypes()).containsExactly("State", "Activity", "PhysicalObject");
    assertThat(extractor.head().nestingLayers()).isEqualTo(2);
    EntityResult nested = results.get(unseen.indexOf(unseen.stream()
        .filter(t -> t.words().word(1).equals("hyd")).findFirst().orElseThrow()));
    assertThat(nested.entities()).extracting(Entity::firstWord, Entity::endWord)
        .contains(org.assertj.core.groups.Tuple.tuple(1, 3),
            org.assertj.core.groups.Tuple.tuple(2, 3));
    for (EntityResult r : results) {
      assertThat(r.confidence()).isBetween(0.0, 1.0);
      r.entities().forEach(e -> assertThat(e.confidence()).isBetween(r.confidence(), 1.0));
    }
  }

  @Test
  void aBatchIsTaggedTextByTextInItsOrder() {
    List<Words> words = new ArrayList<>();
    unseen.forEach(t -> words.add(t.words()));
    training.subList(0, 20).forEach(t -> words.add(t.words()));
    List<WordStates> states = encoder.encode(words);

    List<EntityResult> batch = extractor.extract(words);

    assertThat(batch).hasSize(words.size());
    for (int i = 0; i < words.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(extractor.head().decode(words.get(i), states.get(i)));
    }
  }

  @Test
  void aSavedHeadLoadsAndAnswersTheSame(@TempDir Path dir) {
    Path file = dir.resolve("head.bin");
    extractor.head().save(file);
    EntityHead loaded = EntityHead.load(file);

    assertThat(loaded.fits(encoder)).isTrue();
    assertThat(loaded.types()).isEqualTo(extractor.head().types());
    assertThat(loaded.temperature()).isEqualTo(extractor.head().temperature());
    Words words = Words.split("repair hyd fan cracked");
    WordStates states = encoder.encode(words);
    assertThat(loaded.decode(words, states)).isEqualTo(extractor.head().decode(words, states));
  }

  @Test
  void headsTrainWithEitherTaggingAndKeepItThroughSaveAndLoad(@TempDir Path dir) {
    List<WordStates> states = encoder.encode(
        training.stream().map(AnnotatedText::words).toList());
    EntityHead bio = EntityHead.train(encoder, training, states, List.of(),
        EntityHeadSettings.DEFAULT.withTagger(64, 1, 30).withThreads(1)
            .withTagging(EntityHeadSettings.Tagging.BIO));
    List<EntityResult> results = new ArrayList<>();
    for (AnnotatedText text : unseen) {
      results.add(bio.decode(text.words(), encoder.encode(text.words())));
    }

    assertThat(extractor.head().tagging()).isEqualTo(EntityHeadSettings.Tagging.IOBES);
    assertThat(bio.tagging()).isEqualTo(EntityHeadSettings.Tagging.BIO);
    assertThat(EntityScores.scoreResults(unseen, results, 1).typed().f1()).isGreaterThan(0.9);
    Path file = dir.resolve("bio.bin");
    bio.save(file);
    assertThat(EntityHead.load(file).tagging()).isEqualTo(EntityHeadSettings.Tagging.BIO);
    extractor.head().save(file);
    assertThat(EntityHead.load(file).tagging()).isEqualTo(EntityHeadSettings.Tagging.IOBES);
  }

  @Test
  void aCrfHeadFindsTheEntitiesAndSurvivesSaveAndLoad(@TempDir Path dir) {
    List<WordStates> states = encoder.encode(
        training.stream().map(AnnotatedText::words).toList());
    EntityHead crf = EntityHead.train(encoder, training, states, List.of(),
        EntityHeadSettings.DEFAULT.withTagger(64, 1, 30).withThreads(1).withCrf(true));
    List<EntityResult> results = new ArrayList<>();
    for (AnnotatedText text : unseen) {
      results.add(crf.decode(text.words(), encoder.encode(text.words())));
    }
    Path file = dir.resolve("crf.bin");
    crf.save(file);
    EntityHead loaded = EntityHead.load(file);

    assertThat(crf.crf()).isTrue();
    assertThat(extractor.head().crf()).isFalse();
    assertThat(EntityScores.scoreResults(unseen, results, 1).typed().f1()).isGreaterThan(0.9);
    for (EntityResult r : results) {
      r.entities().forEach(e -> assertThat(e.confidence()).isBetween(r.confidence(), 1.0));
    }
    assertThat(loaded.crf()).isTrue();
    Words words = Words.split("repair hyd fan cracked");
    WordStates s = encoder.encode(words);
    assertThat(loaded.decode(words, s)).isEqualTo(crf.decode(words, s));
  }

  @Test
  void aHeadSavedBeforeTaggingWasRecordedLoadsAsBio(@TempDir Path dir) throws Exception {
    List<AnnotatedText> some = training.subList(0, 20);
    List<WordStates> states = encoder.encode(some.stream().map(AnnotatedText::words).toList());
    EntityHead bio = EntityHead.train(encoder, some, states, List.of(),
        EntityHeadSettings.DEFAULT.withTagger(16, 1, 3).withThreads(1)
            .withTagging(EntityHeadSettings.Tagging.BIO));
    Path file = dir.resolve("old.bin");
    bio.save(file);
    // rewrite the JSON header without "tagging", as heads were saved before IOBES
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file));
    int magic = in.getInt();
    int format = in.getInt();
    byte[] json = new byte[in.getInt()];
    in.get(json);
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode header =
        (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json);
    assertThat(header.remove("tagging")).isNotNull();
    byte[] old = mapper.writeValueAsBytes(header);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(12 + old.length + in.remaining());
    out.putInt(magic).putInt(format).putInt(old.length).put(old).put(in);
    java.nio.file.Files.write(file, out.array());

    EntityHead loaded = EntityHead.load(file);

    assertThat(loaded.tagging()).isEqualTo(EntityHeadSettings.Tagging.BIO);
    Words words = Words.split("repair hyd fan cracked");
    WordStates s = encoder.encode(words);
    assertThat(loaded.decode(words, s)).isEqualTo(bio.decode(words, s));
  }

  @Test
  void aHeadIsRefusedByAnEncoderThatGivesOtherStates() {
    try (WordEncoder other = WordEncoder.open(ModelBundle.load(ModelBundle.DEFAULT),
        WordEncoderSettings.DEFAULT.withPooling(SubwordPooling.FIRST),
        new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> TrainedEntityExtractor.of(other, extractor.head()))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining("pooling mean").hasMessageContaining("pooling first");
    }
  }

  @Test
  void trainingIsRepeatableWithTheSameSeed() {
    List<AnnotatedText> few = unseen.subList(0, 6);
    List<WordStates> states = encoder.encode(few.stream().map(AnnotatedText::words).toList());
    EntityHeadSettings settings = EntityHeadSettings.DEFAULT.withTagger(16, 1, 3);
    EntityHead a = EntityHead.train(encoder, few, states, List.of(), settings);
    EntityHead b = EntityHead.train(encoder, few, states, List.of(), settings);
    for (int i = 0; i < few.size(); i++) {
      assertThat(a.decode(few.get(i).words(), states.get(i)))
          .isEqualTo(b.decode(few.get(i).words(), states.get(i)));
    }
  }

  @Test
  void aShareOfTheTextsFitsTheTemperatureAndNoShareLeavesItAtOne() {
    List<AnnotatedText> some = training.subList(0, 30);
    List<WordStates> states = encoder.encode(some.stream().map(AnnotatedText::words).toList());
    EntityHeadSettings settings = EntityHeadSettings.DEFAULT.withTagger(16, 1, 3).withThreads(1);

    EntityHead calibrated = EntityHead.train(encoder, some, states, List.of(), settings);
    EntityHead uncalibrated = EntityHead.train(encoder, some, states, List.of(),
        settings.withCalibrationShare(0));

    assertThat(uncalibrated.temperature()).isEqualTo(1.0);
    assertThat(calibrated.temperature()).isStrictlyBetween(0.05, 20.0).isNotEqualTo(1.0);
  }

  @Test
  void theTemperatureMakesEntityConfidencesMatchHowOftenEntitiesAreRight() {
    // a third of the "<id> <object> <state>" orders leave the state unlabelled, so a found
    // state is right about two times in three; a calibrated head should say about that
    List<AnnotatedText> noisy = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int o = 0; o < OBJECTS.size(); o++) {
        for (int st = 0; st < STATES.size(); st++) {
          boolean labelled = (o + st + round) % 3 != 0;
          List<EntitySpan> spans = new ArrayList<>();
          spans.add(new EntitySpan(1, 2, "PhysicalObject"));
          if (labelled) {
            spans.add(new EntitySpan(2, 3, "State"));
          }
          noisy.add(new AnnotatedText(Words.of(List.of("<id>", OBJECTS.get(o), STATES.get(st))),
              spans));
        }
      }
    }
    List<WordStates> states = encoder.encode(noisy.stream().map(AnnotatedText::words).toList());
    EntityHeadSettings settings = EntityHeadSettings.DEFAULT.withTagger(32, 1, 10).withThreads(1)
        .withCalibrationShare(0.34);

    EntityHead calibrated = EntityHead.train(encoder, noisy, states, List.of(), settings);

    assertThat(calibrated.temperature()).isNotEqualTo(1.0);
    assertThat(stateConfidenceGap(calibrated, noisy, states)).isLessThan(0.1);
  }

  /** |mean confidence of found states - share of texts whose state is labelled|. */
  private static double stateConfidenceGap(EntityHead head, List<AnnotatedText> texts,
      List<WordStates> states) {
    double confidence = 0;
    int found = 0;
    int labelled = 0;
    for (int i = 0; i < texts.size(); i++) {
      labelled += texts.get(i).entities().size() == 2 ? 1 : 0;
      for (Entity e : head.decode(texts.get(i).words(), states.get(i)).entities()) {
        if (e.type().equals("State")) {
          confidence += e.confidence();
          found++;
        }
      }
    }
    assertThat(found).isPositive();
    return Math.abs(confidence / found - (double) labelled / texts.size());
  }

  @Test
  void refusesTextsWithoutEntities() {
    List<AnnotatedText> none = List.of(new AnnotatedText(Words.split("all good"), List.of()));
    assertThatThrownBy(() -> TrainedEntityExtractor.train(encoder, none, List.of(),
        EntityHeadSettings.DEFAULT)).hasMessageContaining("hold no entity");
  }
}
