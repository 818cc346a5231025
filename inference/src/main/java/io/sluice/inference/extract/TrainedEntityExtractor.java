package io.sluice.inference.extract;

import io.sluice.inference.InferenceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * An {@link EntityExtractor} made of a frozen encoder's word states ({@link WordEncoder}) and a
 * head trained on the gateway ({@link EntityHead}). Owns its encoder: closing it closes the
 * encoder.
 */
public final class TrainedEntityExtractor implements EntityExtractor {

  private final WordEncoder encoder;
  private final EntityHead head;
  private final String version;

  private TrainedEntityExtractor(WordEncoder encoder, EntityHead head) {
    if (!head.fits(encoder)) {
      throw new InferenceException("The entity head was trained on " + head.modelId()
          + " layers " + head.layers() + " pooling " + head.pooling().id()
          + "; this encoder gives " + encoder.modelId() + " layers "
          + encoder.settings().layers() + " pooling " + encoder.settings().pooling().id());
    }
    this.encoder = encoder;
    this.head = head;
    this.version = encoder.bundle().manifest().version() + "+entity-head."
        + Integer.toHexString(Objects.hash(head.types(), head.level(), head.trainingTexts(),
            head.skippedEntities(), head.layers(), head.tagging(), head.crf(), head.ensemble(),
            head.temperature()));
  }

  /** Serves {@code head} over {@code encoder}'s word states; refuses a head made for others. */
  public static TrainedEntityExtractor of(WordEncoder encoder, EntityHead head) {
    return new TrainedEntityExtractor(encoder, head);
  }

  /**
   * Encodes the texts' words and trains a head on them.
   *
   * @param typeOrder the order to list types in (for example {@link EntityTypes#all()} of a
   *     scheme); may be empty
   */
  public static TrainedEntityExtractor train(WordEncoder encoder, List<AnnotatedText> texts,
      List<String> typeOrder, EntityHeadSettings settings) {
    List<Words> words = new ArrayList<>(texts.size());
    for (AnnotatedText text : texts) {
      words.add(text.words());
    }
    List<WordStates> states = encoder.encode(words);
    return new TrainedEntityExtractor(encoder,
        EntityHead.train(encoder, texts, states, typeOrder, settings));
  }

  public EntityHead head() {
    return head;
  }

  public WordEncoder encoder() {
    return encoder;
  }

  @Override
  public String modelId() {
    return encoder.modelId();
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> entityTypes() {
    return head.types();
  }

  @Override
  public int countTokens(Words words) {
    return encoder.countTokens(words);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The encoder runs the batch at once; the head then tags the texts in parallel (common
   * fork-join pool; {@link EntityHead#decode} is safe to call concurrently), in text order.
   * Tagging costs about as much as encoding (more with an ensemble of taggers), and run on one
   * thread it left the second core idle: side by side on MaintIE dev, 1.22x the texts/s with
   * MiniLM and 1.25x with bge-small and three taggers (docs/BENCHMARKS.md, Extraction).
   */
  @Override
  public List<EntityResult> extract(List<Words> texts) {
    List<WordStates> states = encoder.encode(texts);
    IntStream indices = IntStream.range(0, texts.size());
    return (texts.size() > 1 ? indices.parallel() : indices)
        .mapToObj(i -> head.decode(texts.get(i), states.get(i))).toList();
  }

  @Override
  public void close() {
    encoder.close();
  }
}
