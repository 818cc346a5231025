package io.sluice.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared data sets and test models ({@code ../shared} beside the repository), which
 * fresh clones may not have. Looked up in order: system property {@code sluice.shared.dir},
 * environment variable {@code SLUICE_SHARED_DIR}, {@code ../shared} from the working directory.
 */
public final class SharedData {

  private SharedData() {}

  public static Optional<Path> root() {
    String configured = System.getProperty("sluice.shared.dir");
    if (configured == null || configured.isBlank()) {
      configured = System.getenv("SLUICE_SHARED_DIR");
    }
    Path dir = configured == null || configured.isBlank()
        ? Path.of("..", "shared") : Path.of(configured);
    return Files.isDirectory(dir) ? Optional.of(dir.toAbsolutePath().normalize())
        : Optional.empty();
  }

  /** A file or folder under the shared root, if present. */
  public static Optional<Path> resolve(String relative) {
    return root().map(r -> r.resolve(relative)).filter(Files::exists);
  }
}
