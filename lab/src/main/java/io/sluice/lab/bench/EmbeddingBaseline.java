package io.sluice.lab.bench;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * An embedding library a Java user might pick instead of Sluice, measured side by side by
 * {@code sluice bench inference}. Implementations live outside the product (the benchmarks
 * module) and are found with {@link ServiceLoader}, so the product does not depend on them.
 */
public interface EmbeddingBaseline extends AutoCloseable {

  /** What is measured, e.g. {@code langchain4j AllMiniLmL6V2QuantizedEmbeddingModel.embedAll}. */
  String name();

  /** Loads the model; called once, before anything is timed. */
  void open() throws Exception;

  /** One vector per text, in order, the way the library's users call it. */
  List<float[]> embedAll(List<String> texts);

  @Override
  default void close() {}

  /** The first baseline on the classpath, if any. */
  static Optional<EmbeddingBaseline> find() {
    return ServiceLoader.load(EmbeddingBaseline.class).findFirst();
  }
}
